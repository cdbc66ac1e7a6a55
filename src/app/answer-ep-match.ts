import { err, ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { EpDirectory } from '../ports/ep-directory';
import type { ReferralStore } from '../ports/referral-store';
import type { Actor } from './actor';

export type EpAnswerError = { readonly code: 'EP.NOT_EP' } | { readonly code: 'EP.REFERRAL_NOT_FOUND' };

/** An EP answers "I know this learner" / "Not known to me" on an Early Help Panel referral: recorded for the coordinator, audited. */
export async function answerEpMatch(
  deps: { eps: EpDirectory; referrals: ReferralStore; audit: AuditLog; clock: Clock },
  actor: Actor,
  input: { reference: string; answer: 'known' | 'not-known' },
): Promise<Result<{ reference: string; answer: 'known' | 'not-known' }, EpAnswerError>> {
  if (!deps.eps.isEp(actor.aadObjectId)) return err({ code: 'EP.NOT_EP' });
  const referral = await deps.referrals.get(input.reference);
  if (!referral || referral.routeId !== 'early-help-panel') return err({ code: 'EP.REFERRAL_NOT_FOUND' });
  const now = deps.clock.now();
  await deps.eps.recordAnswer({
    reference: referral.reference, epAadId: actor.aadObjectId, answer: input.answer, schoolId: referral.schoolId, localRef: referral.learner.localRef,
    ...(referral.learner.upnHash ? { upnHash: referral.learner.upnHash } : {}), at: now,
  });
  await deps.audit.record({ at: now.toISOString(), actor: actor.aadObjectId, action: 'ep.answer', recordType: 'referral', recordId: referral.reference, correlationId: actor.correlationId, detail: { answer: input.answer } });
  return ok({ reference: referral.reference, answer: input.answer });
}
