import { err, ok, type Result } from '../domain/result';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { ReferralStore } from '../ports/referral-store';
import type { UserStore } from '../ports/users';
import type { Actor } from './actor';

export type ChooseTargetError = { readonly code: 'DOCUMENT.REFERRAL_NOT_FOUND' } | { readonly code: 'DOCUMENT.NOT_YOURS' };

/** "Add documents": files the user sends next attach to this referral, for a limited time or until another is chosen. */
export async function chooseDocumentTarget(
  deps: { referrals: ReferralStore; users: UserStore; directory: Directory; clock: Clock; targetMinutes: number },
  actor: Actor,
  reference: string,
): Promise<Result<{ reference: string; until: Date }, ChooseTargetError>> {
  const referral = await deps.referrals.get(reference);
  if (!referral) return err({ code: 'DOCUMENT.REFERRAL_NOT_FOUND' });
  if (referral.submittedBy.aadObjectId !== actor.aadObjectId && !deps.directory.isAdmin(actor.aadObjectId)) {
    return err({ code: 'DOCUMENT.NOT_YOURS' });
  }
  const until = new Date(deps.clock.now().getTime() + deps.targetMinutes * 60_000);
  await deps.users.setDocumentTarget(actor.aadObjectId, referral.reference, until);
  return ok({ reference: referral.reference, until });
}
