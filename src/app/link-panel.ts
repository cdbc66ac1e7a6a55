import { ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { PanelStore } from '../ports/panel-store';
import type { ConversationRef, ConversationStore } from '../ports/users';
import type { Actor } from './actor';
import { panelToRun, type PanelAccessError } from './panel-access';

/** `/panel link <id>` in a channel: that channel receives the panel's case cards from now on. */
export async function linkPanel(
  deps: { panels: PanelStore; directory: Directory; conversations: ConversationStore; audit: AuditLog; clock: Clock },
  actor: Actor,
  panelId: string,
  channel: ConversationRef,
): Promise<Result<{ panelId: string }, PanelAccessError>> {
  const panel = await panelToRun(deps, actor.aadObjectId, panelId);
  if (!panel.ok) return panel;
  await deps.conversations.save(`panel:${panel.value.id}`, channel);
  await deps.audit.record({ at: deps.clock.now().toISOString(), actor: actor.aadObjectId, action: 'panel.link', recordType: 'panel', recordId: panel.value.id, correlationId: actor.correlationId });
  return ok({ panelId: panel.value.id });
}
