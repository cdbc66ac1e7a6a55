import { londonDate } from '../domain/dates';
import { mayDecide, validateDecision, type Decision, type DecisionFieldError } from '../domain/panels';
import { err, ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { PanelStore } from '../ports/panel-store';
import type { ReferralStore } from '../ports/referral-store';
import type { Actor } from './actor';
import { itemState, type ItemState } from './record-recommendation';

export type DecideError =
  | { readonly code: 'PANEL.ITEM_NOT_FOUND' }
  | { readonly code: 'PANEL.NOT_CHAIR' }
  | { readonly code: 'PANEL.ITEM_CLOSED' }
  | { readonly code: 'PANEL.DECISION_INVALID'; readonly fieldErrors: readonly DecisionFieldError[] };

/** Who may own a next step: the panel's members and the referring ALNCo. */
export function nextStepOwners(state: ItemState, submitter: { aadObjectId: string; name: string } | undefined): { id: string; name: string }[] {
  const owners = state.panel.members.map((m) => ({ id: m.aadObjectId, name: m.name }));
  if (submitter && !owners.some((o) => o.id === submitter.aadObjectId)) owners.push({ id: submitter.aadObjectId, name: submitter.name });
  return owners;
}

/**
 * The chair (or the coordinator acting for them) closes the item with the decision and reasons. The decision, next
 * steps, the referral's new status, the audit entry and the outcome card to the referring ALNCo are one unit.
 */
export async function decideItem(
  deps: { panels: PanelStore; referrals: ReferralStore; audit: AuditLog; clock: Clock },
  actor: Actor,
  itemId: number,
  form: unknown,
): Promise<Result<{ state: ItemState; decision: Decision }, DecideError>> {
  const state = await itemState(deps, itemId);
  if (!state) return err({ code: 'PANEL.ITEM_NOT_FOUND' });
  const at = deps.clock.now();
  if (!mayDecide(state.panel, actor.aadObjectId)) {
    await deps.audit.record({ at: at.toISOString(), actor: actor.aadObjectId, action: 'panel.decide.refused', recordType: 'referral', recordId: state.item.reference, correlationId: actor.correlationId });
    return err({ code: 'PANEL.NOT_CHAIR' });
  }
  if (state.item.status === 'closed') return err({ code: 'PANEL.ITEM_CLOSED' });
  const referral = await deps.referrals.get(state.item.reference);
  const owners = new Set(nextStepOwners(state, referral?.submittedBy).map((o) => o.id));
  const valid = validateDecision(form, { today: londonDate(at), quorumMet: state.tally.quorum.met, owners });
  if (!valid.ok) return err({ code: 'PANEL.DECISION_INVALID', fieldErrors: valid.error });
  const decision: Decision = { ...valid.value, decidedBy: actor.aadObjectId, decidedAt: at.toISOString() };
  const outbox = referral
    ? [
        {
          key: `outcome:${state.item.reference}:${itemId}`,
          target: { kind: 'user' as const, aadObjectId: referral.submittedBy.aadObjectId },
          payload: { template: 'outcome-card', data: { reference: state.item.reference, panelName: state.panel.name, outcome: decision.outcome, reasons: decision.reasons, lead: decision.lead, nextSteps: decision.nextSteps.map((s) => ({ text: s.text, due: s.due })) } },
        },
        ...decision.nextSteps
          .filter((s) => s.owner !== referral.submittedBy.aadObjectId)
          .map((s, i) => ({
            key: `next-step:${state.item.reference}:${itemId}:${i}`,
            target: { kind: 'user' as const, aadObjectId: s.owner },
            payload: { template: 'next-step-card', data: { reference: state.item.reference, panelName: state.panel.name, text: s.text, due: s.due } },
          })),
      ]
    : [];
  const result = await deps.panels.decide(itemId, decision, {
    at: decision.decidedAt, actor: actor.aadObjectId, action: 'panel.decide', recordType: 'referral', recordId: state.item.reference, correlationId: actor.correlationId,
    detail: { panel: state.panel.id, outcome: decision.outcome, quorumMet: state.tally.quorum.met },
  }, outbox);
  if (result === 'already-closed') return err({ code: 'PANEL.ITEM_CLOSED' });
  if (result === 'no-item') return err({ code: 'PANEL.ITEM_NOT_FOUND' });
  return ok({ state: (await itemState(deps, itemId))!, decision });
}
