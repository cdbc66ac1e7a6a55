import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCommitter, openDatabase } from '../../src/adapters/sqlite/database';
import { SqliteReferralStore } from '../../src/adapters/sqlite/referral-store';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'inclusion-sqlite-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('group commit: writes in one batch share a transaction; a failing write is rolled back alone', async () => {
  const db = openDatabase(join(dir, 'a.db'));
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  const gc = new GroupCommitter(db);
  const insert = (k: string) => () => {
    db.prepare('INSERT INTO t (k) VALUES (?)').run(k);
    if (k === 'bad') throw new Error('rule broken after the insert');
    return k;
  };
  const results = await Promise.allSettled([gc.run(insert('a')), gc.run(insert('bad')), gc.run(insert('b')), gc.run(insert('a'))]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']); // 'a' twice violates the key
  expect((db.prepare('SELECT k FROM t ORDER BY k').all() as { k: string }[]).map((r) => r.k)).toEqual(['a', 'b']);
  db.close();
});

test('the store reopens with its schema and data; migrations run once', async () => {
  const path = join(dir, 'b.db');
  let db = openDatabase(path);
  const store = new SqliteReferralStore(db);
  const base = {
    routeId: 'school-aln-decision', schoolId: 'w-1', areasOfNeed: ['slc'], stage: 'level-3', tried: 't', ask: 'a', urgency: 'routine',
    learner: { localRef: 'R1', initials: 'AB', yearGroup: 'year-4', dateOfBirth: '2018-01-01', language: 'english', lookedAfter: false },
    status: 'submitted', submittedBy: { aadObjectId: 'u1', name: 'U' }, submittedAt: '2026-11-23T10:00:00.000Z', updatedAt: '2026-11-23T10:00:00.000Z', version: 1,
  } as const;
  const audit = { at: 'x', actor: 'u1', action: 'referral.submit', recordType: 'referral', correlationId: 'c' };
  const [a, b] = await Promise.all([
    store.submit({ idempotencyKey: 'k1', prefix: 'MON', year: 2026, referral: base, audit, outbox: [] }),
    store.submit({ idempotencyKey: 'k1', prefix: 'MON', year: 2026, referral: base, audit, outbox: [] }),
  ]);
  expect(a.created).toBe(true);
  expect(b).toEqual({ referral: a.referral, created: false }); // same key in the same batch: one referral
  await store.submit({ idempotencyKey: 'k2', prefix: 'MON', year: 2027, referral: base, audit, outbox: [] });
  db.close();
  db = openDatabase(path);
  const again = new SqliteReferralStore(db);
  expect(await again.count()).toBe(2);
  expect((await again.get('mon-2026-000001'))?.learner.localRef).toBe('R1');
  expect((await again.submit({ idempotencyKey: 'k3', prefix: 'MON', year: 2027, referral: base, audit, outbox: [] })).referral.reference).toBe('MON-2027-000002');
  const { MIGRATIONS } = await import('../../src/adapters/sqlite/migrations');
  expect((db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: string }[]).map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id).sort());
  db.close();
});

test('panels: the file seeds new panels and members only; removals and additions in the store survive a restart', async () => {
  const { SqlitePanelStore } = await import('../../src/adapters/sqlite/panel-store');
  const { loadPanelsFile } = await import('../../src/adapters/files/panels-file');
  const path = join(dir, 'p.db');
  const file = loadPanelsFile('config/panels.yaml');
  const audit = { at: 'x', actor: 'chair', action: 'panel.member', recordType: 'panel', recordId: 'mams-caldicot', correlationId: 'c' };
  let db = openDatabase(path);
  let store = new SqlitePanelStore(db);
  expect((await store.seed(file)).panels).toEqual(['mams-caldicot', 'early-help', 'la-panel']);
  await store.removeMember('mams-caldicot', '00000000-0000-0000-0000-0000000000c5', audit);
  await store.addMember('mams-caldicot', { aadObjectId: 'new-member', name: 'New', role: 'member', agency: 'health' }, audit);
  db.close();
  db = openDatabase(path); // restart: the file is applied again
  store = new SqlitePanelStore(db);
  expect(await store.seed(file)).toEqual({ panels: [], members: 0 });
  const members = (await store.panel('mams-caldicot'))!.members.map((m) => m.aadObjectId);
  expect(members).toContain('new-member');
  expect(members).not.toContain('00000000-0000-0000-0000-0000000000c5');
  db.close();
});

test('the panels file is validated: unknown keys, bad roles and a panel without a chair are named', async () => {
  const { loadPanelsFile } = await import('../../src/adapters/files/panels-file');
  const { writeFileSync } = await import('node:fs');
  const bad = join(dir, 'panels.yaml');
  writeFileSync(bad, 'panels:\n  - id: Bad Id\n    name: { en: A, cy: B }\n    kind: MAMS\n    routes: [nowhere]\n    cadence: daily\n    quorum: { minMembers: 0 }\n    colour: blue\n    members:\n      - { aadObjectId: a1, name: A, role: boss, agency: education }\n');
  expect(() => loadPanelsFile(bad)).toThrow(/panels\.0\.id[\s\S]*panels\.0\.routes\.0[\s\S]*panels\.0\.cadence[\s\S]*panels\.0\.quorum\.minMembers[\s\S]*panels\.0\.members\.0\.role[\s\S]*colour/);
});

test('panel recommendations: each process keeps its cached rows current with its own answers and sees the other process\'s', async () => {
  const { SqlitePanelStore } = await import('../../src/adapters/sqlite/panel-store');
  const { submitWrite } = await import('../contract/contract');
  const path = join(dir, 'p.db');
  const [dbA, dbB] = [openDatabase(path), openDatabase(path)]; // two bot processes on one file
  const [a, b] = [new SqlitePanelStore(dbA), new SqlitePanelStore(dbB)];
  const members = ['m1', 'm2', 'm3'].map((id) => ({ aadObjectId: id, name: id, role: 'member' as const, agency: 'health' as const }));
  await a.seed([{ id: 'p', name: { en: 'P', cy: 'P' }, kind: 'MAMS', routes: ['school-aln-decision'], cadence: 'monthly', quorum: { minMembers: 1 }, members }]);
  const { referral } = await new SqliteReferralStore(dbA).submit(submitWrite('k'));
  await a.enqueue('p', [referral]);
  const itemId = (await a.itemByReference(referral.reference))!.id;
  const audit = { at: '2026-11-24T10:00:00.000Z', actor: 'm1', action: 'panel.recommend', recordType: 'referral', recordId: referral.reference, correlationId: 'c' };
  const rec = (member: string, value: 'support' | 'not-support', at: string) => ({ itemId, member, value, conflict: false, at });
  expect(await a.recommendations(itemId)).toEqual([]); // cached empty in A
  await a.recordRecommendation(rec('m2', 'support', '2026-11-24T10:00:02.000Z'), audit);
  await a.recordRecommendation(rec('m1', 'support', '2026-11-24T10:00:01.000Z'), audit);
  expect((await a.recommendations(itemId)).map((r) => r.member)).toEqual(['m1', 'm2']); // in order, from the cache
  await b.recommendations(itemId);
  await b.recordRecommendation(rec('m3', 'not-support', '2026-11-24T10:00:03.000Z'), audit); // the other process answers
  await a.recordRecommendation(rec('m2', 'not-support', '2026-11-24T10:00:04.000Z'), audit); // a change of mind in A
  const fromDisk = (dbA.prepare('SELECT member, value FROM recommendations ORDER BY at, member').all() as { member: string; value: string }[]);
  for (const s of [a, b]) expect((await s.recommendations(itemId)).map((r) => ({ member: r.member, value: r.value }))).toEqual(fromDisk);
  expect(fromDisk).toEqual([{ member: 'm1', value: 'support' }, { member: 'm3', value: 'not-support' }, { member: 'm2', value: 'not-support' }]);
  dbA.close();
  dbB.close();
});
