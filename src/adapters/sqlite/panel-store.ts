import type { Decision, Panel, PanelMember, Recommendation } from '../../domain/panels';
import type { Referral } from '../../domain/referral';
import type { AuditEntry } from '../../ports/audit';
import type { NewOutboxMessage } from '../../ports/outbox';
import type { AgendaItem, DecideResult, PanelStore, RecordResult } from '../../ports/panel-store';
import { insertAudit } from './audit-log';
import { GroupCommitter, statement, type Db } from './database';
import { insertOutbox } from './outbox-store';

interface ItemRow {
  id: number; panel_id: string; reference: string; initials: string; route_id: string; position: number; status: AgendaItem['status'];
  deferred_until: string | null; conversation_id: string | null; activity_id: string | null;
}
const item = (r: ItemRow): AgendaItem => ({
  id: r.id, panelId: r.panel_id, reference: r.reference, initials: r.initials, routeId: r.route_id, position: r.position, status: r.status,
  ...(r.deferred_until ? { deferredUntil: r.deferred_until } : {}),
  ...(r.conversation_id ? { conversationId: r.conversation_id } : {}),
  ...(r.activity_id ? { activityId: r.activity_id } : {}),
});

interface RecRow { item_id: number; member: string; value: string | null; other_route: string | null; comment: string | null; conflict: number; at: string }
const rec = (r: RecRow): Recommendation => ({
  itemId: r.item_id, member: r.member, value: r.value as Recommendation['value'], conflict: r.conflict === 1, at: r.at,
  ...(r.other_route ? { otherRoute: r.other_route as NonNullable<Recommendation['otherRoute']> } : {}),
  ...(r.comment ? { comment: r.comment } : {}),
});

/** The rows with this member's recommendation put in (replacing their earlier one), in the store's order: at, then member. */
function withRecommendation(rows: readonly Recommendation[], r: Recommendation): Recommendation[] {
  const out = rows.filter((x) => x.member !== r.member);
  let i = out.length;
  while (i > 0 && (out[i - 1]!.at > r.at || (out[i - 1]!.at === r.at && out[i - 1]!.member > r.member))) i--;
  out.splice(i, 0, r);
  return out;
}

export class SqlitePanelStore implements PanelStore {
  private readonly writer: GroupCommitter;
  /** Panels with their members, read often (every recommendation) and changed rarely. */
  private readonly cache = new Map<string, Panel>();
  /** Recommendations per item: a burst of members' answers commits together, then every answer re-reads the same rows. */
  private readonly recCache = new Map<number, Recommendation[]>();
  private seenVersion = -1;

  constructor(private readonly db: Db) {
    this.writer = new GroupCommitter(db);
  }

  /** A write to panels or members: the cache is dropped once it has committed (our own commits do not move data_version). */
  private async changingPanels<T>(work: () => T): Promise<T> {
    try {
      return await this.writer.run(work);
    } finally {
      this.cache.clear();
    }
  }

  /** Drop the cache when another connection (another bot process on the same file) has committed since we looked. */
  private fresh(): Map<string, Panel> {
    const version = (this.db.pragma('data_version', { simple: true }) as number) ?? 0;
    if (version !== this.seenVersion) {
      this.cache.clear();
      this.recCache.clear();
      this.seenVersion = version;
    }
    return this.cache;
  }

  async seed(panels: readonly Panel[]): Promise<{ panels: string[]; members: number }> {
    return this.changingPanels(() => {
      const added: string[] = [];
      let members = 0;
      for (const p of panels) {
        const { members: list, ...body } = p;
        if (statement(this.db, 'INSERT INTO panels (id, body) VALUES (?, ?) ON CONFLICT (id) DO NOTHING').run(p.id, JSON.stringify(body)).changes > 0) added.push(p.id);
        for (const m of list) {
          members += statement(this.db, 'INSERT INTO panel_members (panel_id, aad_object_id, name, role, agency) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
            .run(p.id, m.aadObjectId, m.name, m.role, m.agency).changes;
        }
      }
      return { panels: added, members };
    });
  }

  async panels(): Promise<Panel[]> {
    const rows = statement(this.db, 'SELECT id, body FROM panels ORDER BY id').all() as { id: string; body: string }[];
    return rows.map((r) => this.withMembers(r.id, r.body));
  }

  async panel(id: string): Promise<Panel | undefined> {
    const cache = this.fresh();
    const known = cache.get(id);
    if (known) return known;
    const row = statement(this.db, 'SELECT id, body FROM panels WHERE id = ?').get(id) as { id: string; body: string } | undefined;
    if (!row) return undefined;
    const panel = this.withMembers(row.id, row.body);
    cache.set(id, panel);
    return panel;
  }

  private withMembers(id: string, body: string): Panel {
    const members = statement(this.db, 'SELECT aad_object_id, name, role, agency FROM panel_members WHERE panel_id = ? AND active = 1 ORDER BY rowid').all(id) as {
      aad_object_id: string; name: string; role: PanelMember['role']; agency: PanelMember['agency'];
    }[];
    return { ...(JSON.parse(body) as Omit<Panel, 'members'>), members: members.map((m) => ({ aadObjectId: m.aad_object_id, name: m.name, role: m.role, agency: m.agency })) };
  }

  async addMember(panelId: string, m: PanelMember, audit: AuditEntry): Promise<void> {
    await this.changingPanels(() => {
      statement(this.db, 'INSERT INTO panel_members (panel_id, aad_object_id, name, role, agency, active) VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (panel_id, aad_object_id) DO UPDATE SET name = excluded.name, role = excluded.role, agency = excluded.agency, active = 1')
        .run(panelId, m.aadObjectId, m.name, m.role, m.agency);
      insertAudit(this.db, audit);
    });
  }

  async removeMember(panelId: string, aadObjectId: string, audit: AuditEntry): Promise<boolean> {
    return this.changingPanels(() => {
      const changed = statement(this.db, 'UPDATE panel_members SET active = 0 WHERE panel_id = ? AND aad_object_id = ? AND active = 1').run(panelId, aadObjectId).changes > 0;
      if (changed) insertAudit(this.db, audit);
      return changed;
    });
  }

  async meetingDate(panelId: string): Promise<string | undefined> {
    return (statement(this.db, 'SELECT meeting_date FROM panels WHERE id = ?').get(panelId) as { meeting_date: string | null } | undefined)?.meeting_date ?? undefined;
  }

  async setMeetingDate(panelId: string, date: string, audit: AuditEntry): Promise<void> {
    await this.writer.run(() => {
      statement(this.db, 'UPDATE panels SET meeting_date = ? WHERE id = ?').run(date, panelId);
      insertAudit(this.db, audit);
    });
  }

  async unqueued(routes: readonly string[]): Promise<Referral[]> {
    if (routes.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT body FROM referrals WHERE status = 'submitted' AND route_id IN (${routes.map(() => '?').join(',')})
         AND reference NOT IN (SELECT reference FROM agenda_items WHERE status != 'closed') ORDER BY submitted_at, reference`,
      )
      .all(...routes) as { body: string }[];
    return rows.map((r) => JSON.parse(r.body) as Referral);
  }

  async enqueue(panelId: string, referrals: readonly Pick<Referral, 'reference' | 'learner' | 'routeId'>[]): Promise<void> {
    await this.writer.run(() => {
      let pos = (statement(this.db, 'SELECT COALESCE(MAX(position), 0) AS p FROM agenda_items WHERE panel_id = ?').get(panelId) as { p: number }).p;
      for (const r of referrals) {
        statement(this.db, "INSERT INTO agenda_items (panel_id, reference, initials, route_id, position, status) VALUES (?, ?, ?, ?, ?, 'queued') ON CONFLICT (reference) WHERE status != 'closed' DO NOTHING")
          .run(panelId, r.reference, r.learner.initials, r.routeId, ++pos);
      }
    });
  }

  async agenda(panelId: string): Promise<AgendaItem[]> {
    return (statement(this.db, "SELECT * FROM agenda_items WHERE panel_id = ? AND status != 'closed' ORDER BY position, id").all(panelId) as ItemRow[]).map(item);
  }

  async item(itemId: number): Promise<AgendaItem | undefined> {
    const row = statement(this.db, 'SELECT * FROM agenda_items WHERE id = ?').get(itemId) as ItemRow | undefined;
    return row ? item(row) : undefined;
  }

  async itemByReference(reference: string): Promise<AgendaItem | undefined> {
    const row = statement(this.db, 'SELECT * FROM agenda_items WHERE reference = ? ORDER BY id DESC LIMIT 1').get(reference) as ItemRow | undefined;
    return row ? item(row) : undefined;
  }

  async moveItem(itemId: number, direction: -1 | 1): Promise<void> {
    await this.writer.run(() => {
      const me = statement(this.db, 'SELECT * FROM agenda_items WHERE id = ?').get(itemId) as ItemRow | undefined;
      if (!me) return;
      const other = statement(
        this.db,
        direction < 0
          ? "SELECT * FROM agenda_items WHERE panel_id = ? AND status != 'closed' AND position < ? ORDER BY position DESC LIMIT 1"
          : "SELECT * FROM agenda_items WHERE panel_id = ? AND status != 'closed' AND position > ? ORDER BY position ASC LIMIT 1",
      ).get(me.panel_id, me.position) as ItemRow | undefined;
      if (!other) return;
      statement(this.db, 'UPDATE agenda_items SET position = ? WHERE id = ?').run(other.position, me.id);
      statement(this.db, 'UPDATE agenda_items SET position = ? WHERE id = ?').run(me.position, other.id);
    });
  }

  async deferItem(itemId: number, until: string, audit: AuditEntry): Promise<void> {
    await this.writer.run(() => {
      statement(this.db, "UPDATE agenda_items SET deferred_until = ? WHERE id = ? AND status = 'queued'").run(until, itemId);
      insertAudit(this.db, audit);
    });
  }

  async markPosted(itemId: number, conversationId: string, activityId: string, audit: AuditEntry): Promise<void> {
    await this.writer.run(() => {
      const row = statement(this.db, "UPDATE agenda_items SET status = 'open', conversation_id = ?, activity_id = ?, deferred_until = NULL WHERE id = ? RETURNING reference").get(conversationId, activityId, itemId) as
        | { reference: string }
        | undefined;
      if (!row) return;
      this.setReferralStatus(row.reference, 'on-agenda', audit.at);
      insertAudit(this.db, audit);
    });
  }

  private setReferralStatus(reference: string, status: string, at: string): void {
    const r = statement(this.db, 'SELECT body FROM referrals WHERE reference = ?').get(reference) as { body: string } | undefined;
    if (!r) return;
    const body = { ...(JSON.parse(r.body) as Referral), status, updatedAt: at };
    body.version = (body.version ?? 0) + 1;
    statement(this.db, 'UPDATE referrals SET status = ?, updated_at = ?, version = version + 1, body = ? WHERE reference = ?').run(status, at, JSON.stringify(body), reference);
  }

  async recordRecommendation(r: Recommendation, audit: AuditEntry): Promise<RecordResult> {
    let result: RecordResult | undefined;
    try {
      result = await this.writeRecommendation(r, audit);
      return result;
    } finally {
      // Once our write has committed the cached rows take it in, so a burst of members does not re-read every row for
      // every answer; another process's commits clear the cache (fresh()). A failed write drops it.
      const known = this.recCache.get(r.itemId);
      if (result === 'recorded' && known) this.recCache.set(r.itemId, withRecommendation(known, r));
      else this.recCache.delete(r.itemId);
    }
  }

  private writeRecommendation(r: Recommendation, audit: AuditEntry): Promise<RecordResult> {
    return this.writer.run(() => {
      const it = statement(this.db, 'SELECT status FROM agenda_items WHERE id = ?').get(r.itemId) as { status: string } | undefined;
      if (!it) return 'no-item';
      if (it.status === 'closed') return 'item-closed';
      statement(
        this.db,
        `INSERT INTO recommendations (item_id, member, value, other_route, comment, conflict, at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (item_id, member) DO UPDATE SET value = excluded.value, other_route = excluded.other_route, comment = excluded.comment, conflict = excluded.conflict, at = excluded.at`,
      ).run(r.itemId, r.member, r.value, r.otherRoute ?? null, r.comment ?? null, r.conflict ? 1 : 0, r.at);
      insertAudit(this.db, audit);
      return 'recorded';
    });
  }

  async recommendations(itemId: number, _opts?: { cached?: boolean }): Promise<Recommendation[]> {
    const cache = (this.fresh(), this.recCache);
    const known = cache.get(itemId);
    if (known) return known;
    const rows = (statement(this.db, 'SELECT * FROM recommendations WHERE item_id = ? ORDER BY at, member').all(itemId) as RecRow[]).map(rec);
    cache.set(itemId, rows);
    return rows;
  }

  async decide(itemId: number, decision: Decision, audit: AuditEntry, outbox: readonly NewOutboxMessage[]): Promise<DecideResult> {
    return this.writer.run(() => {
      const it = statement(this.db, 'SELECT * FROM agenda_items WHERE id = ?').get(itemId) as ItemRow | undefined;
      if (!it) return 'no-item';
      if (it.status === 'closed') return 'already-closed';
      statement(this.db, "UPDATE agenda_items SET status = 'closed' WHERE id = ?").run(itemId);
      statement(this.db, 'INSERT INTO decisions (item_id, reference, body, decided_at) VALUES (?, ?, ?, ?)').run(itemId, it.reference, JSON.stringify(decision), decision.decidedAt);
      for (const s of decision.nextSteps) {
        statement(this.db, 'INSERT INTO next_steps (reference, item_id, owner_aad_id, text, due_date) VALUES (?, ?, ?, ?, ?)').run(it.reference, itemId, s.owner, s.text, s.due);
      }
      // A deferred decision puts the referral back in the queue for a later meeting.
      this.setReferralStatus(it.reference, decision.outcome === 'deferred' ? 'submitted' : 'decided', decision.decidedAt);
      insertAudit(this.db, audit);
      insertOutbox(this.db, outbox, new Date(decision.decidedAt));
      return 'decided';
    });
  }

  async decidedOn(panelId: string, date: string): Promise<{ item: AgendaItem; decision: Decision }[]> {
    // decided_at is UTC; a panel meets in daytime, so the UTC date is the London date (and the body keeps the instant).
    const rows = statement(this.db, 'SELECT a.*, d.body AS decision FROM decisions d JOIN agenda_items a ON a.id = d.item_id WHERE a.panel_id = ? AND substr(d.decided_at, 1, 10) = ? ORDER BY a.position, a.id')
      .all(panelId, date) as (ItemRow & { decision: string })[];
    return rows.map((r) => ({ item: item(r), decision: JSON.parse(r.decision) as Decision }));
  }

  async decision(itemId: number): Promise<Decision | undefined> {
    const row = statement(this.db, 'SELECT body FROM decisions WHERE item_id = ?').get(itemId) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as Decision) : undefined;
  }
}
