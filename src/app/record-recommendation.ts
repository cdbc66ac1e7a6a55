import { mayRecommend, recommendationSchema, tally, type Panel, type Recommendation, type Tally } from '../domain/panels';
import { err, ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { AgendaItem, PanelStore } from '../ports/panel-store';
import type { Actor } from './actor';

export type RecommendError =
  | { readonly code: 'PANEL.BAD_REQUEST' }
  | { readonly code: 'PANEL.ITEM_NOT_FOUND' }
  | { readonly code: 'PANEL.NOT_A_MEMBER' }
  | { readonly code: 'PANEL.ITEM_CLOSED' };

export interface ItemState {
  readonly panel: Panel;
  readonly item: AgendaItem;
  readonly recommendations: readonly Recommendation[];
  readonly tally: Tally;
}

/**
 * The item, its panel, the recommendations and the derived tally (for rendering the card). Recommendations are read
 * first: a store may refresh what it knows of the item while reading them (the SharePoint store does), so the item
 * read after them is at least as fresh. `cached` lets the store answer recommendations from its own recent reads and writes.
 */
export async function itemState(deps: { panels: PanelStore }, itemId: number, known?: { panel: Panel; item?: AgendaItem }, opts: { cached?: boolean } = {}): Promise<ItemState | undefined> {
  const recommendations = await deps.panels.recommendations(itemId, opts);
  const item = known?.item?.id === itemId ? known.item : await deps.panels.item(itemId);
  const panel = item && (known?.panel.id === item.panelId ? known.panel : await deps.panels.panel(item.panelId));
  if (!item || !panel) return undefined;
  return { panel, item, recommendations, tally: tally(panel, recommendations) };
}

/**
 * A member records (or changes) their recommendation on the card, or declares an interest. One record per item and
 * member, upserted: concurrent members never contend, a re-delivered invoke changes nothing. Non-members are refused and audited.
 */
export async function recordRecommendation(
  deps: { panels: PanelStore; audit: AuditLog; clock: Clock },
  actor: Actor,
  data: unknown,
): Promise<Result<ItemState, RecommendError>> {
  const parsed = recommendationSchema.safeParse(data);
  if (!parsed.success) return err({ code: 'PANEL.BAD_REQUEST' });
  const { itemId, value, otherRoute, comment } = parsed.data;
  const item = await deps.panels.item(itemId);
  const panel = item && (await deps.panels.panel(item.panelId));
  const at = deps.clock.now().toISOString();
  if (!item || !panel) return err({ code: 'PANEL.ITEM_NOT_FOUND' });
  if (!mayRecommend(panel, actor.aadObjectId)) {
    await deps.audit.record({ at, actor: actor.aadObjectId, action: 'panel.recommend.refused', recordType: 'referral', recordId: item.reference, correlationId: actor.correlationId, detail: { panel: panel.id } });
    return err({ code: 'PANEL.NOT_A_MEMBER' });
  }
  const recommendation: Recommendation = {
    itemId,
    member: actor.aadObjectId,
    value: value === 'conflict' ? null : value,
    conflict: value === 'conflict',
    at,
    ...(value === 'refer-elsewhere' && otherRoute ? { otherRoute } : {}),
    ...(comment ? { comment } : {}),
  };
  const result = await deps.panels.recordRecommendation(recommendation, {
    at, actor: actor.aadObjectId, action: 'panel.recommend', recordType: 'referral', recordId: item.reference, correlationId: actor.correlationId, detail: { panel: panel.id, value },
  });
  if (result === 'item-closed') return err({ code: 'PANEL.ITEM_CLOSED' });
  if (result === 'no-item') return err({ code: 'PANEL.ITEM_NOT_FOUND' });
  // The item was open when the recommendation was stored (the store checks it in the same unit), so it is reused.
  const state = await itemState(deps, itemId, { panel, item }, { cached: true });
  return ok(state!);
}
