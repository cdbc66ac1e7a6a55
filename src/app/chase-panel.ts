import { ok, type Result } from '../domain/result';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { OutboxStore } from '../ports/outbox';
import type { PanelStore } from '../ports/panel-store';
import type { Actor } from './actor';
import { panelToRun, type PanelAccessError } from './panel-access';
import { itemState } from './record-recommendation';

/** `/panel chase`: a 1:1 reminder to each member who has not responded on an open item (once per member per day). */
export async function chasePanel(
  deps: { panels: PanelStore; directory: Directory; outbox: OutboxStore; clock: Clock },
  actor: Actor,
  panelId: string,
): Promise<Result<{ members: number; items: number }, PanelAccessError>> {
  const access = await panelToRun(deps, actor.aadObjectId, panelId);
  if (!access.ok) return access;
  const now = deps.clock.now();
  const day = now.toISOString().slice(0, 10);
  const open = (await deps.panels.agenda(panelId)).filter((i) => i.status === 'open');
  const pending = new Map<string, string[]>();
  for (const item of open) {
    const state = await itemState(deps, item.id);
    for (const member of state?.tally.awaiting ?? []) pending.set(member, [...(pending.get(member) ?? []), item.reference]);
  }
  await deps.outbox.enqueue(
    [...pending.entries()].map(([member, references]) => ({
      key: `chase:${panelId}:${member}:${day}`,
      target: { kind: 'user' as const, aadObjectId: member },
      payload: { template: 'chase-card', data: { panelName: access.value.name, references } },
    })),
    now,
  );
  return ok({ members: pending.size, items: open.length });
}
