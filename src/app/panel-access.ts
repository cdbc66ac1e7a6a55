import { mayDecide, memberOf, type Panel } from '../domain/panels';
import { err, ok, type Result } from '../domain/result';
import type { Directory } from '../ports/directory';
import type { PanelStore } from '../ports/panel-store';

export type PanelAccessError = { readonly code: 'PANEL.NOT_FOUND'; readonly panelId: string } | { readonly code: 'PANEL.NOT_ALLOWED' };

/** The panel, if the user may run it: its chair or coordinator, or a service admin. */
export async function panelToRun(deps: { panels: PanelStore; directory: Directory }, aadObjectId: string, panelId: string): Promise<Result<Panel, PanelAccessError>> {
  const panel = await deps.panels.panel(panelId);
  if (!panel) return err({ code: 'PANEL.NOT_FOUND', panelId });
  if (!mayDecide(panel, aadObjectId) && !deps.directory.isAdmin(aadObjectId)) return err({ code: 'PANEL.NOT_ALLOWED' });
  return ok(panel);
}

/** Panels a user belongs to, for commands given without a panel id in a personal chat. */
export async function panelsOf(deps: { panels: PanelStore }, aadObjectId: string): Promise<Panel[]> {
  return (await deps.panels.panels()).filter((p) => memberOf(p, aadObjectId));
}
