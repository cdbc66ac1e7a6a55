import { AGENCIES, MEMBER_ROLES, type PanelMember } from '../domain/panels';
import { err, ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { PanelStore } from '../ports/panel-store';
import type { Actor } from './actor';
import { panelToRun, type PanelAccessError } from './panel-access';

export type MembersError = PanelAccessError | { readonly code: 'MEMBERS.USAGE' } | { readonly code: 'MEMBERS.NOT_FOUND' } | { readonly code: 'MEMBERS.LAST_CHAIR' };

/**
 * `/panel members <id> add <aad-id> <role> <agency> <name…>` and `/panel members <id> remove <aad-id>`: changes live in
 * the store, so they survive restarts and every instance sees them.
 */
export async function manageMembers(
  deps: { panels: PanelStore; directory: Directory; audit: AuditLog; clock: Clock },
  actor: Actor,
  panelId: string,
  args: readonly string[],
): Promise<Result<readonly PanelMember[], MembersError>> {
  const access = await panelToRun(deps, actor.aadObjectId, panelId);
  if (!access.ok) return access;
  const [verb, id, ...rest] = args;
  const audit = (action: string) => ({ at: deps.clock.now().toISOString(), actor: actor.aadObjectId, action, recordType: 'panel', recordId: panelId, correlationId: actor.correlationId, detail: { member: id ?? '' } });
  if (verb === 'add') {
    const [role, agency, ...name] = rest;
    if (!id || !/^[A-Za-z0-9-]{1,64}$/.test(id) || !MEMBER_ROLES.includes(role as never) || !AGENCIES.includes(agency as never) || name.length === 0) return err({ code: 'MEMBERS.USAGE' });
    await deps.panels.addMember(panelId, { aadObjectId: id, role: role as PanelMember['role'], agency: agency as PanelMember['agency'], name: name.join(' ').slice(0, 120) }, audit('panel.member.add'));
  } else if (verb === 'remove') {
    if (!id) return err({ code: 'MEMBERS.USAGE' });
    const chairs = access.value.members.filter((m) => m.role === 'chair');
    if (chairs.length === 1 && chairs[0]!.aadObjectId === id) return err({ code: 'MEMBERS.LAST_CHAIR' });
    if (!(await deps.panels.removeMember(panelId, id, audit('panel.member.remove')))) return err({ code: 'MEMBERS.NOT_FOUND' });
  } else if (verb !== undefined) {
    return err({ code: 'MEMBERS.USAGE' });
  }
  return ok((await deps.panels.panel(panelId))!.members);
}
