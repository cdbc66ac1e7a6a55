import { memberOf } from '../domain/panels';
import type { Referral } from '../domain/referral';
import { err, ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { PanelStore } from '../ports/panel-store';
import type { ReferralStore } from '../ports/referral-store';
import type { Actor } from './actor';

export type DetailsError = { readonly code: 'DETAILS.NOT_FOUND' } | { readonly code: 'DETAILS.NOT_ALLOWED' };

/**
 * Open a referral's details: for members of the panel it is on, the person who submitted it, and service admins.
 * Every opening (and every refusal) is written to the audit trail (DOMAIN.md, "Privacy").
 */
export async function viewReferralDetails(
  deps: { referrals: ReferralStore; panels: PanelStore; directory: Directory; audit: AuditLog; clock: Clock },
  actor: Actor,
  reference: string,
): Promise<Result<Referral, DetailsError>> {
  const referral = await deps.referrals.get(reference);
  if (!referral) return err({ code: 'DETAILS.NOT_FOUND' });
  const item = await deps.panels.itemByReference(referral.reference);
  const panel = item && (await deps.panels.panel(item.panelId));
  const allowed = (panel && memberOf(panel, actor.aadObjectId)) || referral.submittedBy.aadObjectId === actor.aadObjectId || deps.directory.isAdmin(actor.aadObjectId);
  await deps.audit.record({
    at: deps.clock.now().toISOString(), actor: actor.aadObjectId, action: allowed ? 'referral.view' : 'referral.view.refused', recordType: 'referral', recordId: referral.reference, correlationId: actor.correlationId,
  });
  return allowed ? ok(referral) : err({ code: 'DETAILS.NOT_ALLOWED' });
}
