import { londonDate } from '../../domain/dates';
import type { Decision, NextStep, Panel, PanelMember, Recommendation } from '../../domain/panels';
import type { Referral } from '../../domain/referral';
import type { AuditEntry } from '../../ports/audit';
import type { NewOutboxMessage } from '../../ports/outbox';
import type { AgendaItem, DecideResult, PanelStore, RecordResult } from '../../ports/panel-store';
import { auditFields } from './audit-log';
import { expectOk, GraphRequestError, type BatchRequest, type BatchResponse } from './graph-http';
import { outboxFields } from './outbox-store';
import { referralOf, setReferralStatus } from './referral-store';
import { lit, str, toItem, type Fields, type Item, type RawItem, type SharePointSite } from './site';

const YES = 'yes';
const NO = 'no';
/** Agenda statuses other than closed, as an indexed filter (`eq` on an index, never `ne`). */
const NOT_CLOSED = "(fields/Status eq 'queued' or fields/Status eq 'open')";
/** References per query when looking items up by reference (keeps the URL short). */
const REFS_PER_QUERY = 15;

/** What a Decision item carries until every write after it is done ("Pending"), so a retry or the reconciler finishes it. */
interface DecisionPending {
  readonly itemId: number;
  readonly reference: string;
  readonly at: string;
  readonly steps: readonly NextStep[];
  readonly audit: AuditEntry;
  readonly outbox: readonly NewOutboxMessage[];
  readonly referralStatus: Referral['status'];
}

export const decideAuditKey = (itemId: number): string => `decide:${itemId}`;
export const stepKey = (itemId: number, i: number): string => `${itemId}:${i}`;

function agendaItemOf(i: Item): AgendaItem {
  const f = i.fields;
  const deferredUntil = str(f['DeferredUntil']);
  const conversationId = str(f['ConversationId']);
  const activityId = str(f['ActivityId']);
  return {
    id: Number(i.id),
    panelId: String(f['PanelId']),
    reference: String(f['Reference']),
    initials: String(f['Initials'] ?? ''),
    routeId: String(f['RouteId'] ?? ''),
    position: Number(f['Position'] ?? 0),
    status: String(f['Status']) as AgendaItem['status'],
    ...(deferredUntil ? { deferredUntil } : {}),
    ...(conversationId ? { conversationId } : {}),
    ...(activityId ? { activityId } : {}),
  };
}

/** A recommendation item's columns (without its RecKey). */
export function recFields(r: Recommendation): Fields {
  return {
    ItemId: r.itemId,
    Member: r.member,
    Value: r.value ?? null,
    OtherRoute: r.otherRoute ?? null,
    Comment: r.comment ?? null,
    Conflict: r.conflict ? YES : NO,
    At: r.at,
  };
}

export function recOf(i: Item): Recommendation {
  const f = i.fields;
  const value = str(f['Value']);
  const otherRoute = str(f['OtherRoute']);
  const comment = str(f['Comment']);
  return {
    itemId: Number(f['ItemId']),
    member: String(f['Member']),
    value: (value ?? null) as Recommendation['value'],
    conflict: f['Conflict'] === YES,
    at: String(f['At']),
    ...(otherRoute ? { otherRoute: otherRoute as NonNullable<Recommendation['otherRoute']> } : {}),
    ...(comment ? { comment } : {}),
  };
}

const byAtThenMember = (a: Recommendation, b: Recommendation): number => a.at.localeCompare(b.at) || a.member.localeCompare(b.member);
const byPositionThenId = (a: AgendaItem, b: AgendaItem): number => a.position - b.position || a.id - b.id;

/** Recommendations that count for an item: on a closed item, none recorded after it closed (see GraphPanelStore). */
function visible(recs: readonly Recommendation[], item: Item | undefined): Recommendation[] {
  const closedAt = item && item.fields['Status'] === 'closed' ? str(item.fields['ClosedAt']) : undefined;
  return closedAt ? recs.filter((r) => r.at <= closedAt) : [...recs];
}

function pendingOfDecision(i: Item): DecisionPending | undefined {
  const raw = str(i.fields['Pending']);
  return raw ? (JSON.parse(raw) as DecisionPending) : undefined;
}

/**
 * Finish a decision whose item is written (the commit point): next steps, outcome messages and the audit entry in
 * one $batch (keyed: a replay answers 409), then the agenda item closed (If-Match), the referral's status, and last
 * the decision marked done with its Pending cleared. Every step is idempotent, so the deciding instance, a user's
 * retry and the reconciler may all run it, even at once. Returns the agenda item as closed (when it was reached).
 */
export async function finishDecision(site: SharePointSite, decision: Item, known: { agenda?: Item } = {}): Promise<Item | undefined> {
  if (decision.fields['State'] === 'done') return undefined;
  const p = pendingOfDecision(decision);
  let agenda: Item | undefined;
  if (p) {
    for (const key of ['nextSteps', 'outbox', 'audit'] as const) site.guard(key);
    const [stepsPath, outboxPath, auditPath] = await Promise.all([site.listPath('nextSteps'), site.listPath('outbox'), site.listPath('audit')]);
    const at = new Date(p.at);
    const requests: BatchRequest[] = [
      ...p.steps.map((s, i): BatchRequest => ({
        id: `s${i}`,
        method: 'POST',
        url: `${stepsPath}/items`,
        body: { fields: { Title: p.reference, StepKey: stepKey(p.itemId, i), Reference: p.reference, ItemId: p.itemId, OwnerAadId: s.owner, StepText: s.text, DueDate: s.due, State: 'open' } },
      })),
      ...p.outbox.map((m, i): BatchRequest => ({ id: `o${i}`, method: 'POST', url: `${outboxPath}/items`, body: { fields: outboxFields(m, at) } })),
      { id: 'audit', method: 'POST', url: `${auditPath}/items`, body: { fields: auditFields(p.audit, decideAuditKey(p.itemId)) } },
    ];
    const answers = await site.http.batch(requests);
    for (const r of requests) expectOk(answers.get(r.id), [409]);
    agenda = await site.update('agenda', String(p.itemId), (f) => (f['Status'] === 'closed' ? undefined : { Status: 'closed', ClosedAt: p.at }), known.agenda);
    await setReferralStatus(site, p.reference, p.referralStatus, p.at);
  }
  await site.update('decisions', decision.id, (f) => (f['State'] === 'done' ? undefined : { State: 'done', Pending: null }), decision);
  return agenda;
}

interface PanelData {
  readonly panels: Item[];
  readonly members: Item[];
}

/**
 * Panels, agendas, recommendations and decisions on SharePoint lists (schema.ts: panels, panelMembers, agenda,
 * recommendations, decisions, nextSteps). No transactions and a non-atomic $batch, so every write is keyed by a
 * unique column (a replay or a concurrent twin answers 409) or conditional (If-Match, a 412 re-reads and re-applies).
 *
 * - An agenda item's id is its list item id; `ItemKey` = `<reference>|<n>` (n = the reference's items so far), so a
 *   referral queued again after a deferral gets a new item and two instances enqueueing at once collide on the key.
 * - A recommendation is one item per agenda item and member (`RecKey`): recording it is one $batch of two POSTs (the
 *   recommendation, then the audit entry depending on it). A 409 means the member changed their mind: the item is
 *   found and PATCHed (If-Match), and the audit entry is still written once (it is sent again alone when its
 *   dependency answered 409, or written here).
 * - The "item closed?" check before a recommendation uses this instance's cache of agenda items (what item(),
 *   agenda() and fresh recommendation reads saw, and this instance's own writes; re-read after `cacheMs`). So for up
 *   to `cacheMs` after another instance decided, this one may still store a late recommendation. decide() therefore
 *   stamps the agenda item with `ClosedAt` (the decision's instant), and recommendations() of a closed item leaves out
 *   any recommendation made after it: a late one is stored but never shown, counted or minuted.
 * - A decision's item (`DecisionKey` = item id) is the commit point: written first with State 'pending' and, in
 *   Pending, everything still to write; then finishDecision() writes the rest and marks it done. A decide that
 *   finds the decision already there (409) finishes it and answers 'already-closed' (unless the decision is this
 *   call's own, whose answer was lost). The reconciler finishes decisions left pending (reconciler.ts).
 * - Panels and members are cached for `cacheMs` (they are read on every recommendation); this instance's own writes
 *   drop the cache, other instances' changes show within `cacheMs`.
 */
export class GraphPanelStore implements PanelStore {
  private readonly now: () => Date;
  private readonly cacheMs: number;
  private panelCache: { at: number; data: Promise<PanelData> } | undefined;
  private readonly items = new Map<number, { at: number; item: Item }>();
  /** Per agenda item: the last fresh read of its recommendations plus this instance's writes since. */
  private readonly recs = new Map<number, Recommendation[]>();

  constructor(private readonly site: SharePointSite, options: { now?: () => Date; cacheMs?: number } = {}) {
    this.now = options.now ?? (() => new Date());
    this.cacheMs = options.cacheMs ?? 30_000;
  }

  // ---------------------------------------------------------------------------------------------- caches

  private clock(): number {
    return this.now().getTime();
  }

  private remember(item: Item | undefined): Item | undefined {
    if (!item) return item;
    this.items.delete(Number(item.id));
    this.items.set(Number(item.id), { at: this.clock(), item });
    if (this.items.size > 2000) this.items.delete(this.items.keys().next().value!); // the least recently seen
    return item;
  }

  /** The agenda item as this instance last saw it, read again when older than cacheMs. */
  private async cachedItem(itemId: number): Promise<Item | undefined> {
    const known = this.items.get(itemId);
    if (known && this.clock() - known.at < this.cacheMs) return known.item;
    const item = await this.site.get('agenda', String(itemId));
    if (!item) this.items.delete(itemId);
    return this.remember(item);
  }

  private panelData(): Promise<PanelData> {
    const c = this.panelCache;
    if (c && this.clock() - c.at < this.cacheMs) return c.data;
    const data = (async () => {
      const [panels, members] = await Promise.all([this.site.query('panels', ''), this.site.query('panelMembers', '')]);
      members.sort((a, b) => Number(a.id) - Number(b.id));
      return { panels, members };
    })();
    const entry = { at: this.clock(), data };
    this.panelCache = entry;
    data.catch(() => {
      if (this.panelCache === entry) this.panelCache = undefined;
    });
    return data;
  }

  private forgetPanels(): void {
    this.panelCache = undefined;
  }

  private panelOf(p: Item, members: readonly Item[]): Panel {
    const id = String(p.fields['PanelId']);
    const body = JSON.parse(String(p.fields['Body'])) as Omit<Panel, 'members'>;
    const list: PanelMember[] = members
      .filter((m) => m.fields['PanelId'] === id && m.fields['Active'] === YES)
      .map((m) => ({ aadObjectId: String(m.fields['AadObjectId']), name: String(m.fields['MemberName']), role: m.fields['Role'] as PanelMember['role'], agency: m.fields['Agency'] as PanelMember['agency'] }));
    return { ...body, id, members: list };
  }

  private async writeAudit(entry: AuditEntry, key: string): Promise<void> {
    await this.site.createKeyed('audit', 'EntryKey', auditFields(entry, key));
  }

  // ---------------------------------------------------------------------------------------------- panels and members

  async seed(panels: readonly Panel[]): Promise<{ panels: string[]; members: number }> {
    this.forgetPanels();
    const data = await this.panelData();
    const havePanels = new Set(data.panels.map((p) => String(p.fields['PanelId'])));
    const haveMembers = new Set(data.members.map((m) => String(m.fields['MemberKey'])));
    const requests: BatchRequest[] = [];
    const panelIds = new Map<string, string>();
    const memberIds = new Set<string>();
    const [panelsPath, membersPath] = await Promise.all([this.site.listPath('panels'), this.site.listPath('panelMembers')]);
    const add = (r: Omit<BatchRequest, 'dependsOn'>) => {
      // A chain, so members get item ids in the file's order (their order on the panel) wherever Graph runs the batch.
      const last = requests[requests.length - 1];
      requests.push({ ...r, ...(last ? { dependsOn: [last.id] } : {}) });
    };
    for (const p of panels) {
      const { members, ...body } = p;
      if (!havePanels.has(p.id)) {
        const id = `p${requests.length}`;
        panelIds.set(id, p.id);
        add({ id, method: 'POST', url: `${panelsPath}/items`, body: { fields: { Title: p.id, PanelId: p.id, Body: JSON.stringify(body), UpdatedAt: this.now().toISOString() } } });
      }
      for (const m of members) {
        const key = `${p.id}|${m.aadObjectId}`;
        if (haveMembers.has(key)) continue;
        haveMembers.add(key);
        const id = `m${requests.length}`;
        memberIds.add(id);
        add({ id, method: 'POST', url: `${membersPath}/items`, body: { fields: { Title: m.name, MemberKey: key, PanelId: p.id, AadObjectId: m.aadObjectId, MemberName: m.name, Role: m.role, Agency: m.agency, Active: YES } } });
      }
    }
    if (requests.length === 0) return { panels: [], members: 0 };
    try {
      const answers = await this.site.http.batch(requests);
      for (const r of requests) expectOk(answers.get(r.id), [409]);
      return {
        panels: [...panelIds].filter(([id]) => answers.get(id)!.status !== 409).map(([, panelId]) => panelId),
        members: [...memberIds].filter((id) => answers.get(id)!.status !== 409).length,
      };
    } finally {
      this.forgetPanels();
    }
  }

  async panels(): Promise<Panel[]> {
    const data = await this.panelData();
    return data.panels.map((p) => this.panelOf(p, data.members)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async panel(id: string): Promise<Panel | undefined> {
    const data = await this.panelData();
    const p = data.panels.find((x) => x.fields['PanelId'] === id);
    return p ? this.panelOf(p, data.members) : undefined;
  }

  async addMember(panelId: string, m: PanelMember, audit: AuditEntry): Promise<void> {
    const key = `${panelId}|${m.aadObjectId}`;
    const fields = { MemberName: m.name, Role: m.role, Agency: m.agency, Active: YES };
    try {
      const { item, created } = await this.site.createKeyed('panelMembers', 'MemberKey', { Title: m.name, MemberKey: key, PanelId: panelId, AadObjectId: m.aadObjectId, ...fields });
      if (!created) {
        await this.site.update('panelMembers', item.id, (f) => (Object.entries(fields).every(([k, v]) => f[k] === v) ? undefined : fields), item);
      }
      await this.writeAudit(audit, `member-add:${panelId}:${m.aadObjectId}:${audit.at}`);
    } finally {
      this.forgetPanels();
    }
  }

  async removeMember(panelId: string, aadObjectId: string, audit: AuditEntry): Promise<boolean> {
    try {
      const item = await this.site.one('panelMembers', 'MemberKey', `${panelId}|${aadObjectId}`);
      if (!item || item.fields['Active'] !== YES) return false;
      let removed = false;
      await this.site.update(
        'panelMembers',
        item.id,
        (f) => {
          removed = f['Active'] === YES;
          return removed ? { Active: NO } : undefined;
        },
        item,
      );
      if (removed) await this.writeAudit(audit, `member-remove:${panelId}:${aadObjectId}:${audit.at}`);
      return removed;
    } finally {
      this.forgetPanels();
    }
  }

  async meetingDate(panelId: string): Promise<string | undefined> {
    const p = (await this.panelData()).panels.find((x) => x.fields['PanelId'] === panelId);
    return p ? str(p.fields['MeetingDate']) : undefined;
  }

  async setMeetingDate(panelId: string, date: string, audit: AuditEntry): Promise<void> {
    try {
      const p = await this.site.one('panels', 'PanelId', panelId);
      if (p) await this.site.update('panels', p.id, (f) => (f['MeetingDate'] === date ? undefined : { MeetingDate: date, UpdatedAt: audit.at }), p);
      await this.writeAudit(audit, `meeting-date:${panelId}:${audit.at}`);
    } finally {
      this.forgetPanels();
    }
  }

  // ---------------------------------------------------------------------------------------------- agenda

  /** Agenda items of these references, on any panel (indexed Reference, a few references per query). */
  private async itemsOf(references: readonly string[]): Promise<Item[]> {
    const chunks: string[][] = [];
    for (let i = 0; i < references.length; i += REFS_PER_QUERY) chunks.push(references.slice(i, i + REFS_PER_QUERY));
    const pages = await Promise.all(
      chunks.map((c) => this.site.query('agenda', c.map((r) => `fields/Reference eq ${lit(r)}`).join(' or '), { select: ['Reference', 'Status', 'ItemKey'] })),
    );
    return pages.flat();
  }

  async unqueued(routes: readonly string[]): Promise<Referral[]> {
    if (routes.length === 0) return [];
    const [submitted, onAgenda] = await Promise.all([
      this.site.query('referrals', `fields/Status eq 'submitted' and (${routes.map((r) => `fields/RouteId eq ${lit(r)}`).join(' or ')})`),
      this.site.query('agenda', NOT_CLOSED, { select: ['Reference', 'Status'] }),
    ]);
    const queued = new Set(onAgenda.map((i) => String(i.fields['Reference'])));
    return submitted
      .map(referralOf)
      .filter((r) => !queued.has(r.reference))
      .sort((a, b) => a.submittedAt.localeCompare(b.submittedAt) || a.reference.localeCompare(b.reference));
  }

  async enqueue(panelId: string, referrals: readonly Pick<Referral, 'reference' | 'learner' | 'routeId'>[]): Promise<void> {
    if (referrals.length === 0) return;
    const unique = [...new Map(referrals.map((r) => [r.reference, r])).values()];
    const [panelItems, existing] = await Promise.all([
      this.site.query('agenda', `fields/PanelId eq ${lit(panelId)}`, { select: ['Position'] }),
      this.itemsOf(unique.map((r) => r.reference)),
    ]);
    let position = Math.max(0, ...panelItems.map((i) => Number(i.fields['Position'] ?? 0)));
    const path = await this.site.listPath('agenda');
    this.site.guard('agenda');
    const requests: BatchRequest[] = [];
    for (const r of unique) {
      const mine = existing.filter((i) => i.fields['Reference'] === r.reference);
      if (mine.some((i) => i.fields['Status'] !== 'closed')) continue; // on an agenda already: once each
      requests.push({
        id: String(requests.length),
        method: 'POST',
        url: `${path}/items`,
        body: { fields: { Title: r.reference, ItemKey: `${r.reference}|${mine.length}`, PanelId: panelId, Reference: r.reference, Initials: r.learner.initials, RouteId: r.routeId, Position: ++position, Status: 'queued' } },
      });
    }
    if (requests.length === 0) return;
    const answers = await this.site.http.batch(requests);
    for (const r of requests) {
      const a = expectOk(answers.get(r.id), [409]); // 409: another instance queued it at the same moment
      if (a.status !== 409) this.remember(toItem(a.body as RawItem));
    }
  }

  async agenda(panelId: string): Promise<AgendaItem[]> {
    const items = await this.site.query('agenda', `fields/PanelId eq ${lit(panelId)} and ${NOT_CLOSED}`);
    for (const i of items) this.remember(i);
    return items.map(agendaItemOf).sort(byPositionThenId);
  }

  async item(itemId: number): Promise<AgendaItem | undefined> {
    const i = await this.cachedItem(itemId);
    return i ? agendaItemOf(i) : undefined;
  }

  async itemByReference(reference: string): Promise<AgendaItem | undefined> {
    const items = await this.site.query('agenda', `fields/Reference eq ${lit(reference)}`);
    const last = items.sort((a, b) => Number(b.id) - Number(a.id))[0];
    return last ? agendaItemOf(this.remember(last)!) : undefined;
  }

  async moveItem(itemId: number, direction: -1 | 1): Promise<void> {
    const known = await this.cachedItem(itemId);
    if (!known) return;
    const items = await this.site.query('agenda', `fields/PanelId eq ${lit(String(known.fields['PanelId']))} and ${NOT_CLOSED}`);
    for (const i of items) this.remember(i);
    const me = items.find((i) => Number(i.id) === itemId);
    if (!me) return;
    const mine = agendaItemOf(me);
    const others = items.map((i) => ({ i, a: agendaItemOf(i) })).filter((x) => x.a.id !== itemId && (direction < 0 ? x.a.position < mine.position : x.a.position > mine.position));
    others.sort((x, y) => (direction < 0 ? y.a.position - x.a.position : x.a.position - y.a.position) || x.a.id - y.a.id);
    const other = others[0];
    if (!other) return;
    // Two conditional PATCHes: each applies only while the item is still where we saw it (a concurrent move wins).
    const swap = async (item: Item, from: number, to: number) =>
      this.remember(await this.site.update('agenda', item.id, (f) => (Number(f['Position']) === from ? { Position: to } : undefined), item));
    await swap(me, mine.position, other.a.position);
    await swap(other.i, other.a.position, mine.position);
  }

  async deferItem(itemId: number, until: string, audit: AuditEntry): Promise<void> {
    const known = await this.cachedItem(itemId);
    if (known) {
      this.remember(await this.site.update('agenda', known.id, (f) => (f['Status'] !== 'queued' || f['DeferredUntil'] === until ? undefined : { DeferredUntil: until }), known));
    }
    await this.writeAudit(audit, `defer:${itemId}:${audit.at}`);
  }

  async markPosted(itemId: number, conversationId: string, activityId: string, audit: AuditEntry): Promise<void> {
    const known = await this.cachedItem(itemId);
    if (!known) return;
    const item = this.remember(
      await this.site.update(
        'agenda',
        known.id,
        (f) =>
          f['Status'] === 'closed' || (f['Status'] === 'open' && f['ConversationId'] === conversationId && f['ActivityId'] === activityId && !str(f['DeferredUntil']))
            ? undefined
            : { Status: 'open', ConversationId: conversationId, ActivityId: activityId, DeferredUntil: null },
        known,
      ),
    );
    if (!item || item.fields['Status'] === 'closed') return;
    await setReferralStatus(this.site, String(item.fields['Reference']), 'on-agenda', audit.at);
    await this.writeAudit(audit, `posted:${itemId}:${activityId}`);
  }

  // ---------------------------------------------------------------------------------------------- recommendations

  async recordRecommendation(r: Recommendation, audit: AuditEntry): Promise<RecordResult> {
    const item = await this.cachedItem(r.itemId);
    if (!item) return 'no-item';
    if (item.fields['Status'] === 'closed') return 'item-closed';
    this.site.guard('recommendations');
    this.site.guard('audit');
    const [recPath, auditPath] = await Promise.all([this.site.listPath('recommendations'), this.site.listPath('audit')]);
    const key = `${r.itemId}|${r.member}`;
    const fields = recFields(r);
    const auditKey = `recommend:${r.itemId}:${r.member}:${r.at}`;
    const answers = await this.site.http.batch([
      { id: 'rec', method: 'POST', url: `${recPath}/items`, body: { fields: { Title: key, RecKey: key, ...fields } } },
      // Depends on the recommendation: the audit entry is there only once the recommendation is.
      { id: 'audit', method: 'POST', url: `${auditPath}/items`, body: { fields: auditFields(audit, auditKey) }, dependsOn: ['rec'] },
    ]);
    const rec = expectOk(answers.get('rec'), [409]);
    if (rec.status === 409) {
      // The member changed their mind (or a replay): one item per member, updated unless a newer answer is there.
      const existing = await this.site.one('recommendations', 'RecKey', key);
      if (!existing) throw new GraphRequestError(409, 'recommendationVanished', true);
      await this.site.update('recommendations', existing.id, (f) => (String(f['At'] ?? '') > r.at ? undefined : fields), existing);
    }
    const a: BatchResponse | undefined = answers.get('audit');
    if (a?.status === 424 && rec.status === 409) await this.writeAudit(audit, auditKey);
    else expectOk(a, [409]);
    const known = this.recs.get(r.itemId);
    if (known) {
      const mine = known.find((x) => x.member === r.member);
      if (!mine || mine.at <= r.at) this.recs.set(r.itemId, [...known.filter((x) => x.member !== r.member), r].sort(byAtThenMember));
    }
    return 'recorded';
  }

  async recommendations(itemId: number, opts: { cached?: boolean } = {}): Promise<Recommendation[]> {
    const known = opts.cached ? this.recs.get(itemId) : undefined;
    if (known) return visible(known, this.items.get(itemId)?.item);
    // One round trip: the recommendations and the agenda item (whose status and ClosedAt decide what is shown).
    const [recPath, agendaPath] = await Promise.all([this.site.listPath('recommendations'), this.site.listPath('agenda')]);
    const answers = await this.site.http.batch([
      { id: 'recs', method: 'GET', url: `${recPath}/items?$expand=fields&$filter=${encodeURIComponent(`fields/ItemId eq ${itemId}`)}&$top=999` },
      { id: 'item', method: 'GET', url: `${agendaPath}/items/${itemId}?$expand=fields` },
    ]);
    const page = expectOk(answers.get('recs')).body as { value: unknown[]; '@odata.nextLink'?: string };
    const raw = [...page.value];
    if (page['@odata.nextLink']) raw.push(...(await this.site.http.all<unknown>(page['@odata.nextLink'])));
    const itemAnswer = expectOk(answers.get('item'), [404]);
    let item: Item | undefined;
    if (itemAnswer.status === 404) this.items.delete(itemId);
    else item = this.remember(toItem(itemAnswer.body as RawItem));
    const recs = raw.map((x) => recOf(toItem(x as RawItem))).sort(byAtThenMember);
    this.recs.set(itemId, recs);
    if (this.recs.size > 500) this.recs.delete(this.recs.keys().next().value!);
    return visible(recs, item);
  }

  // ---------------------------------------------------------------------------------------------- decisions

  async decide(itemId: number, decision: Decision, audit: AuditEntry, outbox: readonly NewOutboxMessage[]): Promise<DecideResult> {
    const item = await this.cachedItem(itemId);
    if (!item) return 'no-item';
    if (item.fields['Status'] === 'closed') return 'already-closed';
    const reference = String(item.fields['Reference']);
    const pending: DecisionPending = {
      itemId,
      reference,
      at: decision.decidedAt,
      steps: decision.nextSteps,
      audit,
      outbox,
      referralStatus: decision.outcome === 'deferred' ? 'submitted' : 'decided',
    };
    const body = JSON.stringify(decision);
    const { item: written, created } = await this.site.createKeyed('decisions', 'DecisionKey', {
      Title: reference,
      DecisionKey: String(itemId),
      ItemId: itemId,
      Reference: reference,
      PanelId: String(item.fields['PanelId']),
      DecidedDate: londonDate(new Date(decision.decidedAt)),
      DecidedAt: decision.decidedAt,
      State: 'pending',
      Body: body,
      Pending: JSON.stringify(pending),
    });
    // Our own create whose answer was lost (the replay got 409) is still ours.
    const ours = created || written.fields['Body'] === body;
    try {
      const closed = await finishDecision(this.site, written, { agenda: item });
      if (closed) this.remember(closed);
      else if (!ours) this.items.delete(itemId); // decided elsewhere: read the item again next time
    } finally {
      this.recs.delete(itemId);
    }
    return ours ? 'decided' : 'already-closed';
  }

  async decision(itemId: number): Promise<Decision | undefined> {
    const d = await this.site.one('decisions', 'DecisionKey', String(itemId));
    return d ? (JSON.parse(String(d.fields['Body'])) as Decision) : undefined;
  }

  async decidedOn(panelId: string, date: string): Promise<{ item: AgendaItem; decision: Decision }[]> {
    const decisions = await this.site.query('decisions', `fields/PanelId eq ${lit(panelId)} and fields/DecidedDate eq ${lit(date)}`);
    if (decisions.length === 0) return [];
    const path = await this.site.listPath('agenda');
    const answers = await this.site.http.batch(decisions.map((d, i) => ({ id: String(i), method: 'GET' as const, url: `${path}/items/${Number(d.fields['ItemId'])}?$expand=fields` })));
    const out: { item: AgendaItem; decision: Decision }[] = [];
    decisions.forEach((d, i) => {
      const a = expectOk(answers.get(String(i)), [404]);
      if (a.status === 404) return;
      out.push({ item: agendaItemOf(this.remember(toItem(a.body as RawItem))!), decision: JSON.parse(String(d.fields['Body'])) as Decision });
    });
    return out.sort((x, y) => byPositionThenId(x.item, y.item));
  }
}
