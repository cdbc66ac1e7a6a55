import { londonDate } from '../domain/dates';
import type { Country, SchoolCalendar } from '../domain/calendar';
import { currentLead, leadCode, leadHorizon, nextSendTime, type LeadPolicy, type SendWindow } from '../domain/reminders';
import type { Clock } from '../ports/clock';
import type { LearnerStore } from '../ports/learners';
import type { NewOutboxMessage, OutboxStore } from '../ports/outbox';
import { stateKey, type ReminderStateStore } from '../ports/reminders';
import { learnerItems, referralItem, stepItem, type ReminderItem } from './reminder-items';

export interface SweepDeps {
  readonly learners: LearnerStore;
  readonly reminders: ReminderStateStore;
  readonly outbox: OutboxStore;
  readonly clock: Clock;
  readonly country: Country;
  calendarFor(schoolId: string): SchoolCalendar | undefined;
  readonly policy: LeadPolicy;
  readonly window: SendWindow;
}

const PAGE = 5000;

/**
 * The reminder sweep: for every learner's IDP review and milestones, every open referral's statutory date and every open
 * next step, queue the one reminder that applies today (DESIGN.md "Reminder": computed, not stored ahead). The outbox key
 * (subject, due date, lead) makes each reminder send once however often the sweep runs; sends wait for the next send window.
 * Users who chose the weekly digest get nothing here (see sendReminderDigests).
 */
export async function sweepReminders(deps: SweepDeps): Promise<{ learners: number; subjects: number; queued: number }> {
  const now = deps.clock.now();
  const today = londonDate(now);
  const at = nextSendTime(now, deps.window);
  const horizon = leadHorizon(today, deps.policy);
  const states = await deps.reminders.states();
  const digest = await deps.reminders.digestUsers();
  let learners = 0;
  let subjects = 0;
  let batch: NewOutboxMessage[] = [];
  let queued = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await deps.outbox.enqueue(batch, at);
    queued += batch.length;
    batch = [];
  };
  const consider = (item: ReminderItem, calendar?: SchoolCalendar) => {
    subjects++;
    if (digest.has(item.owner)) return;
    const state = states.get(stateKey(item.subject, item.due));
    if (state?.doneAt || (state?.snoozedUntil && state.snoozedUntil > today)) return;
    const lead = currentLead(item.due, today, deps.policy, deps.country, calendar);
    if (!lead) return;
    const code = leadCode(lead.lead);
    batch.push({ key: `reminder:${item.subject}:${item.due}:${code}`, target: { kind: 'user', aadObjectId: item.owner }, payload: { template: 'reminder', data: { ...item, lead: code } } });
  };

  for (let after = 0; ; ) {
    const page = await deps.learners.scan(after, PAGE);
    if (page.length === 0) break;
    for (const l of page) {
      const cal = deps.calendarFor(l.schoolId);
      learners++;
      // Only subjects a lead can apply to today are built at all.
      for (const item of learnerItems(l, today, cal, horizon)) consider(item, cal);
    }
    after = page[page.length - 1]!.id;
    if (batch.length >= 2000) await flush();
  }
  for (const r of await deps.reminders.openReferralClocks()) consider(referralItem(r), deps.calendarFor(r.schoolId));
  for (const s of await deps.reminders.openNextSteps()) consider(stepItem(s));
  await flush();
  return { learners, subjects, queued };
}
