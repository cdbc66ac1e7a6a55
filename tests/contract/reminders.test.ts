/**
 * The contract of the reminder feature's ports — LearnerStore, ReminderStateStore, EpDirectory — run against the
 * SQLite adapters on a temp file and the SharePoint (Graph) adapters on the Graph simulator. Both must behave the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/adapters/sqlite/database';
import { SqliteEpDirectory, type EpsFile } from '../../src/adapters/sqlite/ep-directory';
import { SqliteLearnerStore } from '../../src/adapters/sqlite/learner-store';
import { SqliteReferralStore } from '../../src/adapters/sqlite/referral-store';
import { SqliteReminderStore } from '../../src/adapters/sqlite/reminder-store';
import { SqliteUserStore } from '../../src/adapters/sqlite/user-store';
import { GraphEpDirectory } from '../../src/adapters/graph/ep-directory';
import { GraphLearnerStore } from '../../src/adapters/graph/learner-store';
import { GraphReminderStore } from '../../src/adapters/graph/reminder-store';
import type { SharePointSite } from '../../src/adapters/graph/site';
import type { EpDirectory } from '../../src/ports/ep-directory';
import type { LearnerStore, NewLearner } from '../../src/ports/learners';
import type { ReferralStore } from '../../src/ports/referral-store';
import { stateKey, type ReminderStateStore } from '../../src/ports/reminders';
import type { UserStore } from '../../src/ports/users';
import { provisionSite, startSim } from '../graph/support';
import { submitWrite } from './contract';

interface Step {
  readonly reference: string;
  readonly owner: string;
  readonly text: string;
  readonly due: string;
  readonly doneAt?: string;
}

interface World {
  learners: LearnerStore;
  reminders: ReminderStateStore;
  eps: EpDirectory;
  referrals: ReferralStore;
  users: UserStore;
  /** A panel next step as the panels feature writes it; answers its id. */
  addStep(step: Step): Promise<string>;
  /** When the step was closed (undefined while open). */
  stepDoneAt(id: string): Promise<string | undefined>;
}

const EPS: EpsFile = {
  eps: [
    { aadObjectId: 'ep-1', name: 'Ella Price', schools: ['w-1', 'w-2'] },
    { aadObjectId: 'ep-2', schools: ['w-2'] },
    { aadObjectId: 'ep-3', schools: [] },
  ],
};

const learner = (localRef: string, over: Partial<NewLearner> = {}): NewLearner => ({
  schoolId: 'w-1', localRef, initials: 'AB', dateOfBirth: '2016-03-04', yearGroup: 'year-4', yearGroupAcademicYear: 2026, idpMaintainedBy: 'school', alncoAadId: 'alnco-1', ...over,
});

const T1 = new Date('2026-11-23T10:00:00.000Z');
const T2 = new Date('2026-11-24T10:00:00.000Z');

function reminderContract(name: string, make: () => Promise<World>, cleanup: () => Promise<void>): void {
  describe(`reminder ports contract: ${name}`, () => {
    let w: World;
    beforeEach(async () => {
      w = await make();
    });
    afterEach(cleanup);

    test('upsertMany counts new and existing learners; UPN hash and IDP date are kept when a later import leaves them out', async () => {
      expect(await w.learners.upsertMany([learner('R1', { upnHash: 'h-1', idpIssuedOn: '2025-01-10' }), learner('R2')], T1)).toEqual({ created: 2, updated: 0 });
      const r1 = (await w.learners.get('w-1', 'R1'))!;
      expect(r1).toEqual({ ...learner('R1', { upnHash: 'h-1', idpIssuedOn: '2025-01-10' }), id: r1.id });
      expect(await w.learners.get('w-1', 'R2')).toEqual({ ...learner('R2'), id: expect.any(Number) });

      expect(await w.learners.upsertMany([learner('R1', { initials: 'CD', alncoAadId: 'alnco-2', yearGroup: 'year-5' }), learner('R3', { schoolId: 'w-2' })], T2)).toEqual({ created: 1, updated: 1 });
      expect(await w.learners.get('w-1', 'R1')).toEqual({ ...learner('R1', { initials: 'CD', alncoAadId: 'alnco-2', yearGroup: 'year-5', upnHash: 'h-1', idpIssuedOn: '2025-01-10' }), id: r1.id });
      // a later value replaces an earlier one
      await w.learners.upsertMany([learner('R1', { upnHash: 'h-9', idpIssuedOn: '2026-02-01', initials: 'CD', alncoAadId: 'alnco-2', yearGroup: 'year-5' })], T2);
      expect(await w.learners.get('w-1', 'R1')).toMatchObject({ id: r1.id, upnHash: 'h-9', idpIssuedOn: '2026-02-01' });
      // the same learner twice in one import: created once, then updated
      expect(await w.learners.upsertMany([learner('R4'), learner('R4', { upnHash: 'h-4' })], T2)).toEqual({ created: 1, updated: 1 });
      expect(await w.learners.get('w-1', 'R4')).toMatchObject({ upnHash: 'h-4' });
      // nothing changed: still counted as updated
      expect(await w.learners.upsertMany([learner('R2')], T2)).toEqual({ created: 0, updated: 1 });
      expect(await w.learners.upsertMany([], T2)).toEqual({ created: 0, updated: 0 });
      expect(await w.learners.get('w-1', 'nobody')).toBeUndefined();
      expect(await w.learners.get('w-2', 'R1')).toBeUndefined();
    });

    test('byId, setIdpIssued and byAlnco', async () => {
      await w.learners.upsertMany([learner('A1'), learner('A2', { alncoAadId: 'alnco-2' }), learner('A3', { schoolId: 'w-2' }), learner('A4', { idpIssuedOn: '2025-05-05' })], T1);
      const a1 = (await w.learners.get('w-1', 'A1'))!;
      expect(await w.learners.byId(a1.id)).toEqual(a1);
      expect(await w.learners.byId(a1.id + 100_000)).toBeUndefined();
      await w.learners.setIdpIssued(a1.id, '2026-10-01', T2);
      expect(await w.learners.byId(a1.id)).toEqual({ ...a1, idpIssuedOn: '2026-10-01' });
      await w.learners.setIdpIssued(a1.id + 100_000, '2026-10-01', T2); // unknown: nothing happens
      const mine = await w.learners.byAlnco('alnco-1');
      expect(mine.map((l) => `${l.schoolId}/${l.localRef}`)).toEqual(['w-1/A1', 'w-2/A3', 'w-1/A4']);
      expect(mine.map((l) => l.id)).toEqual([...mine.map((l) => l.id)].sort((a, b) => a - b));
      expect((await w.learners.byAlnco('alnco-2')).map((l) => l.localRef)).toEqual(['A2']);
      expect(await w.learners.byAlnco('nobody')).toEqual([]);
    });

    test('scan pages through every learner in id order, past one Graph page (999), as the sweep calls it', async () => {
      const all = Array.from({ length: 1_200 }, (_, i) => learner(`S${String(i).padStart(4, '0')}`, { schoolId: i % 2 ? 'w-1' : 'w-2' }));
      expect(await w.learners.upsertMany(all, T1)).toEqual({ created: 1_200, updated: 0 });
      const seen: number[] = [];
      const sizes: number[] = [];
      for (let after = 0; ; ) {
        const page = await w.learners.scan(after, 500);
        sizes.push(page.length);
        if (page.length === 0) break;
        seen.push(...page.map((l) => l.id));
        after = page[page.length - 1]!.id;
      }
      expect(sizes).toEqual([500, 500, 200, 0]);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(new Set(seen).size).toBe(1_200);
      const whole = await w.learners.scan(0, 5_000);
      expect(whole.map((l) => l.id)).toEqual(seen);
      expect(whole[7]).toEqual(await w.learners.byId(whole[7]!.id));
      // from anywhere, not only where the previous call stopped
      expect((await w.learners.scan(seen[776]!, 3)).map((l) => l.id)).toEqual(seen.slice(777, 780));
      expect(await w.learners.scan(seen[1_199]!, 10)).toEqual([]);
    });

    test('reminder states: done and snoozed per subject and due date; a new due date starts afresh', async () => {
      expect((await w.reminders.states()).size).toBe(0);
      await w.reminders.snooze('idp:1', '2026-12-01', '2026-12-10', 'on leave', 'u1');
      await w.reminders.markDone('ms:1:y6-transfer:2026', '2026-12-05', 'u1', T1);
      let states = await w.reminders.states();
      expect(states.get(stateKey('idp:1', '2026-12-01'))).toEqual({ snoozedUntil: '2026-12-10' });
      expect(states.get(stateKey('ms:1:y6-transfer:2026', '2026-12-05'))).toEqual({ doneAt: T1.toISOString() });
      await w.reminders.snooze('idp:1', '2026-12-01', '2026-12-15', 'still on leave', 'u2');
      await w.reminders.markDone('idp:1', '2026-12-01', 'u1', T2);
      await w.reminders.markDone('ms:1:y6-transfer:2026', '2026-12-05', 'u1', T2);
      states = await w.reminders.states();
      expect(states.size).toBe(2);
      expect(states.get(stateKey('idp:1', '2026-12-01'))).toEqual({ snoozedUntil: '2026-12-15', doneAt: T2.toISOString() });
      expect(states.get(stateKey('ms:1:y6-transfer:2026', '2026-12-05'))).toEqual({ doneAt: T2.toISOString() });
      expect(states.get(stateKey('idp:1', '2027-12-01'))).toBeUndefined();
    });

    test('open referral clocks: submitted or on the agenda, with a statutory due date', async () => {
      const clock = (due: string) => ({ clockId: 'aln-decision-12w', start: '2026-11-23', due });
      const a = (await w.referrals.submit(submitWrite('rc1', { clock: clock('2027-02-15') }))).referral;
      const b = (await w.referrals.submit(submitWrite('rc2', { status: 'on-agenda', clock: clock('2027-03-01'), schoolId: 'w-2', submittedBy: { aadObjectId: 'u2', name: 'U Two' }, learner: { ...submitWrite('x').referral.learner, initials: 'XY' } }))).referral;
      await w.referrals.submit(submitWrite('rc3')); // no clock
      await w.referrals.submit(submitWrite('rc4', { clock: { clockId: 'aln-decision-12w', start: '2026-11-23', dueProblem: 'no term dates' } }));
      await w.referrals.submit(submitWrite('rc5', { status: 'decided', clock: clock('2027-02-20') }));
      await w.referrals.submit(submitWrite('rc6', { status: 'withdrawn', clock: clock('2027-02-21') }));
      const open = (await w.reminders.openReferralClocks()).sort((x, y) => x.reference.localeCompare(y.reference));
      expect(open).toEqual([
        { reference: a.reference, schoolId: 'w-1', initials: 'AB', ownerAadId: 'u1', clockId: 'aln-decision-12w', due: '2027-02-15' },
        { reference: b.reference, schoolId: 'w-2', initials: 'XY', ownerAadId: 'u2', clockId: 'aln-decision-12w', due: '2027-03-01' },
      ].sort((x, y) => x.reference.localeCompare(y.reference)));
    });

    test('open next steps; marking a step\'s reminder done closes the step', async () => {
      const s1 = await w.addStep({ reference: 'MON-2026-000001', owner: 'owner-1', text: 'Arrange SALT assessment', due: '2026-11-26' });
      const s2 = await w.addStep({ reference: 'MON-2026-000002', owner: 'owner-2', text: 'Send the IDP', due: '2026-12-03' });
      await w.addStep({ reference: 'MON-2026-000001', owner: 'owner-1', text: 'Already done', due: '2026-11-24', doneAt: '2026-11-20T10:00:00.000Z' });
      const open = (await w.reminders.openNextSteps()).sort((x, y) => x.due.localeCompare(y.due));
      expect(open).toEqual([
        { id: s1, reference: 'MON-2026-000001', ownerAadId: 'owner-1', text: 'Arrange SALT assessment', due: '2026-11-26' },
        { id: s2, reference: 'MON-2026-000002', ownerAadId: 'owner-2', text: 'Send the IDP', due: '2026-12-03' },
      ]);
      await w.reminders.markDone(`step:${s1}`, '2026-11-26', 'owner-1', T1);
      expect((await w.reminders.openNextSteps()).map((s) => s.id)).toEqual([s2]);
      expect(await w.stepDoneAt(s1)).toBe(T1.toISOString());
      expect(await w.stepDoneAt(s2)).toBeUndefined();
      expect((await w.reminders.states()).get(stateKey(`step:${s1}`, '2026-11-26'))).toEqual({ doneAt: T1.toISOString() });
      // done again (a replay, another due date): the step keeps its first closing time
      await w.reminders.markDone(`step:${s1}`, '2026-11-26', 'owner-1', T2);
      expect(await w.stepDoneAt(s1)).toBe(T1.toISOString());
      // other subjects never touch a step, and an unknown step is no error
      await w.reminders.markDone(`idp:${s2}`, '2026-12-03', 'owner-2', T1);
      await w.reminders.markDone('step:999999', '2026-12-03', 'owner-2', T1);
      expect((await w.reminders.openNextSteps()).map((s) => s.id)).toEqual([s2]);
    });

    test('digest users: set and unset; the choice leaves the user\'s other preferences alone', async () => {
      expect([...(await w.reminders.digestUsers())]).toEqual([]);
      await w.users.setLanguage('u3', 'cy');
      await w.reminders.setDigest('u1', true);
      await w.reminders.setDigest('u2', true);
      await w.reminders.setDigest('u2', false);
      await w.reminders.setDigest('u3', true);
      await w.reminders.setDigest('u3', true);
      expect([...(await w.reminders.digestUsers())].sort()).toEqual(['u1', 'u3']);
      expect(await w.users.language('u3')).toBe('cy');
      await w.users.setLanguage('u1', 'en');
      expect((await w.reminders.digestUsers()).has('u1')).toBe(true);
    });

    test('EP links: the file\'s schools until an EP chooses their own (an empty choice is kept)', async () => {
      expect(w.eps.isEp('ep-1')).toBe(true);
      expect(w.eps.isEp('someone')).toBe(false);
      expect(await w.eps.schoolsOf('ep-1')).toEqual(['w-1', 'w-2']);
      expect(await w.eps.schoolsOf('someone')).toEqual([]);
      expect(await w.eps.epsForSchool('w-2')).toEqual(['ep-1', 'ep-2']);
      await w.eps.setOwnSchools('ep-2', ['w-3', 'w-1', 'w-3']);
      expect(await w.eps.schoolsOf('ep-2')).toEqual(['w-1', 'w-3']);
      expect(await w.eps.epsForSchool('w-2')).toEqual(['ep-1']);
      expect(await w.eps.epsForSchool('w-1')).toEqual(['ep-1', 'ep-2']);
      await w.eps.setOwnSchools('ep-1', []);
      expect(await w.eps.schoolsOf('ep-1')).toEqual([]);
      expect(await w.eps.epsForSchool('w-1')).toEqual(['ep-2']);
      await w.eps.setOwnSchools('ep-1', ['w-2']);
      expect(await w.eps.schoolsOf('ep-1')).toEqual(['w-2']);
      expect(await w.eps.epsForSchool('w-2')).toEqual(['ep-1']);
      expect(await w.eps.epsForSchool('w-9')).toEqual([]);
    });

    test('EP answers: one per referral and EP, in time order with names; involvement by school + local reference or UPN hash', async () => {
      const at = (h: number) => new Date(Date.UTC(2026, 10, 23, h));
      await w.eps.recordAnswer({ reference: 'MON-2026-000001', epAadId: 'ep-2', answer: 'not-known', schoolId: 'w-1', localRef: 'R1', upnHash: 'h-1', at: at(9) });
      await w.eps.recordAnswer({ reference: 'MON-2026-000001', epAadId: 'ep-1', answer: 'known', schoolId: 'w-1', localRef: 'R1', upnHash: 'h-1', at: at(10) });
      await w.eps.recordAnswer({ reference: 'MON-2026-000001', epAadId: 'not-an-ep', answer: 'known', schoolId: 'w-1', localRef: 'R1', at: at(11) });
      await w.eps.recordAnswer({ reference: 'MON-2026-000002', epAadId: 'ep-3', answer: 'known', schoolId: 'w-2', localRef: 'Q7', at: at(12) });
      expect(await w.eps.answers('MON-2026-000001')).toEqual([
        { epAadId: 'ep-2', answer: 'not-known', at: at(9).toISOString() },
        { epAadId: 'ep-1', name: 'Ella Price', answer: 'known', at: at(10).toISOString() },
        { epAadId: 'not-an-ep', answer: 'known', at: at(11).toISOString() },
      ]);
      expect(await w.eps.answers('MON-2026-000009')).toEqual([]);
      const involved = async (l: { schoolId: string; localRef: string; upnHash?: string }) => [...(await w.eps.epsInvolvedWith(l))].sort();
      expect(await involved({ schoolId: 'w-1', localRef: 'R1' })).toEqual(['ep-1']);
      expect(await involved({ schoolId: 'w-5', localRef: 'Z9', upnHash: 'h-1' })).toEqual(['ep-1']);
      expect(await involved({ schoolId: 'w-2', localRef: 'Q7', upnHash: 'h-1' })).toEqual(['ep-1', 'ep-3']);
      expect(await involved({ schoolId: 'w-2', localRef: 'R1' })).toEqual([]);
      // a later answer replaces the earlier one
      await w.eps.recordAnswer({ reference: 'MON-2026-000001', epAadId: 'ep-2', answer: 'known', schoolId: 'w-1', localRef: 'R1', upnHash: 'h-1', at: at(13) });
      expect((await w.eps.answers('MON-2026-000001')).map((a) => [a.epAadId, a.answer, a.at])).toEqual([
        ['ep-1', 'known', at(10).toISOString()],
        ['not-an-ep', 'known', at(11).toISOString()],
        ['ep-2', 'known', at(13).toISOString()],
      ]);
      expect(await involved({ schoolId: 'w-1', localRef: 'R1' })).toEqual(['ep-1', 'ep-2']);
      await w.eps.recordAnswer({ reference: 'MON-2026-000001', epAadId: 'ep-1', answer: 'not-known', schoolId: 'w-1', localRef: 'R1', upnHash: 'h-1', at: at(14) });
      expect(await involved({ schoolId: 'w-5', localRef: 'Z9', upnHash: 'h-1' })).toEqual(['ep-2']);
    });
  });
}

// (a) SQLite on a real temp file, with the migrations
let dir: string;
let db: Db;
reminderContract(
  'SQLite',
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'contract-reminders-'));
    db = openDatabase(join(dir, 'r.db'));
    const insertStep = db.prepare('INSERT INTO next_steps (reference, item_id, owner_aad_id, text, due_date, done_at) VALUES (?, 1, ?, ?, ?, ?)');
    return {
      learners: new SqliteLearnerStore(db),
      reminders: new SqliteReminderStore(db),
      eps: new SqliteEpDirectory(db, EPS),
      referrals: new SqliteReferralStore(db),
      users: new SqliteUserStore(db),
      addStep: async (s) => String(insertStep.run(s.reference, s.owner, s.text, s.due, s.doneAt ?? null).lastInsertRowid),
      stepDoneAt: async (id) => (db.prepare('SELECT done_at FROM next_steps WHERE id = ?').get(Number(id)) as { done_at: string | null }).done_at ?? undefined,
    };
  },
  async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  },
);

// (b) SharePoint lists through Graph, on the simulator
let env: Awaited<ReturnType<typeof startSim>>;
beforeAll(async () => {
  env = await startSim();
});
afterAll(() => env.stop());

async function graphWorld(): Promise<World & { site: SharePointSite }> {
  env.reset();
  await provisionSite(env);
  const stores = env.stores();
  const site = stores.site;
  let steps = 0;
  return {
    site,
    learners: new GraphLearnerStore(site),
    reminders: new GraphReminderStore(site),
    eps: new GraphEpDirectory(site, EPS),
    referrals: stores.referrals,
    users: stores.users,
    addStep: async (s) => {
      const key = `${s.reference}:1:${steps++}`;
      const { item } = await site.createKeyed('nextSteps', 'StepKey', {
        Title: key, StepKey: key, Reference: s.reference, ItemId: 1, OwnerAadId: s.owner, StepText: s.text, DueDate: s.due, State: s.doneAt ? 'done' : 'open', DoneAt: s.doneAt,
      });
      return item.id;
    },
    stepDoneAt: async (id) => {
      const f = (await site.get('nextSteps', id))!.fields;
      expect(f['State']).toBe(f['DoneAt'] ? 'done' : 'open');
      return (f['DoneAt'] as string | undefined) ?? undefined;
    },
  };
}

reminderContract('SharePoint (Graph simulator)', graphWorld, async () => undefined);

describe('GraphLearnerStore: an IDP import on SharePoint', () => {
  const rows = (n: number, over: Partial<NewLearner> = {}) => Array.from({ length: n }, (_, i) => learner(`L${String(i).padStart(5, '0')}`, { upnHash: `h-${i}`, ...over }));

  test('1,000 learners go in $batch envelopes of 20; running it again creates nothing', async () => {
    const w = await graphWorld();
    await w.site.listPath('learners'); // resolve the site and its lists first
    env.sim.clearLog();
    expect(await w.learners.upsertMany(rows(1_000), T1)).toEqual({ created: 1_000, updated: 0 });
    const envelopes = env.sim.requestCount({ method: 'POST', path: /^\/\$batch$/, includeBatchEnvelopes: true });
    expect(envelopes).toBe(50);
    expect(env.sim.requestCount({ method: 'POST', path: /\/items$/ })).toBe(1_000);
    expect(env.sim.httpRequestCount()).toBeLessThanOrEqual(1_000 / 20 + 3);

    // the same file again: one read, no writes
    env.sim.clearLog();
    expect(await w.learners.upsertMany(rows(1_000), T2)).toEqual({ created: 0, updated: 1_000 });
    expect(env.sim.httpRequestCount()).toBeLessThanOrEqual(3);
    expect(env.sim.requestCount({ method: 'POST' }) + env.sim.requestCount({ method: 'PATCH' })).toBe(0);

    // changed learners: PATCHed in batches, still no new items
    env.sim.clearLog();
    expect(await w.learners.upsertMany(rows(1_000, { alncoAadId: 'alnco-9' }), T2)).toEqual({ created: 0, updated: 1_000 });
    expect(env.sim.requestCount({ method: 'PATCH' })).toBe(1_000);
    expect(env.sim.httpRequestCount()).toBeLessThanOrEqual(1_000 / 20 + 3);
    expect(env.sim.getItems(env.site.id, 'Inclusion Learners')).toHaveLength(1_000);
    expect((await w.learners.byAlnco('alnco-9')).length).toBe(1_000);
  });

  test('an envelope applied but whose answer was lost is replayed without duplicates; a re-run after a failure finishes the import', async () => {
    const w = await graphWorld();
    env.sim.faults.next('POST', /^\/\$batch$/, 'dropAfterApply');
    expect(await w.learners.upsertMany(rows(60), T1)).toEqual({ created: 60, updated: 0 });
    expect(env.sim.faults.pending()).toHaveLength(0);
    expect(env.sim.log.filter((e) => e.inBatch && e.method === 'POST' && e.status === 409)).toHaveLength(20); // the replayed envelope
    expect(env.sim.getItems(env.site.id, 'Inclusion Learners')).toHaveLength(60);

    // an import that fails half way (one create throttled for longer than the client waits): running it again
    // completes it, nothing twice
    env.sim.faults.next('POST', /\/items$/, '503', { inBatch: true, retryAfterSeconds: 60 });
    await expect(w.learners.upsertMany(rows(100), T2)).rejects.toThrow(/503/);
    expect(env.sim.faults.pending()).toHaveLength(0);
    expect(env.sim.getItems(env.site.id, 'Inclusion Learners')).toHaveLength(99);
    expect(await w.learners.upsertMany(rows(100), T2)).toEqual({ created: 1, updated: 99 });
    const items = env.sim.getItems(env.site.id, 'Inclusion Learners');
    expect(items).toHaveLength(100);
    expect(new Set(items.map((i) => String(i.fields['LearnerKey']))).size).toBe(100);
  });

  test('a full sweep reads each Graph page once', async () => {
    const w = await graphWorld();
    await w.learners.upsertMany(rows(1_500), T1);
    env.sim.clearLog();
    let n = 0;
    for (let after = 0; ; ) {
      const page = await w.learners.scan(after, 5_000);
      if (page.length === 0) break;
      n += page.length;
      after = page[page.length - 1]!.id;
    }
    expect(n).toBe(1_500);
    expect(env.sim.requestCount({ method: 'GET', path: /\/items$/ })).toBe(2);
  });
});
