import type { Referral } from '../domain/referral';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { Page, ReferralStore } from '../ports/referral-store';
import type { Actor } from './actor';

export const MY_PAGE_SIZE = 5;

/** A user lists the referrals they submitted, newest first, a page at a time; the read is audited. */
export async function listMyReferrals(
  deps: { referrals: ReferralStore; audit: AuditLog; clock: Clock },
  actor: Actor,
  page: number,
): Promise<Page<Referral> & { page: number; pages: number }> {
  const total = await deps.referrals.listBySubmitter(actor.aadObjectId, 0, 0).then((p) => p.total);
  const pages = Math.max(1, Math.ceil(total / MY_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(page)), pages);
  const result = await deps.referrals.listBySubmitter(actor.aadObjectId, (current - 1) * MY_PAGE_SIZE, MY_PAGE_SIZE);
  if (result.items.length > 0) {
    await deps.audit.record({
      at: deps.clock.now().toISOString(),
      actor: actor.aadObjectId,
      action: 'referral.list',
      recordType: 'referral',
      recordId: result.items.map((r) => r.reference).join(','),
      correlationId: actor.correlationId,
    });
  }
  return { ...result, page: current, pages };
}
