import { errorOf, GraphRequestError } from './graph-http';
import { ALL_LISTS, columnDefinition, LISTS, type ListKey, type ListSpec } from './schema';
import { sitePath, type SharePointSite } from './site';

/** SharePoint role definition ids (the same on every site). */
export const ROLE_FULL_CONTROL = 1073741829;

export interface ProvisionOptions {
  readonly dryRun?: boolean;
  /** SharePoint principal id of the service's admin group on the site (given full control on each list). */
  readonly adminPrincipalId?: number;
  /** Token for SharePoint REST (audience https://{host}); undefined when the credential cannot have one. */
  readonly sharePointToken?: () => Promise<string>;
}

export type Step =
  | { kind: 'list'; list: string; action: 'create' | 'exists' }
  | { kind: 'column'; list: string; column: string; action: 'create' | 'index' | 'unique' | 'ok' | 'conflict'; detail?: string }
  | { kind: 'permissions'; list: string; action: 'break-inheritance' | 'unique' | 'inherits' | 'unknown'; detail?: string };

export interface ProvisionReport {
  readonly site: string;
  readonly steps: Step[];
  /** What an administrator must still do by hand (when the credential cannot change permissions). */
  readonly manual: string[];
  /** Everything declared exists, is indexed, and has unique permissions. */
  readonly complete: boolean;
}

export class GrantMissingError extends Error {
  override readonly name = 'GrantMissingError';
}

interface ListJson { id: string; displayName: string; webUrl?: string }
interface ColumnJson { name: string; indexed?: boolean; enforceUniqueValues?: boolean }

/** Where a site's SharePoint REST API lives (the simulator says so itself; real Graph: the site's webUrl). */
const restBases = new WeakMap<SharePointSite, string>();
async function restBase(site: SharePointSite): Promise<string> {
  const known = restBases.get(site);
  if (known) return known;
  const s = await site.http.call<{ webUrl: string; '@simulator.sharePointRestUrl'?: string }>('GET', `/sites/${await site.id()}`);
  const base = (s['@simulator.sharePointRestUrl'] ?? s.webUrl).replace(/\/+$/, '');
  restBases.set(site, base);
  return base;
}

/** Whether a list has its own permissions, via SharePoint REST (Graph v1.0 cannot tell). */
export async function listPermissions(site: SharePointSite, listId: string, token: (() => Promise<string>) | undefined): Promise<{ state: 'unique' | 'inherits' | 'unknown'; detail?: string }> {
  if (!token) return { state: 'unknown', detail: 'credential cannot call SharePoint REST' };
  const base = await restBase(site);
  const r = await fetch(`${base}/_api/web/lists(guid'${listId}')?$select=HasUniqueRoleAssignments`, {
    headers: { Authorization: `Bearer ${await token()}`, Accept: 'application/json;odata=nometadata' },
  }).catch(() => undefined);
  if (!r || r.status !== 200) return { state: 'unknown', detail: `SharePoint REST ${r?.status ?? 'unreachable'}` };
  const j = (await r.json()) as { HasUniqueRoleAssignments?: boolean };
  return { state: j.HasUniqueRoleAssignments ? 'unique' : 'inherits' };
}

async function spPost(base: string, path: string, token: string): Promise<number> {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, Accept: 'application/json;odata=nometadata' } });
  await r.arrayBuffer();
  return r.status;
}

export function manualSteps(siteWebUrl: string, list: string): string {
  return (
    `"${list}": open ${siteWebUrl}/_layouts/15/viewlsts.aspx, open the list's Settings → Permissions for this list → ` +
    `Stop Inheriting Permissions; remove every group except the service's admin group (Full Control). ` +
    `Or with PnP PowerShell: Set-PnPList -Identity "${list}" -BreakRoleInheritance; ` +
    `then Set-PnPListPermission -Identity "${list}" -Group "<admin group>" -AddRole "Full Control".`
  );
}

/**
 * Create what is missing — lists, typed columns, indexes, the document library, unique permissions — and leave
 * everything else as it is. Running it twice changes nothing the second time.
 */
export async function provision(site: SharePointSite, options: ProvisionOptions = {}): Promise<ProvisionReport> {
  const steps: Step[] = [];
  const manual: string[] = [];
  let siteJson: { id: string; webUrl: string };
  const r = await site.http.send<{ id: string; webUrl: string }>('GET', `/sites/${sitePath(site.site)}`);
  if (r.status === 403 || r.status === 401) {
    throw new GrantMissingError(
      `The identity has no access to ${site.site} (${r.status}). Grant it Sites.Selected and then "write" on this site (docs/deploy.md, step 9), or "fullcontrol" to let provisioning set list permissions.`,
    );
  }
  if (r.status !== 200) throw errorOf(r.status, r.body);
  siteJson = r.body;
  const base = `/sites/${siteJson.id}`;
  const existing = await site.http.all<ListJson>(`${base}/lists?$select=id,displayName`);
  const byName = new Map(existing.map((l) => [l.displayName.toLowerCase(), l]));

  for (const spec of ALL_LISTS) {
    let list = byName.get(spec.displayName.toLowerCase());
    if (!list) {
      steps.push({ kind: 'list', list: spec.displayName, action: 'create' });
      if (options.dryRun) {
        for (const c of spec.columns) steps.push({ kind: 'column', list: spec.displayName, column: c.name, action: 'create' });
        steps.push({ kind: 'permissions', list: spec.displayName, action: 'break-inheritance' });
        continue;
      }
      const created = await site.http.send<ListJson>('POST', `${base}/lists`, {
        displayName: spec.displayName,
        description: spec.description,
        columns: spec.template === 'genericList' ? spec.columns.map(columnDefinition) : [],
        list: { template: spec.template },
      });
      if (created.status === 403) throw new GrantMissingError(`The identity may read ${site.site} but not create lists: it needs "write" (or "fullcontrol") on the site.`);
      if (created.status === 409) {
        list = (await site.http.all<ListJson>(`${base}/lists?$select=id,displayName`)).find((l) => l.displayName.toLowerCase() === spec.displayName.toLowerCase());
      } else if (created.status !== 201) throw errorOf(created.status, created.body);
      else list = created.body;
      if (!list) throw new GraphRequestError(409, 'nameAlreadyExists', false);
      if (spec.template === 'genericList') for (const c of spec.columns) steps.push({ kind: 'column', list: spec.displayName, column: c.name, action: 'create' });
    } else steps.push({ kind: 'list', list: spec.displayName, action: 'exists' });
    await ensureColumns(site, base, list.id, spec, steps, options.dryRun === true);
    await ensurePermissions(site, list.id, spec, steps, manual, siteJson.webUrl, options);
  }
  site.forgetLists();
  const complete = steps.every((s) => (s.kind === 'permissions' ? s.action === 'unique' || s.action === 'break-inheritance' : s.action !== 'conflict')) && !options.dryRun;
  return { site: site.site, steps, manual, complete: complete && manual.length === 0 };
}

async function ensureColumns(site: SharePointSite, base: string, listId: string, spec: ListSpec, steps: Step[], dryRun: boolean): Promise<void> {
  const cols = await site.http.all<ColumnJson>(`${base}/lists/${listId}/columns?$select=name,indexed,enforceUniqueValues`);
  const have = new Map(cols.map((c) => [c.name.toLowerCase(), c]));
  for (const c of spec.columns) {
    const found = have.get(c.name.toLowerCase());
    const wantIndex = c.indexed === true || c.unique === true;
    if (!found) {
      if (steps.some((s) => s.kind === 'column' && s.list === spec.displayName && s.column === c.name)) continue; // just created with the list
      steps.push({ kind: 'column', list: spec.displayName, column: c.name, action: 'create' });
      if (!dryRun) await site.http.call('POST', `${base}/lists/${listId}/columns`, columnDefinition(c));
      continue;
    }
    if (wantIndex && !found.indexed) {
      steps.push({ kind: 'column', list: spec.displayName, column: c.name, action: 'index' });
      if (!dryRun) await site.http.call('PATCH', `${base}/lists/${listId}/columns/${c.name}`, { indexed: true });
    }
    if (c.unique && !found.enforceUniqueValues) {
      steps.push({ kind: 'column', list: spec.displayName, column: c.name, action: 'unique' });
      if (!dryRun) {
        const u = await site.http.send('PATCH', `${base}/lists/${listId}/columns/${c.name}`, { indexed: true, enforceUniqueValues: true });
        if (u.status !== 200) steps.push({ kind: 'column', list: spec.displayName, column: c.name, action: 'conflict', detail: `cannot enforce unique values (${u.status}): remove duplicates first` });
      }
    }
  }
}

async function ensurePermissions(site: SharePointSite, listId: string, spec: ListSpec, steps: Step[], manual: string[], webUrl: string, options: ProvisionOptions): Promise<void> {
  const state = await listPermissions(site, listId, options.sharePointToken);
  if (state.state === 'unique') {
    steps.push({ kind: 'permissions', list: spec.displayName, action: 'unique' });
    return;
  }
  if (state.state === 'unknown' || options.dryRun || options.adminPrincipalId === undefined) {
    steps.push({ kind: 'permissions', list: spec.displayName, action: state.state, ...(state.detail ? { detail: state.detail } : {}) });
    if (!options.dryRun) manual.push(manualSteps(webUrl, spec.displayName));
    return;
  }
  const token = await options.sharePointToken!();
  const rest = `${await restBase(site)}/_api/web/lists(guid'${listId}')`;
  const broke = await spPost(rest, '/breakroleinheritance(copyRoleAssignments=false,clearSubscopes=true)', token);
  const added = broke === 200 ? await spPost(rest, `/roleassignments/addroleassignment(principalid=${options.adminPrincipalId},roledefid=${ROLE_FULL_CONTROL})`, token) : broke;
  if (broke === 200 && added === 200) steps.push({ kind: 'permissions', list: spec.displayName, action: 'break-inheritance' });
  else {
    steps.push({ kind: 'permissions', list: spec.displayName, action: 'inherits', detail: `SharePoint REST answered ${added}` });
    manual.push(manualSteps(webUrl, spec.displayName));
  }
}

/** Start-up check: which lists exist, and which personal-data lists still inherit the site's permissions. */
export async function checkAtStart(site: SharePointSite, sharePointToken: (() => Promise<string>) | undefined): Promise<{ missing: string[]; inheriting: string[]; unknown: string[] }> {
  const missing: string[] = [];
  const inheriting: string[] = [];
  const unknown: string[] = [];
  for (const key of Object.keys(LISTS) as ListKey[]) {
    const spec = LISTS[key];
    let id: string;
    try {
      id = await site.listId(key);
    } catch {
      missing.push(spec.displayName);
      continue;
    }
    if (!spec.personal) continue;
    const p = await listPermissions(site, id, sharePointToken);
    if (p.state === 'inherits') inheriting.push(spec.displayName);
    if (p.state === 'unknown') unknown.push(spec.displayName);
  }
  site.inheriting.clear();
  for (const l of inheriting) site.inheriting.add(l);
  return { missing, inheriting, unknown };
}

export function formatReport(r: ProvisionReport, dryRun: boolean): string {
  const lines: string[] = [`Site ${r.site}${dryRun ? ' (dry run: nothing changed)' : ''}`];
  const verb = dryRun ? 'would ' : '';
  for (const s of r.steps) {
    if (s.kind === 'list') lines.push(s.action === 'create' ? `  ${verb}create list "${s.list}"` : `  list "${s.list}" exists`);
    else if (s.kind === 'column' && s.action !== 'ok') lines.push(`    ${verb}${s.action === 'create' ? 'create column' : s.action === 'index' ? 'index column' : s.action === 'unique' ? 'enforce unique values on' : 'CONFLICT on'} ${s.column}${s.detail ? ` — ${s.detail}` : ''}`);
    else if (s.kind === 'permissions') lines.push(`    permissions: ${s.action === 'break-inheritance' ? `${verb}break inheritance, admin group only` : s.action}${s.detail ? ` (${s.detail})` : ''}`);
  }
  const changes = r.steps.filter((s) => s.action === 'create' || s.action === 'index' || (s.kind === 'column' && s.action === 'unique') || s.action === 'break-inheritance').length;
  lines.push(`${changes} change(s)${dryRun ? ' needed' : ' made'}.`);
  if (r.manual.length > 0) {
    lines.push('', 'An administrator must still give these lists their own permissions (the credential cannot):');
    for (const m of r.manual) lines.push(`  - ${m}`);
  }
  return lines.join('\n');
}
