import type { Panel } from '../domain/panels';
import { ok, type Result } from '../domain/result';
import type { Directory } from '../ports/directory';
import type { AgendaItem, PanelStore } from '../ports/panel-store';
import type { Actor } from './actor';
import { panelToRun, type PanelAccessError } from './panel-access';

export interface AgendaView {
  readonly panel: Panel;
  readonly meetingDate?: string;
  /** Items for the meeting, in order. */
  readonly items: readonly AgendaItem[];
  /** Items deferred past the meeting date. */
  readonly deferred: readonly AgendaItem[];
}

/** The coordinator's agenda: submitted referrals for the panel's routes (and clusters) join the queue, in order. */
export async function viewAgenda(deps: { panels: PanelStore; directory: Directory }, actor: Actor, panelId: string): Promise<Result<AgendaView, PanelAccessError>> {
  const access = await panelToRun(deps, actor.aadObjectId, panelId);
  if (!access.ok) return access;
  const panel = access.value;
  const waiting = (await deps.panels.unqueued(panel.routes)).filter((r) => {
    if (!panel.clusters) return true;
    const cluster = deps.directory.school(r.schoolId)?.cluster;
    return cluster !== undefined && panel.clusters.includes(cluster);
  });
  if (waiting.length > 0) await deps.panels.enqueue(panel.id, waiting);
  const meetingDate = await deps.panels.meetingDate(panel.id);
  const all = await deps.panels.agenda(panel.id);
  const later = (i: AgendaItem) => i.status === 'queued' && i.deferredUntil !== undefined && (!meetingDate || i.deferredUntil > meetingDate);
  return ok({ panel, ...(meetingDate ? { meetingDate } : {}), items: all.filter((i) => !later(i)), deferred: all.filter(later) });
}
