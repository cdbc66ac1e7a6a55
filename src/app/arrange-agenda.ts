import { isIsoDate } from '../domain/dates';
import { err, ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { PanelStore } from '../ports/panel-store';
import type { Actor } from './actor';
import { panelToRun, type PanelAccessError } from './panel-access';

export type ArrangeError = PanelAccessError | { readonly code: 'AGENDA.BAD_DATE' } | { readonly code: 'AGENDA.ITEM_NOT_FOUND' };
export type Arrangement = { kind: 'date'; date: string } | { kind: 'move'; itemId: number; direction: -1 | 1 } | { kind: 'defer'; itemId: number; until: string };

/** The coordinator sets the meeting date, reorders the queue, or defers an item to a later meeting. */
export async function arrangeAgenda(
  deps: { panels: PanelStore; directory: Directory; audit: AuditLog; clock: Clock },
  actor: Actor,
  panelId: string,
  change: Arrangement,
): Promise<Result<void, ArrangeError>> {
  const access = await panelToRun(deps, actor.aadObjectId, panelId);
  if (!access.ok) return access;
  const audit = (action: string, recordId: string) => ({ at: deps.clock.now().toISOString(), actor: actor.aadObjectId, action, recordType: 'panel', recordId, correlationId: actor.correlationId });
  if (change.kind === 'date') {
    if (!isIsoDate(change.date)) return err({ code: 'AGENDA.BAD_DATE' });
    await deps.panels.setMeetingDate(panelId, change.date, audit('panel.meeting-date', panelId));
    return ok(undefined);
  }
  const item = await deps.panels.item(change.itemId);
  if (!item || item.panelId !== panelId) return err({ code: 'AGENDA.ITEM_NOT_FOUND' });
  if (change.kind === 'move') await deps.panels.moveItem(item.id, change.direction);
  else {
    if (!isIsoDate(change.until)) return err({ code: 'AGENDA.BAD_DATE' });
    await deps.panels.deferItem(item.id, change.until, audit('panel.defer', item.reference));
  }
  return ok(undefined);
}
