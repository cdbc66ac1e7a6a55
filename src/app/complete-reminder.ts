import { isIsoDate, londonDate, type IsoDate } from '../domain/dates';
import { err, ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { LearnerStore } from '../ports/learners';
import type { ReferralStore } from '../ports/referral-store';
import type { ReminderStateStore } from '../ports/reminders';
import type { Actor } from './actor';

export interface ReminderActionDeps {
  readonly learners: LearnerStore;
  readonly reminders: ReminderStateStore;
  readonly referrals: ReferralStore;
  readonly directory: Directory;
  readonly audit: AuditLog;
  readonly clock: Clock;
}

export type ReminderActionError =
  | { readonly code: 'REMINDER.NOT_FOUND' }
  | { readonly code: 'REMINDER.NOT_YOURS' }
  | { readonly code: 'REMINDER.ISSUE_DATE_REQUIRED' }
  | { readonly code: 'REMINDER.BAD_DATE' }
  | { readonly code: 'REMINDER.REASON_REQUIRED' };

/** Whether the actor may act on a subject: the learner's ALNCo (or an ALNCo of the school), the referral's submitter, the step's owner, or an admin. */
export async function ownsSubject(deps: ReminderActionDeps, actor: Actor, subject: string): Promise<Result<{ learnerId?: number }, ReminderActionError>> {
  if (deps.directory.isAdmin(actor.aadObjectId)) return ok(learnerIdOf(subject));
  const [kind, id] = subject.split(':');
  if (kind === 'idp' || kind === 'ms') {
    const l = await deps.learners.byId(Number(id));
    if (!l) return err({ code: 'REMINDER.NOT_FOUND' });
    const mine = l.alncoAadId === actor.aadObjectId || deps.directory.schoolsFor(actor.aadObjectId).some((s) => s.id === l.schoolId);
    return mine ? ok({ learnerId: l.id }) : err({ code: 'REMINDER.NOT_YOURS' });
  }
  if (kind === 'ref') {
    const r = await deps.referrals.get(id ?? '');
    if (!r) return err({ code: 'REMINDER.NOT_FOUND' });
    return r.submittedBy.aadObjectId === actor.aadObjectId ? ok({}) : err({ code: 'REMINDER.NOT_YOURS' });
  }
  if (kind === 'step') {
    const steps = await deps.reminders.openNextSteps();
    const s = steps.find((x) => x.id === id);
    if (!s) return err({ code: 'REMINDER.NOT_FOUND' });
    return s.ownerAadId === actor.aadObjectId ? ok({}) : err({ code: 'REMINDER.NOT_YOURS' });
  }
  return err({ code: 'REMINDER.NOT_FOUND' });
}

function learnerIdOf(subject: string): { learnerId?: number } {
  const [kind, id] = subject.split(':');
  return kind === 'idp' || kind === 'ms' ? { learnerId: Number(id) } : {};
}

/**
 * "Done": records completion of a reminder's subject; for an IDP review the new issue date restarts the 12-month clock
 * (ALNET Act 2018 s.23: reviewed at least every 12 months from issue or last revision). Audited.
 */
export async function completeReminder(
  deps: ReminderActionDeps,
  actor: Actor,
  input: { subject: string; due: IsoDate; newIssueDate?: string },
): Promise<Result<{ newIssueDate?: IsoDate }, ReminderActionError>> {
  const owned = await ownsSubject(deps, actor, input.subject);
  if (!owned.ok) return owned;
  const now = deps.clock.now();
  let newIssueDate: IsoDate | undefined;
  if (input.subject.startsWith('idp:')) {
    if (!input.newIssueDate) return err({ code: 'REMINDER.ISSUE_DATE_REQUIRED' });
    if (!isIsoDate(input.newIssueDate) || input.newIssueDate > londonDate(now)) return err({ code: 'REMINDER.BAD_DATE' });
    newIssueDate = input.newIssueDate;
    await deps.learners.setIdpIssued(owned.value.learnerId!, newIssueDate, now);
  }
  await deps.reminders.markDone(input.subject, input.due, actor.aadObjectId, now);
  await deps.audit.record({
    at: now.toISOString(), actor: actor.aadObjectId, action: 'reminder.done', recordType: input.subject.split(':')[0]!, recordId: input.subject, correlationId: actor.correlationId,
    detail: { due: input.due, ...(newIssueDate ? { newIssueDate } : {}) },
  });
  return ok(newIssueDate ? { newIssueDate } : {});
}

/** "Snooze": no reminders for this subject and due date until the chosen date; the reason is kept (and audited). */
export async function snoozeReminder(
  deps: ReminderActionDeps,
  actor: Actor,
  input: { subject: string; due: IsoDate; until: string; reason: string },
): Promise<Result<{ until: IsoDate }, ReminderActionError>> {
  const owned = await ownsSubject(deps, actor, input.subject);
  if (!owned.ok) return owned;
  const now = deps.clock.now();
  if (!isIsoDate(input.until) || input.until <= londonDate(now)) return err({ code: 'REMINDER.BAD_DATE' });
  const reason = input.reason.trim().slice(0, 500);
  if (!reason) return err({ code: 'REMINDER.REASON_REQUIRED' });
  await deps.reminders.snooze(input.subject, input.due, input.until, reason, actor.aadObjectId);
  await deps.audit.record({
    at: now.toISOString(), actor: actor.aadObjectId, action: 'reminder.snooze', recordType: input.subject.split(':')[0]!, recordId: input.subject, correlationId: actor.correlationId,
    detail: { due: input.due, until: input.until },
  });
  return ok({ until: input.until });
}
