import { isIsoDate, londonDate } from '../domain/dates';
import { err, ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { Learner, LearnerStore } from '../ports/learners';
import type { Actor } from './actor';

export type RecordIdpError =
  | { readonly code: 'IDP.NOT_ALNCO' }
  | { readonly code: 'IDP.LEARNER_NOT_FOUND' }
  | { readonly code: 'IDP.BAD_DATE' };

/** An ALNCo records the date an IDP was issued or revised for a learner of their school: the 12-month review clock restarts (ALNET Act 2018 s.23). Audited. */
export async function recordIdp(
  deps: { learners: LearnerStore; directory: Directory; audit: AuditLog; clock: Clock },
  actor: Actor,
  input: { schoolId: string; localRef: string; date: string; kind: 'issued' | 'revised' },
): Promise<Result<{ learner: Learner; date: string }, RecordIdpError>> {
  if (!deps.directory.schoolsFor(actor.aadObjectId).some((s) => s.id === input.schoolId)) return err({ code: 'IDP.NOT_ALNCO' });
  const now = deps.clock.now();
  if (!isIsoDate(input.date) || input.date > londonDate(now)) return err({ code: 'IDP.BAD_DATE' });
  const learner = await deps.learners.get(input.schoolId, input.localRef.trim());
  if (!learner) return err({ code: 'IDP.LEARNER_NOT_FOUND' });
  await deps.learners.setIdpIssued(learner.id, input.date, now);
  await deps.audit.record({ at: now.toISOString(), actor: actor.aadObjectId, action: `idp.${input.kind}`, recordType: 'learner', recordId: String(learner.id), correlationId: actor.correlationId, detail: { date: input.date } });
  return ok({ learner, date: input.date });
}
