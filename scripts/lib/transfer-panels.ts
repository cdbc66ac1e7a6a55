/**
 * Transfer of panels, members, agenda items, recommendations, decisions and next steps (see transfer.ts), with the
 * SharePoint lists' keys and encodings of GraphPanelStore (src/adapters/graph/panel-store.ts).
 *
 * Agenda item ids are referenced by recommendations, decisions and next steps, and next step ids by reminder subjects
 * (`step:<id>`). On import each embedded agenda item becomes the SharePoint item with ItemKey `<reference>|<n>` (n = the
 * reference's earlier items, as GraphPanelStore.enqueue numbers them), found again by that key on a re-run, and the
 * references to it are rewritten to its item id; next steps are keyed `<itemId>:<i>` (their order in the decision). On
 * export SQLite rows get the SharePoint item ids as their ids, so every reference stays valid.
 */
import type { Db } from '../../src/adapters/sqlite/database';
import { londonDate } from '../../src/domain/dates';
import type { Recommendation } from '../../src/domain/panels';
import { recFields, recOf, stepKey } from '../../src/adapters/graph/panel-store';
import { str, type Item, type SharePointSite } from '../../src/adapters/graph/site';
import { createMissing, fold } from './transfer-keyed';
import type { Progress } from './transfer-reminders';

const YES = 'yes';
const NO = 'no';

interface AgendaRow {
  id: number; panel_id: string; reference: string; initials: string; route_id: string; position: number; status: string;
  deferred_until: string | null; conversation_id: string | null; activity_id: string | null;
}
interface RecRow { item_id: number; member: string; value: string | null; other_route: string | null; comment: string | null; conflict: number; at: string }

const orUndefined = <T>(v: T | null): T | undefined => v ?? undefined;

// ------------------------------------------------------------------------------------------------ embedded → SharePoint

/** Panels and the rest of the panel records. Answers embedded next step id → SharePoint next step id. */
export async function importPanels(db: Db, site: SharePointSite, p: Progress, now: Date): Promise<Map<string, string>> {
  const panels = db.prepare('SELECT id, body, meeting_date FROM panels ORDER BY id').all() as { id: string; body: string; meeting_date: string | null }[];
  const pr = await createMissing(site, 'panels', 'PanelId', panels.map((r) => ({ key: r.id, fields: { Body: r.body, MeetingDate: orUndefined(r.meeting_date), UpdatedAt: now.toISOString() } })));
  p.written.panels += pr.created;

  // In rowid order, created one after another: a panel lists its members in the order they were added.
  const members = db.prepare('SELECT * FROM panel_members ORDER BY rowid').all() as { panel_id: string; aad_object_id: string; name: string; role: string; agency: string; active: number }[];
  const mr = await createMissing(
    site,
    'panelMembers',
    'MemberKey',
    members.map((m) => ({
      key: `${m.panel_id}|${m.aad_object_id}`,
      fields: { Title: m.name, PanelId: m.panel_id, AadObjectId: m.aad_object_id, MemberName: m.name, Role: m.role, Agency: m.agency, Active: m.active === 1 ? YES : NO },
    })),
    { ordered: true },
  );
  p.written.panelMembers += mr.created;
  p.log(`panels: ${pr.created} written; panel members: ${mr.created} written`);

  // Agenda items, in id order (a referral's later item gets the higher item id, as itemByReference expects).
  const items = db.prepare('SELECT * FROM agenda_items ORDER BY id').all() as AgendaRow[];
  const closedAt = new Map((db.prepare('SELECT item_id, decided_at FROM decisions').all() as { item_id: number; decided_at: string }[]).map((d) => [d.item_id, d.decided_at]));
  const seen = new Map<string, number>();
  const keyOf = new Map<number, string>();
  const rows = items.map((r) => {
    const n = seen.get(r.reference) ?? 0;
    seen.set(r.reference, n + 1);
    const key = `${r.reference}|${n}`;
    keyOf.set(r.id, key);
    return {
      key,
      fields: {
        Title: r.reference, PanelId: r.panel_id, Reference: r.reference, Initials: r.initials, RouteId: r.route_id, Position: r.position, Status: r.status,
        DeferredUntil: orUndefined(r.deferred_until), ConversationId: orUndefined(r.conversation_id), ActivityId: orUndefined(r.activity_id),
        // A closed item's ClosedAt is its decision's instant (GraphPanelStore hides recommendations made after it).
        ClosedAt: r.status === 'closed' ? closedAt.get(r.id) : undefined,
      },
    };
  });
  const ar = await createMissing(site, 'agenda', 'ItemKey', rows, { ordered: true, select: ['PanelId', 'Reference'] });
  p.written.agenda += ar.created;
  const itemIds = new Map<number, number>();
  for (const r of items) {
    const hit = ar.index.get(fold(keyOf.get(r.id)!));
    if (!hit || hit.fields['PanelId'] !== r.panel_id || hit.fields['Reference'] !== r.reference) {
      p.problems.push(`agenda item ${r.id} (${r.reference} on ${r.panel_id}): SharePoint has ${hit ? `another item under ${hit.key}` : 'no item for it'}; it and its recommendations, decision and next steps not imported`);
    } else itemIds.set(r.id, Number(hit.id));
  }

  const recs = db.prepare('SELECT * FROM recommendations ORDER BY item_id, at, member').all() as RecRow[];
  const rr = await createMissing(
    site,
    'recommendations',
    'RecKey',
    recs.flatMap((r) => {
      const itemId = itemIds.get(r.item_id);
      if (itemId === undefined) return [];
      const rec: Recommendation = {
        itemId, member: r.member, value: r.value as Recommendation['value'], conflict: r.conflict === 1, at: r.at,
        ...(r.other_route ? { otherRoute: r.other_route as NonNullable<Recommendation['otherRoute']> } : {}),
        ...(r.comment ? { comment: r.comment } : {}),
      };
      return [{ key: `${itemId}|${r.member}`, fields: recFields(rec) }];
    }),
  );
  p.written.recommendations += rr.created;

  // Decisions are complete here (SQLite decides in one transaction): State 'done', nothing Pending.
  const decisions = db.prepare('SELECT d.item_id, d.reference, d.body, d.decided_at, a.panel_id FROM decisions d JOIN agenda_items a ON a.id = d.item_id ORDER BY d.item_id').all() as {
    item_id: number; reference: string; body: string; decided_at: string; panel_id: string;
  }[];
  const dr = await createMissing(
    site,
    'decisions',
    'DecisionKey',
    decisions.flatMap((d) => {
      const itemId = itemIds.get(d.item_id);
      if (itemId === undefined) return [];
      return [{
        key: String(itemId),
        fields: { Title: d.reference, ItemId: itemId, Reference: d.reference, PanelId: d.panel_id, DecidedDate: londonDate(new Date(d.decided_at)), DecidedAt: d.decided_at, State: 'done', Body: d.body },
      }];
    }),
  );
  p.written.decisions += dr.created;

  const steps = db.prepare('SELECT * FROM next_steps ORDER BY item_id, id').all() as { id: number; reference: string; item_id: number; owner_aad_id: string; text: string; due_date: string; done_at: string | null }[];
  const index = new Map<number, number>();
  const stepKeys = new Map<number, string>();
  const sr = await createMissing(
    site,
    'nextSteps',
    'StepKey',
    steps.flatMap((s) => {
      const i = index.get(s.item_id) ?? 0;
      index.set(s.item_id, i + 1);
      const itemId = itemIds.get(s.item_id);
      if (itemId === undefined) return [];
      const key = stepKey(itemId, i);
      stepKeys.set(s.id, key);
      return [{
        key,
        fields: { Title: s.reference, Reference: s.reference, ItemId: itemId, OwnerAadId: s.owner_aad_id, StepText: s.text, DueDate: s.due_date, State: s.done_at ? 'done' : 'open', DoneAt: orUndefined(s.done_at) },
      }];
    }),
  );
  p.written.nextSteps += sr.created;
  const stepIds = new Map<string, string>();
  for (const [id, key] of stepKeys) {
    const hit = sr.index.get(fold(key));
    if (hit) stepIds.set(String(id), hit.id);
  }
  p.log(`agenda items: ${ar.created}, recommendations: ${rr.created}, decisions: ${dr.created}, next steps: ${sr.created} written`);
  return stepIds;
}

// ------------------------------------------------------------------------------------------------ SharePoint → embedded

const byId = (a: Item, b: Item): number => Number(a.id) - Number(b.id);

/**
 * Panels and the rest, SQLite rows taking the SharePoint item ids as ids. A decision still pending on SharePoint (its
 * next steps or outcome messages not all written yet) is reported, not exported: the bot's reconciler finishes it,
 * then export again. A recommendation made after its item closed (stored, never shown by GraphPanelStore) is left out.
 * Answers SharePoint next step id → embedded next step id.
 */
export async function exportPanels(site: SharePointSite, db: Db, p: Progress): Promise<Map<string, string>> {
  const [panels, members, agenda, recs, decisions, steps] = await Promise.all([
    site.query('panels', ''),
    site.query('panelMembers', ''),
    site.query('agenda', ''),
    site.query('recommendations', ''),
    site.query('decisions', ''),
    site.query('nextSteps', ''),
  ]);
  const stepIds = new Map<string, string>();
  db.transaction(() => {
    const insertPanel = db.prepare('INSERT INTO panels (id, body, meeting_date) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    for (const { fields: f } of panels) p.written.panels += insertPanel.run(String(f['PanelId']), String(f['Body']), str(f['MeetingDate']) ?? null).changes;
    const insertMember = db.prepare('INSERT INTO panel_members (panel_id, aad_object_id, name, role, agency, active) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    for (const { fields: f } of members.sort(byId)) {
      p.written.panelMembers += insertMember.run(String(f['PanelId']), String(f['AadObjectId']), String(f['MemberName']), String(f['Role']), String(f['Agency']), f['Active'] === YES ? 1 : 0).changes;
    }

    const insertItem = db.prepare(
      `INSERT INTO agenda_items (id, panel_id, reference, initials, route_id, position, status, deferred_until, conversation_id, activity_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const localItem = db.prepare('SELECT panel_id, reference FROM agenda_items WHERE id = ?');
    const items = new Map<number, Item>();
    for (const item of agenda.sort(byId)) {
      const f = item.fields;
      const id = Number(item.id);
      const reference = String(f['Reference']);
      p.written.agenda += insertItem.run(id, String(f['PanelId']), reference, String(f['Initials'] ?? ''), String(f['RouteId'] ?? ''), Number(f['Position'] ?? 0), String(f['Status']),
        str(f['DeferredUntil']) ?? null, str(f['ConversationId']) ?? null, str(f['ActivityId']) ?? null).changes;
      const here = localItem.get(id) as { panel_id: string; reference: string } | undefined;
      if (here && here.reference === reference && here.panel_id === f['PanelId']) items.set(id, item);
      else p.problems.push(`agenda item ${id} (${reference}): ${here ? 'the id is taken by another item' : 'another open item of the referral is'} in the embedded store; it and its recommendations, decision and next steps not exported`);
    }

    const insertRec = db.prepare('INSERT INTO recommendations (item_id, member, value, other_route, comment, conflict, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    for (const i of recs) {
      const r = recOf(i);
      const item = items.get(r.itemId);
      if (!item) continue; // reported with its item
      const closedAt = item.fields['Status'] === 'closed' ? str(item.fields['ClosedAt']) : undefined;
      if (closedAt && r.at > closedAt) continue;
      p.written.recommendations += insertRec.run(r.itemId, r.member, r.value, r.otherRoute ?? null, r.comment ?? null, r.conflict ? 1 : 0, r.at).changes;
    }

    const insertDecision = db.prepare('INSERT INTO decisions (item_id, reference, body, decided_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
    for (const { fields: f } of decisions) {
      const itemId = Number(f['ItemId']);
      if (!items.has(itemId)) continue;
      if (f['State'] !== 'done') {
        p.problems.push(`decision on agenda item ${itemId} (${String(f['Reference'])}): still being written on SharePoint (State ${String(f['State'])}); the bot finishes it, then export again`);
        continue;
      }
      p.written.decisions += insertDecision.run(itemId, String(f['Reference']), String(f['Body']), String(f['DecidedAt'])).changes;
    }

    const insertStep = db.prepare('INSERT INTO next_steps (id, reference, item_id, owner_aad_id, text, due_date, done_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    const localStep = db.prepare('SELECT item_id, text FROM next_steps WHERE id = ?');
    const now = new Date().toISOString();
    for (const s of steps.sort(byId)) {
      const f = s.fields;
      const itemId = Number(f['ItemId']);
      if (!items.has(itemId)) continue;
      const text = String(f['StepText'] ?? '');
      const doneAt = f['State'] === 'done' ? (str(f['DoneAt']) ?? now) : null;
      p.written.nextSteps += insertStep.run(Number(s.id), String(f['Reference']), itemId, String(f['OwnerAadId']), text, String(f['DueDate']), doneAt).changes;
      const here = localStep.get(Number(s.id)) as { item_id: number; text: string } | undefined;
      if (here && here.item_id === itemId && here.text === text) stepIds.set(s.id, s.id);
      else p.problems.push(`next step ${s.id} (${String(f['Reference'])}): the id is taken by another next step in the embedded store; not exported`);
    }
  })();
  p.log(`panels: ${p.written.panels}, members: ${p.written.panelMembers}, agenda items: ${p.written.agenda}, recommendations: ${p.written.recommendations}, decisions: ${p.written.decisions}, next steps: ${p.written.nextSteps} written`);
  return stepIds;
}
