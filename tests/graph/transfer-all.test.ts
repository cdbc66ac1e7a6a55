/**
 * Export / import of EVERY record kind: an embedded store with data in every table (made through the real SQLite
 * stores) goes to SharePoint (simulator, a site already in use, so ids differ), interrupted once and resumed, then to
 * a fresh embedded file, interrupted once and resumed. Counts match, second runs write nothing, and what the ports
 * read back is the same, with agenda item, next step and learner ids remapped (references and reminder subjects too).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/adapters/sqlite/database';
import { openEmbeddedStores } from '../../src/adapters/sqlite/stores';
import { learnerItems, referralItem, stepItem } from '../../src/app/reminder-items';
import type { Decision, Panel, Recommendation } from '../../src/domain/panels';
import type { Referral } from '../../src/domain/referral';
import type { AuditEntry } from '../../src/ports/audit';
import type { NewLearner } from '../../src/ports/learners';
import type { EpDirectory } from '../../src/ports/ep-directory';
import type { LearnerStore } from '../../src/ports/learners';
import type { AgendaItem, PanelStore } from '../../src/ports/panel-store';
import type { ReminderStateStore } from '../../src/ports/reminders';
import type { JobStore } from '../../src/ports/scheduling';
import { exportFromSharePoint, formatCounts, importToSharePoint, type Counts } from '../../scripts/lib/transfer';
import { remapOutboxMessage, remapSubject } from '../../scripts/lib/transfer-subjects';
import { submitWrite } from '../contract/contract';
import { provisionSite, startSim } from './support';

const EPS = { eps: [{ aadObjectId: 'ep1', schools: ['w-3'] }, { aadObjectId: 'ep2', schools: ['w-3'] }] };
const chair = { aadObjectId: 'c1', name: 'Carys Chair', role: 'chair' as const, agency: 'education' as const };
const m1 = { aadObjectId: 'm1', name: 'Haf Health', role: 'member' as const, agency: 'health' as const };
const m2 = { aadObjectId: 'm2', name: 'Sion Social', role: 'member' as const, agency: 'social-care' as const };
const PANEL: Panel = { id: 'mams-a', name: { en: 'MAMS A', cy: 'MAMS A' }, kind: 'MAMS', routes: ['school-aln-decision'], cadence: 'monthly', quorum: { minMembers: 2 }, members: [chair, m1, m2] };
const NATIVE: Panel = { id: 'la-native', name: { en: 'LA', cy: 'ALl' }, kind: 'LAPanel', routes: ['la-idp'], cadence: 'monthly', quorum: { minMembers: 1 }, members: [chair] };
const TODAY = '2026-11-23';
const AT = new Date('2026-11-23T12:00:00.000Z');

const audit = (action: string, recordId: string, at: string): AuditEntry => ({ at, actor: 'c1', action, recordType: 'referral', recordId, correlationId: `c-${action}-${at}` });
const rec = (itemId: number, member: string, value: Recommendation['value'], at: string, over: Partial<Recommendation> = {}): Recommendation => ({ itemId, member, value, conflict: false, at, ...over });
const decision = (outcome: Decision['outcome'], at: string, nextSteps: Decision['nextSteps']): Decision => ({ outcome, reasons: 'Because', lead: 'Haf', nextSteps, decidedBy: 'c1', decidedAt: at });
const learner = (i: number): NewLearner => ({
  schoolId: i % 3 === 0 ? 'w-2' : 'w-1', localRef: `L${i}`, initials: `I${i}`, dateOfBirth: '2015-03-01', yearGroup: i % 2 === 0 ? 'year-6' : 'year-10', yearGroupAcademicYear: 2026,
  idpMaintainedBy: 'school', alncoAadId: i % 2 === 0 ? 'alnco-1' : 'alnco-2', ...(i % 4 === 0 ? { upnHash: `h${i}` } : {}), ...(i % 5 !== 0 ? { idpIssuedOn: '2026-02-01' } : {}),
});
const noId = ({ id: _id, ...rest }: AgendaItem) => rest;

type Embedded = ReturnType<typeof openEmbeddedStores>;

let env: Awaited<ReturnType<typeof startSim>>;
let dir: string;
beforeAll(async () => {
  env = await startSim();
});
afterAll(() => env.stop());
beforeEach(() => {
  env.reset();
  dir = mkdtempSync(join(tmpdir(), 'transfer-all-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Data in every table, through the SQLite stores. Answers the referrals' references. */
async function fill(e: Embedded): Promise<string[]> {
  const refs: Referral[] = [];
  for (let i = 0; i < 3; i++) refs.push((await e.referrals.submit(submitWrite(`k${i}`, { submittedAt: `2026-11-2${i}T10:00:00.000Z` }))).referral);
  const [r0, r1, r2] = refs as [Referral, Referral, Referral];
  await e.panels.seed([PANEL]);
  await e.panels.removeMember(PANEL.id, 'm2', audit('panel.member.remove', PANEL.id, '2026-11-23T09:00:00.000Z'));
  await e.panels.setMeetingDate(PANEL.id, '2026-12-01', audit('panel.meeting', PANEL.id, '2026-11-23T09:01:00.000Z'));
  await e.panels.enqueue(PANEL.id, [r0, r1, r2]);
  const [i0, i1, i2] = (await e.panels.agenda(PANEL.id)) as [AgendaItem, AgendaItem, AgendaItem];
  await e.panels.markPosted(i0.id, 'conv-1', 'act-0', audit('panel.post', r0.reference, '2026-11-23T10:00:00.000Z'));
  await e.panels.recordRecommendation(rec(i0.id, 'c1', 'support', '2026-11-23T10:01:00.000Z'), audit('panel.recommend', r0.reference, '2026-11-23T10:01:00.000Z'));
  await e.panels.recordRecommendation(rec(i0.id, 'm1', null, '2026-11-23T10:02:00.000Z', { conflict: true, comment: 'I know the family' }), audit('panel.recommend', r0.reference, '2026-11-23T10:02:00.000Z'));
  await e.panels.decide(i0.id, decision('deferred', '2026-11-23T10:05:00.000Z', [{ owner: 'm1', text: 'Ask the school for the IDP', due: '2026-12-10' }]), audit('panel.decide', r0.reference, '2026-11-23T10:05:00.000Z'), []);
  await e.panels.enqueue(PANEL.id, [r0]); // deferred: queued again, a second item for the same referral
  await e.panels.markPosted(i1.id, 'conv-1', 'act-1', audit('panel.post', r1.reference, '2026-11-23T10:10:00.000Z'));
  await e.panels.recordRecommendation(rec(i1.id, 'c1', 'support', '2026-11-23T10:11:00.000Z'), audit('panel.recommend', r1.reference, '2026-11-23T10:11:00.000Z'));
  await e.panels.recordRecommendation(rec(i1.id, 'm1', 'refer-elsewhere', '2026-11-23T10:12:00.000Z', { otherRoute: 'la-idp', comment: 'LA should lead' }), audit('panel.recommend', r1.reference, '2026-11-23T10:12:00.000Z'));
  const steps = [{ owner: 'alnco-1', text: 'Share the plan with the family', due: '2026-12-15' }, { owner: 'm1', text: 'Book the OT', due: '2027-01-10' }];
  await e.panels.decide(i1.id, decision('agreed', '2026-11-23T10:15:00.000Z', steps), audit('panel.decide', r1.reference, '2026-11-23T10:15:00.000Z'), [
    { key: `outcome:${r1.reference}:${i1.id}`, target: { kind: 'user', aadObjectId: 'u1' }, payload: { template: 'outcome-card', data: { reference: r1.reference } } },
  ]);
  await e.panels.recordRecommendation(rec(i2.id, 'm1', 'more-information', '2026-11-23T10:20:00.000Z', { comment: 'Need the EP report' }), audit('panel.recommend', r2.reference, '2026-11-23T10:20:00.000Z'));

  await e.learners.upsertMany(Array.from({ length: 120 }, (_, i) => learner(i + 1)), AT);
  const l4 = (await e.learners.get('w-1', 'L4'))!;
  const l7 = (await e.learners.get('w-1', 'L7'))!;
  const [idp, ms] = learnerItems(l4, TODAY) as [ReturnType<typeof learnerItems>[number], ReturnType<typeof learnerItems>[number]];
  expect([idp.kind, ms.kind]).toEqual(['idp-review', 'milestone']);
  await e.reminders.markDone(idp.subject, idp.due, 'alnco-1', AT);
  await e.reminders.snooze(ms.subject, ms.due, '2026-12-20', 'Meeting booked', 'alnco-1');
  await e.reminders.snooze(learnerItems(l7, TODAY)[1]!.subject, learnerItems(l7, TODAY)[1]!.due, '2026-12-21', 'Waiting for the school', 'alnco-2');
  const open = await e.reminders.openNextSteps();
  const share = open.find((s) => s.text === 'Share the plan with the family')!;
  await e.reminders.markDone(stepItem(share).subject, share.due, 'alnco-1', AT); // closes the step too
  await e.reminders.snooze(stepItem(open.find((s) => s.text === 'Book the OT')!).subject, '2027-01-10', '2027-01-05', 'After the holiday', 'm1');
  const clock = referralItem({ reference: r2.reference, schoolId: 'w-1', initials: 'AB', ownerAadId: 'u1', clockId: 'c', due: '2027-01-20' });
  await e.reminders.snooze(clock.subject, clock.due, '2026-12-01', 'Parents away', 'u1');
  await e.outbox.enqueue([{ key: `reminder:${ms.subject}:${ms.due}:sd-10`, target: { kind: 'user', aadObjectId: 'alnco-1' }, payload: { template: 'reminder', data: { ...ms, lead: 'sd-10' } } }], AT);

  await e.users.setLanguage('u1', 'cy');
  await e.reminders.setDigest('u1', true);
  await e.reminders.setDigest('u2', false);
  await e.eps.setOwnSchools('ep1', ['w-2', 'w-1']);
  await e.eps.setOwnSchools('ep2', []); // chose no school: the EPs file's w-3 no longer applies
  await e.eps.recordAnswer({ reference: r1.reference, epAadId: 'ep1', answer: 'known', schoolId: 'w-1', localRef: 'R1', upnHash: 'h-r1', at: new Date('2026-11-23T11:00:00Z') });
  await e.eps.recordAnswer({ reference: r1.reference, epAadId: 'ep2', answer: 'not-known', schoolId: 'w-1', localRef: 'R1', at: new Date('2026-11-23T11:05:00Z') });
  await e.jobs.setNextRun('reminder-sweep', new Date('2026-11-24T07:00:00Z'), new Date('2026-11-23T07:00:00Z'));
  await e.leases.acquire('sender', 'instance-a', AT, 30_000); // not moved
  return refs.map((r) => r.reference);
}

/** Reminder states with ids replaced by what they name (learner key, next step reference and text): comparable across stores. */
interface Ports {
  readonly panels: PanelStore;
  readonly learners: LearnerStore;
  readonly reminders: ReminderStateStore;
  readonly eps: EpDirectory;
  readonly jobs: JobStore;
}

async function states(s: Pick<Ports, 'reminders' | 'learners'>, stepOf: (id: string) => Promise<string>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, state] of await s.reminders.states()) {
    const m = /^(idp|ms|step):(\d+)(.*)$/.exec(key);
    let named = key;
    if (m && m[1] === 'step') named = `step:${await stepOf(m[2]!)}${m[3]}`;
    else if (m) {
      const l = (await s.learners.byId(Number(m[2])))!;
      named = `${m[1]}:${l.schoolId}|${l.localRef}${m[3]}`;
    }
    out[named] = state;
  }
  return out;
}
const sqliteStep = (db: Db) => async (id: string) => {
  const r = db.prepare('SELECT reference, text FROM next_steps WHERE id = ?').get(Number(id)) as { reference: string; text: string };
  return `${r.reference}/${r.text}`;
};

/** Everything the ports read back, without store ids. */
async function view(s: Ports, refs: readonly string[], stepOf: (id: string) => Promise<string>) {
  const items = [];
  for (const ref of refs) {
    const item = (await s.panels.itemByReference(ref))!;
    items.push({ item: noId(item), recs: (await s.panels.recommendations(item.id)).map(({ itemId: _i, ...r }) => r), decision: await s.panels.decision(item.id) });
  }
  const earlier = [];
  for (const d of await s.panels.decidedOn(PANEL.id, TODAY)) earlier.push({ item: noId(d.item), decision: d.decision, recs: (await s.panels.recommendations(d.item.id)).map(({ itemId: _i, ...r }) => r) });
  return {
    panel: await s.panels.panel(PANEL.id),
    meeting: await s.panels.meetingDate(PANEL.id),
    agenda: (await s.panels.agenda(PANEL.id)).map(noId),
    items,
    earlier,
    // Learners are created in parallel $batch envelopes: SharePoint ids need not follow the embedded order.
    byAlnco: (await s.learners.byAlnco('alnco-2')).map(({ id: _id, ...l }) => l).sort((x, y) => x.localRef.localeCompare(y.localRef)),
    learner: await s.learners.get('w-2', 'L6').then((l) => l && { ...l, id: 0 }),
    states: await states(s, stepOf),
    openSteps: (await s.reminders.openNextSteps()).map(({ id: _id, ...x }) => x).filter((x) => refs.includes(x.reference)).sort((x, y) => x.text.localeCompare(y.text)),
    digest: [...(await s.reminders.digestUsers())].sort(),
    ep1: await s.eps.schoolsOf('ep1'),
    ep2: await s.eps.schoolsOf('ep2'),
    answers: await s.eps.answers(refs[1]!),
    involved: await s.eps.epsInvolvedWith({ schoolId: 'w-1', localRef: 'R1' }),
    job: await s.jobs.nextRun('reminder-sweep'),
  };
}

test('every record kind: embedded → SharePoint → a fresh embedded file, interrupted and resumed each way; ids remapped; second runs write nothing', async () => {
  await provisionSite(env);
  const a = openEmbeddedStores(join(dir, 'a.db'), EPS);
  const refs = await fill(a);
  const before = await view(a, refs, sqliteStep(a.db));

  // The site is already in use: its own learners, a panel, an agenda item and next steps take the first item ids.
  const native = env.stores({ epsFile: EPS });
  await native.learners.upsertMany([1, 2, 3].map((i) => ({ ...learner(i), schoolId: 'w-9', alncoAadId: 'alnco-9' })), AT);
  await native.panels.seed([NATIVE]);
  await native.panels.enqueue(NATIVE.id, [{ reference: 'NAT-2026-00001', learner: { initials: 'NN' } as Referral['learner'], routeId: 'la-idp' }]);
  const [nativeItem] = await native.panels.agenda(NATIVE.id);
  await native.panels.decide(nativeItem!.id, decision('agreed', '2026-11-22T10:00:00.000Z', [{ owner: 'c1', text: 'Native step', due: '2026-12-01' }, { owner: 'c1', text: 'Native step 2', due: '2026-12-02' }]), audit('panel.decide', 'NAT-2026-00001', '2026-11-22T10:00:00.000Z'), []);

  const sp = env.stores({ epsFile: EPS });
  // Interrupted: the first $batch is applied but its answer lost (replayed: 409s), then the decisions fail outright.
  env.sim.faults.next('POST', /\$batch$/, 'dropAfterApply', { inBatch: false });
  env.sim.faults.next('POST', new RegExp(`/lists/${await sp.site.listId('decisions')}/items$`), '503', { inBatch: true, retryAfterSeconds: 600 });
  await expect(importToSharePoint(a.db, join(dir, 'docs'), sp)).rejects.toMatchObject({ status: 503 });
  expect(env.sim.faults.pending()).toEqual([]);
  const imported = await importToSharePoint(a.db, join(dir, 'docs'), sp);
  expect(imported.problems).toEqual([]);
  expect(imported.ok).toBe(true);
  expect(imported.written.decisions).toBe(1); // the other one was written before the interruption
  // On SharePoint besides the imported records: the site's own, and u2's preferences item (a digest choice only).
  const extra: Partial<Counts> = { panels: 1, panelMembers: 1, agenda: 1, decisions: 1, nextSteps: 2, learners: 3, audit: 1, users: 1 };
  for (const k of Object.keys(imported.source) as (keyof Counts)[]) expect([k, imported.target[k]]).toEqual([k, imported.source[k] + (extra[k] ?? 0)]);
  const again = await importToSharePoint(a.db, join(dir, 'docs'), sp);
  expect(Object.values(again.written).every((n) => n === 0)).toBe(true);
  expect(again.ok).toBe(true);

  // Read back through the Graph ports (fresh stores: no caches).
  const g = env.stores({ epsFile: EPS });
  const spStep = async (id: string) => {
    const item = (await g.site.get('nextSteps', id))!;
    return `${String(item.fields['Reference'])}/${String(item.fields['StepText'])}`;
  };
  expect(await view(g, refs, spStep)).toEqual(before);
  // Ids did move: SharePoint's learner and agenda ids are not the embedded ones, and subjects/messages follow them.
  const l4 = (await a.learners.get('w-1', 'L4'))!;
  const spL4 = (await g.learners.get('w-1', 'L4'))!;
  expect(spL4.id).not.toBe(l4.id);
  expect((await g.panels.itemByReference(refs[1]!))!.id).not.toBe((await a.panels.itemByReference(refs[1]!))!.id);
  const ms = learnerItems(spL4, TODAY)[1]!;
  const reminder = (await g.outbox.all()).find((m) => m.key.startsWith('reminder:'))!;
  expect(reminder.key).toBe(`reminder:${ms.subject}:${ms.due}:sd-10`);
  expect(reminder.payload.data).toMatchObject({ subject: ms.subject, learnerId: spL4.id });
  expect((await g.site.query('schedule', '')).map((i) => i.fields['Name'])).toEqual(['job:reminder-sweep']); // the lease stayed behind
  // A recommendation stored after its item closed (another instance's, within its cache window) is never shown: not moved.
  const closed = (await g.panels.itemByReference(refs[1]!))!;
  await g.site.createKeyed('recommendations', 'RecKey', { Title: `${closed.id}|c9`, RecKey: `${closed.id}|c9`, ItemId: closed.id, Member: 'c9', Value: 'support', Conflict: 'no', At: '2026-11-23T10:30:00.000Z' });
  const decisions = await g.site.query('decisions', '');
  expect(decisions.every((d) => d.fields['State'] === 'done' && !d.fields['Pending'])).toBe(true);

  // SharePoint → a fresh embedded file, interrupted once (after the learners) and resumed.
  const bPath = join(dir, 'b.db');
  const bDb = openDatabase(bPath);
  await expect(exportFromSharePoint(g, bDb, join(dir, 'docs2'), (line) => {
    if (line.startsWith('learners:')) throw new Error('stopped');
  })).rejects.toThrow('stopped');
  const back = await exportFromSharePoint(g, bDb, join(dir, 'docs2'));
  expect(back.problems).toEqual([]);
  expect(back.ok).toBe(true);
  expect(back.target).toEqual(back.source);
  const again2 = await exportFromSharePoint(g, bDb, join(dir, 'docs2'));
  expect(Object.values(again2.written).every((n) => n === 0)).toBe(true);
  bDb.close();

  const b = openEmbeddedStores(bPath, EPS);
  expect(await view(b, refs, sqliteStep(b.db))).toEqual(before);
  // The embedded rows took the SharePoint ids; new rows continue after them.
  expect((await b.learners.get('w-1', 'L4'))!.id).toBe(spL4.id);
  expect((await b.panels.itemByReference(refs[1]!))!.id).toBe((await g.panels.itemByReference(refs[1]!))!.id);
  expect((b.db.prepare("SELECT key FROM outbox WHERE key LIKE 'reminder:%'").all() as { key: string }[]).map((r) => r.key)).toEqual([reminder.key]);
  await b.learners.upsertMany([{ ...learner(500), localRef: 'NEW' }], AT);
  expect((await b.learners.get('w-1', 'NEW'))!.id).toBeGreaterThan(123);
  expect(formatCounts(back, 'SharePoint', 'embedded')).toMatch(/^next steps\s+\d+\s+\d+\s+\d+$/m);
  await a.close();
  await b.close();
}, 30_000);

test('a reminder state whose record is not moved is reported, not dropped silently', async () => {
  await provisionSite(env);
  const db = openDatabase(join(dir, 'c.db'));
  db.prepare("INSERT INTO reminder_states (subject, due, done_at, done_by) VALUES ('idp:999', '2027-01-01', '2026-11-23T10:00:00.000Z', 'u1'), ('mystery:1', '2027-01-01', '2026-11-23T10:00:00.000Z', 'u1')").run();
  const result = await importToSharePoint(db, join(dir, 'docs'), env.stores());
  expect(result.ok).toBe(false);
  expect(result.problems).toEqual([
    'reminder state idp:999 (due 2027-01-01): its record was not moved (or the subject is of an unknown form); not imported',
    'reminder state mystery:1 (due 2027-01-01): its record was not moved (or the subject is of an unknown form); not imported',
  ]);
  const text = formatCounts(result, 'embedded', 'SharePoint');
  expect(text).toMatch(/^reminder states\s+2\s+0\s+0  MISSING$/m);
  expect(text).toContain('problem: reminder state idp:999');
  db.close();
});

test('every subject the reminder items make is remapped; reminder messages follow', () => {
  const maps = { learners: new Map([[7, 70]]), steps: new Map([['3', '30']]) };
  const l = { id: 7, schoolId: 'w-1', localRef: 'L', initials: 'AB', dateOfBirth: '2015-01-01', yearGroup: 'year-6' as const, yearGroupAcademicYear: 2026, idpMaintainedBy: 'school' as const, alncoAadId: 'a', idpIssuedOn: '2026-02-01' };
  const subjects = [
    ...learnerItems(l, TODAY).map((i) => i.subject),
    stepItem({ id: '3', reference: 'R', ownerAadId: 'a', text: 't', due: '2027-01-01' }).subject,
    referralItem({ reference: 'MON-2026-00001', schoolId: 'w-1', initials: 'AB', ownerAadId: 'a', clockId: 'c', due: '2027-01-01' }).subject,
  ];
  expect(subjects.map((s) => remapSubject(s, maps))).toEqual(['idp:70', 'ms:70:y6-autumn-annual-review:2026', 'ms:70:y6-enhanced-transition-meetings:2026', 'step:30', 'ref:MON-2026-00001']);
  expect(remapSubject('idp:8', maps)).toBeUndefined();
  expect(remapSubject('step:4', maps)).toBeUndefined();
  const item = learnerItems(l, TODAY)[0]!;
  expect(remapOutboxMessage(`reminder:idp:7:${item.due}:late-w2`, { template: 'reminder', data: { ...item, lead: 'late-w2' } }, maps)).toEqual({
    key: `reminder:idp:70:${item.due}:late-w2`,
    payload: { template: 'reminder', data: { ...item, subject: 'idp:70', learnerId: 70, lead: 'late-w2' } },
  });
  expect(remapOutboxMessage('reminder-digest:a:2026-11-23', { template: 'reminder-digest', data: { items: [item], total: 1 } }, maps).payload).toEqual({
    template: 'reminder-digest',
    data: { items: [{ ...item, subject: 'idp:70', learnerId: 70 }], total: 1 },
  });
  expect(remapOutboxMessage('outcome:R:7', { template: 'outcome-card', data: { reference: 'R' } }, maps).key).toBe('outcome:R:7');
});
