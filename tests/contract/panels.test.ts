/**
 * The PanelStore contract: one set of tests, run against SqlitePanelStore on a real temporary SQLite file and
 * GraphPanelStore on the Graph simulator. Both must behave the same as seen through the port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphPanelStore } from '../../src/adapters/graph/panel-store';
import { LISTS } from '../../src/adapters/graph/schema';
import { SqliteAuditLog } from '../../src/adapters/sqlite/audit-log';
import { openDatabase, type Db } from '../../src/adapters/sqlite/database';
import { SqliteOutboxStore } from '../../src/adapters/sqlite/outbox-store';
import { SqlitePanelStore } from '../../src/adapters/sqlite/panel-store';
import { SqliteReferralStore } from '../../src/adapters/sqlite/referral-store';
import type { Decision, Panel, Recommendation } from '../../src/domain/panels';
import type { Referral } from '../../src/domain/referral';
import type { AuditEntry, AuditLog } from '../../src/ports/audit';
import type { NewOutboxMessage, OutboxStore } from '../../src/ports/outbox';
import type { PanelStore } from '../../src/ports/panel-store';
import type { ReferralStore } from '../../src/ports/referral-store';
import { provisionSite, startSim } from '../graph/support';

interface PanelEnv {
  panels: PanelStore;
  referrals: ReferralStore;
  audit: AuditLog;
  outbox: OutboxStore;
  /** Next steps as stored (no port reads them yet). */
  nextSteps(): Promise<{ reference: string; owner: string; text: string; due: string }[]>;
}

const chair = { aadObjectId: 'c1', name: 'Carys Chair', role: 'chair' as const, agency: 'education' as const };
const m1 = { aadObjectId: 'm1', name: 'Haf Health', role: 'member' as const, agency: 'health' as const };
const m2 = { aadObjectId: 'm2', name: 'Sion Social', role: 'member' as const, agency: 'social-care' as const };
const panelA: Panel = { id: 'mams-a', name: { en: 'MAMS A', cy: 'MAMS A' }, kind: 'MAMS', routes: ['school-aln-decision'], cadence: 'monthly', quorum: { minMembers: 2 }, members: [chair, m1, m2] };
const panelB: Panel = { id: 'la-b', name: { en: 'LA B', cy: 'ALl B' }, kind: 'LAPanel', routes: ['la-idp', 'school-aln-decision'], cadence: 'monthly', quorum: { minMembers: 1, agencies: ['education'] }, members: [chair] };

const audit = (action: string, recordId: string, at: string, detail?: Record<string, string>): AuditEntry => ({ at, actor: 'c1', action, recordType: 'referral', recordId, correlationId: `c-${action}-${at}`, ...(detail ? { detail } : {}) });

let submits = 0;
async function submit(s: PanelEnv, over: Partial<Referral> = {}): Promise<Referral> {
  const n = ++submits;
  const at = `2026-11-23T10:${String(n % 60).padStart(2, '0')}:00.000Z`;
  const { referral } = await s.referrals.submit({
    idempotencyKey: `k-${n}`,
    prefix: 'MON',
    year: 2026,
    referral: {
      routeId: 'school-aln-decision', schoolId: 'w-1', areasOfNeed: ['slc'], stage: 'level-3', tried: 't', ask: 'a', urgency: 'routine',
      learner: { localRef: `R${n}`, initials: `L${n}`, yearGroup: 'year-4', dateOfBirth: '2018-01-01', language: 'english', lookedAfter: false },
      status: 'submitted', submittedBy: { aadObjectId: 'alnco-1', name: 'A' }, submittedAt: at, updatedAt: at, version: 1,
      ...over,
    } as Omit<Referral, 'reference'>,
    audit: { at, actor: 'alnco-1', action: 'referral.submit', recordType: 'referral', correlationId: `c-${n}` },
    outbox: [],
  });
  return referral;
}

const rec = (itemId: number, member: string, value: Recommendation['value'], at: string, over: Partial<Recommendation> = {}): Recommendation => ({ itemId, member, value, conflict: false, at, ...over });

const decisionOf = (outcome: Decision['outcome'], at: string, steps: Decision['nextSteps'] = []): Decision => ({
  outcome, reasons: 'Because', lead: 'Haf', nextSteps: steps, decidedBy: 'c1', decidedAt: at,
});

const outcomeMessages = (reference: string, itemId: number): NewOutboxMessage[] => [
  { key: `outcome:${reference}:${itemId}`, target: { kind: 'user', aadObjectId: 'alnco-1' }, payload: { template: 'outcome-card', data: { reference } } },
  { key: `next-step:${reference}:${itemId}:0`, target: { kind: 'user', aadObjectId: 'm1' }, payload: { template: 'next-step-card', data: { reference } } },
];

const FAR = new Date('2030-01-01T00:00:00Z');

function panelContract(name: string, make: () => Promise<PanelEnv>, cleanup: () => Promise<void>): void {
  describe(`PanelStore contract: ${name}`, () => {
    let s: PanelEnv;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(cleanup);

    test('seed adds only what is missing; members keep their order; remove marks inactive, add brings back', async () => {
      expect(await s.panels.seed([panelA, panelB])).toEqual({ panels: ['mams-a', 'la-b'], members: 4 });
      expect(await s.panels.seed([panelA, panelB])).toEqual({ panels: [], members: 0 });
      expect((await s.panels.panels()).map((p) => p.id)).toEqual(['la-b', 'mams-a']);
      expect(await s.panels.panel('mams-a')).toEqual(panelA);
      expect(await s.panels.panel('nope')).toBeUndefined();

      expect(await s.panels.removeMember('mams-a', 'm1', audit('panel.member.remove', 'mams-a', '2026-11-24T09:00:00.000Z'))).toBe(true);
      expect(await s.panels.removeMember('mams-a', 'm1', audit('panel.member.remove', 'mams-a', '2026-11-24T09:00:01.000Z'))).toBe(false);
      expect(await s.panels.removeMember('mams-a', 'nobody', audit('panel.member.remove', 'mams-a', '2026-11-24T09:00:02.000Z'))).toBe(false);
      expect((await s.panels.panel('mams-a'))!.members.map((m) => m.aadObjectId)).toEqual(['c1', 'm2']);
      // The file still lists m1: seeding again does not bring a removed member back.
      expect(await s.panels.seed([panelA, panelB])).toEqual({ panels: [], members: 0 });
      expect((await s.panels.panel('mams-a'))!.members.map((m) => m.aadObjectId)).toEqual(['c1', 'm2']);

      await s.panels.addMember('mams-a', { ...m1, name: 'Haf H.', role: 'ep', agency: 'ep' }, audit('panel.member.add', 'mams-a', '2026-11-24T09:01:00.000Z'));
      await s.panels.addMember('mams-a', { aadObjectId: 'm3', name: 'Tomos', role: 'member', agency: 'third-sector' }, audit('panel.member.add', 'mams-a', '2026-11-24T09:02:00.000Z'));
      expect((await s.panels.panel('mams-a'))!.members).toEqual([chair, { aadObjectId: 'm1', name: 'Haf H.', role: 'ep', agency: 'ep' }, m2, { aadObjectId: 'm3', name: 'Tomos', role: 'member', agency: 'third-sector' }]);
      expect((await s.panels.panel('la-b'))!.members).toEqual([chair]);
      expect((await s.audit.list({ recordId: 'mams-a' })).map((e) => e.action)).toEqual(['panel.member.remove', 'panel.member.add', 'panel.member.add']);
    });

    test('meeting date: none, then set (audited)', async () => {
      await s.panels.seed([panelA]);
      expect(await s.panels.meetingDate('mams-a')).toBeUndefined();
      await s.panels.setMeetingDate('mams-a', '2026-12-01', audit('panel.meeting-date', 'mams-a', '2026-11-24T09:00:00.000Z'));
      expect(await s.panels.meetingDate('mams-a')).toBe('2026-12-01');
      await s.panels.setMeetingDate('mams-a', '2026-12-08', audit('panel.meeting-date', 'mams-a', '2026-11-24T09:01:00.000Z'));
      expect(await s.panels.meetingDate('mams-a')).toBe('2026-12-08');
      expect((await s.audit.list({ recordId: 'mams-a' })).map((e) => e.action)).toEqual(['panel.meeting-date', 'panel.meeting-date']);
    });

    test('unqueued and enqueue: submitted referrals of the routes, oldest first, queued once each; agenda order, move, defer', async () => {
      await s.panels.seed([panelA, panelB]);
      const r1 = await submit(s);
      const r2 = await submit(s);
      const other = await submit(s, { routeId: 'la-idp' });
      const r3 = await submit(s);
      expect((await s.panels.unqueued(['school-aln-decision'])).map((r) => r.reference)).toEqual([r1.reference, r2.reference, r3.reference]);
      expect((await s.panels.unqueued(['school-aln-decision', 'la-idp'])).map((r) => r.reference)).toEqual([r1.reference, r2.reference, other.reference, r3.reference]);
      expect(await s.panels.unqueued([])).toEqual([]);

      await s.panels.enqueue('mams-a', [r1, r2]);
      await s.panels.enqueue('mams-a', [r1, r2, r3]);
      await s.panels.enqueue('la-b', [r1]); // on another panel's agenda already
      expect((await s.panels.unqueued(['school-aln-decision'])).map((r) => r.reference)).toEqual([]);
      expect(await s.panels.agenda('la-b')).toEqual([]);
      const agenda = await s.panels.agenda('mams-a');
      expect(agenda.map((i) => [i.reference, i.initials, i.routeId, i.status])).toEqual([
        [r1.reference, r1.learner.initials, 'school-aln-decision', 'queued'],
        [r2.reference, r2.learner.initials, 'school-aln-decision', 'queued'],
        [r3.reference, r3.learner.initials, 'school-aln-decision', 'queued'],
      ]);
      expect(agenda[0]!.position).toBeLessThan(agenda[1]!.position);
      expect(agenda[1]!.position).toBeLessThan(agenda[2]!.position);
      const [i1, i2, i3] = agenda as [typeof agenda[0], typeof agenda[0], typeof agenda[0]];
      expect(await s.panels.item(i2.id)).toEqual(i2);
      expect(await s.panels.itemByReference(r3.reference)).toEqual(i3);
      expect(await s.panels.itemByReference('MON-2026-999999')).toBeUndefined();
      expect(await s.panels.item(999_999)).toBeUndefined();

      await s.panels.moveItem(i3.id, -1);
      expect((await s.panels.agenda('mams-a')).map((i) => i.id)).toEqual([i1.id, i3.id, i2.id]);
      await s.panels.moveItem(i1.id, -1); // first already
      await s.panels.moveItem(i2.id, 1); // last already
      expect((await s.panels.agenda('mams-a')).map((i) => i.id)).toEqual([i1.id, i3.id, i2.id]);
      await s.panels.moveItem(i1.id, 1);
      expect((await s.panels.agenda('mams-a')).map((i) => i.id)).toEqual([i3.id, i1.id, i2.id]);

      await s.panels.deferItem(i2.id, '2027-01-10', audit('panel.defer', i2.reference, '2026-11-24T09:00:00.000Z'));
      expect((await s.panels.item(i2.id))!.deferredUntil).toBe('2027-01-10');
      expect((await s.audit.list({ recordId: i2.reference })).map((e) => e.action)).toEqual(['referral.submit', 'panel.defer']);
    });

    test('markPosted opens the item where its card is and puts the referral on the agenda', async () => {
      await s.panels.seed([panelA]);
      const r = await submit(s);
      await s.panels.enqueue('mams-a', [r]);
      const [item] = await s.panels.agenda('mams-a');
      await s.panels.deferItem(item!.id, '2026-12-01', audit('panel.defer', r.reference, '2026-11-24T08:00:00.000Z'));
      await s.panels.markPosted(item!.id, 'conv-1', 'act-1', audit('panel.open', r.reference, '2026-11-24T09:00:00.000Z'));
      const open = await s.panels.item(item!.id);
      expect(open).toEqual({ ...item, status: 'open', conversationId: 'conv-1', activityId: 'act-1' });
      expect(open!.deferredUntil).toBeUndefined();
      const referral = await s.referrals.get(r.reference);
      expect(referral).toMatchObject({ status: 'on-agenda', updatedAt: '2026-11-24T09:00:00.000Z', version: 2 });
      expect((await s.audit.list({ recordId: r.reference })).map((e) => e.action)).toEqual(['referral.submit', 'panel.defer', 'panel.open']);
      expect((await s.panels.agenda('mams-a')).map((i) => i.status)).toEqual(['open']);
    });

    test('recommendations: one per member, a change of mind replaces it, refused once the item is closed', async () => {
      await s.panels.seed([panelA]);
      const r = await submit(s);
      await s.panels.enqueue('mams-a', [r]);
      const [item] = await s.panels.agenda('mams-a');
      const id = item!.id;
      const recAudit = (member: string, at: string, value: string) => ({ ...audit('panel.recommend', r.reference, at, { panel: 'mams-a', value }), actor: member });
      expect(await s.panels.recommendations(id)).toEqual([]);
      expect(await s.panels.recordRecommendation(rec(id, 'm1', 'support', '2026-11-24T09:00:00.000Z'), recAudit('m1', '2026-11-24T09:00:00.000Z', 'support'))).toBe('recorded');
      expect(await s.panels.recordRecommendation(rec(id, 'm2', null, '2026-11-24T09:01:00.000Z', { conflict: true }), recAudit('m2', '2026-11-24T09:01:00.000Z', 'conflict'))).toBe('recorded');
      expect(await s.panels.recordRecommendation(rec(id, 'c1', 'refer-elsewhere', '2026-11-24T09:02:00.000Z', { otherRoute: 'la-idp', comment: 'LA should see it' }), recAudit('c1', '2026-11-24T09:02:00.000Z', 'refer-elsewhere'))).toBe('recorded');
      // m1 changes their mind
      expect(await s.panels.recordRecommendation(rec(id, 'm1', 'more-information', '2026-11-24T09:03:00.000Z', { comment: 'need the IDP' }), recAudit('m1', '2026-11-24T09:03:00.000Z', 'more-information'))).toBe('recorded');
      const expected = [
        rec(id, 'm2', null, '2026-11-24T09:01:00.000Z', { conflict: true }),
        rec(id, 'c1', 'refer-elsewhere', '2026-11-24T09:02:00.000Z', { otherRoute: 'la-idp', comment: 'LA should see it' }),
        rec(id, 'm1', 'more-information', '2026-11-24T09:03:00.000Z', { comment: 'need the IDP' }),
      ];
      expect(await s.panels.recommendations(id)).toEqual(expected);
      expect(await s.panels.recommendations(id, { cached: true })).toEqual(expected);
      expect((await s.audit.list({ recordId: r.reference })).filter((e) => e.action === 'panel.recommend').map((e) => [e.actor, e.detail?.['value']])).toEqual([
        ['m1', 'support'], ['m2', 'conflict'], ['c1', 'refer-elsewhere'], ['m1', 'more-information'],
      ]);

      expect(await s.panels.decide(id, decisionOf('agreed', '2026-11-24T10:00:00.000Z'), audit('panel.decide', r.reference, '2026-11-24T10:00:00.000Z'), [])).toBe('decided');
      expect(await s.panels.recordRecommendation(rec(id, 'm2', 'support', '2026-11-24T10:05:00.000Z'), recAudit('m2', '2026-11-24T10:05:00.000Z', 'support'))).toBe('item-closed');
      expect(await s.panels.recordRecommendation(rec(999_999, 'm2', 'support', '2026-11-24T10:05:00.000Z'), recAudit('m2', '2026-11-24T10:05:00.000Z', 'support'))).toBe('no-item');
      expect(await s.panels.recommendations(id)).toEqual(expected);
      expect((await s.audit.list({ recordId: r.reference })).filter((e) => e.action === 'panel.recommend')).toHaveLength(4);
    });

    test('decide: decision, next steps, referral decided, audit entry and outcome messages once; twice is already-closed; minutes by day', async () => {
      await s.panels.seed([panelA]);
      const r = await submit(s);
      const r2 = await submit(s);
      await s.panels.enqueue('mams-a', [r, r2]);
      const [item, item2] = await s.panels.agenda('mams-a');
      await s.panels.markPosted(item!.id, 'conv', 'act-1', audit('panel.open', r.reference, '2026-11-24T09:00:00.000Z'));
      await s.panels.moveItem(item2!.id, -1);
      const steps = [
        { owner: 'm1', text: 'Share the health report', due: '2026-12-05' },
        { owner: 'alnco-1', text: 'Update the IDP', due: '2026-12-12' },
      ];
      const d = decisionOf('agreed-with-changes', '2026-11-24T10:00:00.000Z', steps);
      const decideAudit = audit('panel.decide', r.reference, d.decidedAt, { panel: 'mams-a', outcome: d.outcome });
      expect(await s.panels.decision(item!.id)).toBeUndefined();
      expect(await s.panels.decide(item!.id, d, decideAudit, outcomeMessages(r.reference, item!.id))).toBe('decided');
      expect(await s.panels.decide(item!.id, decisionOf('not-agreed', '2026-11-24T10:01:00.000Z'), decideAudit, outcomeMessages(r.reference, item!.id))).toBe('already-closed');
      expect(await s.panels.decide(999_999, d, decideAudit, [])).toBe('no-item');

      expect(await s.panels.decision(item!.id)).toEqual(d);
      expect(await s.panels.item(item!.id)).toMatchObject({ status: 'closed', reference: r.reference });
      expect((await s.panels.agenda('mams-a')).map((i) => i.id)).toEqual([item2!.id]);
      expect(await s.referrals.get(r.reference)).toMatchObject({ status: 'decided', updatedAt: d.decidedAt, version: 3 });
      expect(await s.nextSteps()).toEqual(steps.map((x) => ({ reference: r.reference, owner: x.owner, text: x.text, due: x.due })));
      expect((await s.audit.list({ recordId: r.reference })).filter((e) => e.action === 'panel.decide')).toEqual([decideAudit]);
      expect((await s.outbox.due(FAR, 100)).map((m) => m.key).sort()).toEqual(outcomeMessages(r.reference, item!.id).map((m) => m.key).sort());

      const d2 = decisionOf('agreed', '2026-11-24T10:30:00.000Z');
      expect(await s.panels.decide(item2!.id, d2, audit('panel.decide', r2.reference, d2.decidedAt), [])).toBe('decided');
      // item2 was moved ahead of item, so it comes first in the minutes
      const minutes = await s.panels.decidedOn('mams-a', '2026-11-24');
      expect(minutes.map((m) => [m.item.id, m.item.status, m.decision])).toEqual([[item2!.id, 'closed', d2], [item!.id, 'closed', d]]);
      expect(await s.panels.decidedOn('mams-a', '2026-11-25')).toEqual([]);
      expect(await s.panels.decidedOn('other', '2026-11-24')).toEqual([]);
    });

    test('a deferred decision puts the referral back as submitted; it queues again as a new item', async () => {
      await s.panels.seed([panelA]);
      const r = await submit(s);
      await s.panels.enqueue('mams-a', [r]);
      const [first] = await s.panels.agenda('mams-a');
      await s.panels.markPosted(first!.id, 'conv', 'act-1', audit('panel.open', r.reference, '2026-11-24T09:00:00.000Z'));
      const d = decisionOf('deferred', '2026-11-24T10:00:00.000Z');
      expect(await s.panels.decide(first!.id, d, audit('panel.decide', r.reference, d.decidedAt), outcomeMessages(r.reference, first!.id).slice(0, 1))).toBe('decided');
      expect(await s.referrals.get(r.reference)).toMatchObject({ status: 'submitted', updatedAt: d.decidedAt });
      expect((await s.panels.unqueued(['school-aln-decision'])).map((x) => x.reference)).toEqual([r.reference]);
      await s.panels.enqueue('mams-a', [r]);
      await s.panels.enqueue('mams-a', [r]);
      const again = await s.panels.agenda('mams-a');
      expect(again).toHaveLength(1);
      expect(again[0]!.id).not.toBe(first!.id);
      expect(again[0]!.position).toBeGreaterThan(first!.position);
      expect(again[0]!.status).toBe('queued');
      expect(await s.panels.itemByReference(r.reference)).toEqual(again[0]);
      expect(await s.panels.unqueued(['school-aln-decision'])).toEqual([]);
      await s.panels.markPosted(again[0]!.id, 'conv', 'act-2', audit('panel.open', r.reference, '2026-12-08T09:00:00.000Z'));
      const d2 = decisionOf('agreed', '2026-12-08T10:00:00.000Z');
      expect(await s.panels.decide(again[0]!.id, d2, audit('panel.decide', r.reference, d2.decidedAt), outcomeMessages(r.reference, again[0]!.id).slice(0, 1))).toBe('decided');
      expect(await s.referrals.get(r.reference)).toMatchObject({ status: 'decided', version: 5 });
      expect((await s.outbox.due(FAR, 100)).map((m) => m.key).sort()).toEqual([`outcome:${r.reference}:${first!.id}`, `outcome:${r.reference}:${again[0]!.id}`].sort());
      expect((await s.audit.list({ recordId: r.reference })).map((e) => e.action)).toEqual(['referral.submit', 'panel.open', 'panel.decide', 'panel.open', 'panel.decide']);
    });
  });
}

// ------------------------------------------------------------------------------------------------ SQLite

let dir: string;
let db: Db;
panelContract(
  'SQLite',
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'contract-panels-'));
    db = openDatabase(join(dir, 'p.db'));
    return {
      panels: new SqlitePanelStore(db),
      referrals: new SqliteReferralStore(db),
      audit: new SqliteAuditLog(db),
      outbox: new SqliteOutboxStore(db),
      nextSteps: async () => db.prepare('SELECT reference, owner_aad_id AS owner, text, due_date AS due FROM next_steps ORDER BY id').all() as { reference: string; owner: string; text: string; due: string }[],
    };
  },
  async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  },
);

// ------------------------------------------------------------------------------------------------ SharePoint

let env: Awaited<ReturnType<typeof startSim>>;
beforeAll(async () => {
  env = await startSim();
});
afterAll(() => env.stop());

panelContract(
  'SharePoint (Graph simulator)',
  async () => {
    env.reset();
    await provisionSite(env);
    const stores = env.stores();
    return {
      panels: new GraphPanelStore(stores.site),
      referrals: stores.referrals,
      audit: stores.audit,
      outbox: stores.outbox,
      nextSteps: async () =>
        env.sim
          .getItems(env.site.id, LISTS.nextSteps.displayName)
          .sort((a, b) => Number(a.id) - Number(b.id))
          .map((i) => ({ reference: String(i.fields['Reference']), owner: String(i.fields['OwnerAadId']), text: String(i.fields['StepText']), due: String(i.fields['DueDate']) })),
    };
  },
  async () => undefined,
);
