import { deliverOutbox } from '../../src/app/deliver-outbox';
import { sendEpDigests, sendReminderDigests } from '../../src/app/send-digests';
import { sweepReminders } from '../../src/app/sweep-reminders';
import { DEFAULT_LEAD_POLICY, DEFAULT_SEND_WINDOW, nextSendTime } from '../../src/domain/reminders';
import { openDatabase } from '../../src/adapters/sqlite/database';
import { SqliteEpDirectory } from '../../src/adapters/sqlite/ep-directory';
import { SqliteLearnerStore } from '../../src/adapters/sqlite/learner-store';
import { SqliteOutboxStore } from '../../src/adapters/sqlite/outbox-store';
import { SqliteReferralFeed, SqliteReminderStore } from '../../src/adapters/sqlite/reminder-store';

function world(nowIso: string) {
  const db = openDatabase(':memory:');
  const now = { t: new Date(nowIso) };
  const clock = { now: () => now.t };
  const learners = new SqliteLearnerStore(db);
  const reminders = new SqliteReminderStore(db);
  const outbox = new SqliteOutboxStore(db);
  return { db, clock, now, learners, reminders, outbox, deps: { learners, reminders, outbox, clock, calendarFor: () => undefined } };
}
const learner = (localRef: string, alnco: string, idpIssuedOn: string) => ({
  schoolId: 's1', localRef, initials: 'AB', dateOfBirth: '2015-01-01', yearGroup: 'year-3' as const, yearGroupAcademicYear: 2026, idpIssuedOn, idpMaintainedBy: 'school' as const, alncoAadId: alnco,
});

test('a user on the weekly digest gets one digest and no single reminders; others get single reminders', async () => {
  const w = world('2026-11-23T10:00:00Z');
  await w.learners.upsertMany([learner('A', 'digest-user', '2025-11-25'), learner('B', 'single-user', '2025-11-25')], w.clock.now());
  await w.reminders.setDigest('digest-user', true);
  await sweepReminders({ ...w.deps, country: 'wales', policy: DEFAULT_LEAD_POLICY, window: DEFAULT_SEND_WINDOW });
  const keys = w.outbox.all().map((m) => m.key);
  expect(keys).toEqual(['reminder:idp:2:2026-11-25:sd-3']);
  expect(await sendReminderDigests(w.deps)).toBe(1);
  expect(await sendReminderDigests(w.deps)).toBe(1); // same key: queued once
  const digests = w.outbox.all().filter((m) => m.key.startsWith('reminder-digest:'));
  expect(digests.map((m) => [m.key, m.target])).toEqual([['reminder-digest:digest-user:2026-11-23', { kind: 'user', aadObjectId: 'digest-user' }]]);
});

test('the Monday EP digest lists the week\'s Early Help Panel referrals for the EP\'s schools, and nothing when there are none', async () => {
  const w = world('2026-11-30T08:00:00Z');
  const eps = new SqliteEpDirectory(w.db, { eps: [{ aadObjectId: 'ep-1', schools: ['s1'] }, { aadObjectId: 'ep-2', schools: ['s2'] }] });
  const ins = w.db.prepare("INSERT INTO referrals (reference, idempotency_key, route_id, school_id, status, submitter_id, submitted_at, updated_at, version, body) VALUES (?, ?, ?, ?, 'submitted', 'x', ?, ?, 1, ?)");
  const body = JSON.stringify({ learner: { initials: 'GH' }, areasOfNeed: ['semh'] });
  ins.run('MON-2026-000001', 'k1', 'early-help-panel', 's1', '2026-11-25T10:00:00.000Z', '2026-11-25T10:00:00.000Z', body);
  ins.run('MON-2026-000002', 'k2', 'early-help-panel', 's1', '2026-11-10T10:00:00.000Z', '2026-11-10T10:00:00.000Z', body); // older than a week
  ins.run('MON-2026-000003', 'k3', 'la-idp', 's1', '2026-11-26T10:00:00.000Z', '2026-11-26T10:00:00.000Z', body); // another route
  expect(await sendEpDigests({ eps, epIds: ['ep-1', 'ep-2'], referrals: new SqliteReferralFeed(w.db), outbox: w.outbox, clock: w.clock })).toBe(1);
  const [digest] = w.outbox.all();
  expect(digest!.target).toEqual({ kind: 'user', aadObjectId: 'ep-1' });
  expect((digest!.payload.data as { items: { reference: string }[] }).items.map((i) => i.reference)).toEqual(['MON-2026-000001']);
});

test('quiet hours hold a retry that falls due at night until the next morning, without counting an attempt', async () => {
  const w = world('2026-11-23T21:00:00Z');
  await w.outbox.enqueue([{ key: 'r1', target: { kind: 'user', aadObjectId: 'u' }, payload: { template: 'reminder', data: {} } }], w.clock.now());
  let sends = 0;
  const r = await deliverOutbox({
    outbox: w.outbox, clock: w.clock, maxAttempts: 3,
    notifier: { send: async () => { sends++; return {}; }, update: async () => undefined },
    resolve: async () => ({ ref: { conversation: { id: 'c' } }, language: 'en' }),
    render: () => ({ card: {}, summary: '' }),
    holdUntil: (_m, now) => nextSendTime(now, DEFAULT_SEND_WINDOW),
  });
  expect(sends).toBe(0);
  expect(r).toMatchObject({ sent: 0, paced: 1 });
  expect(w.outbox.all()[0]).toMatchObject({ attempts: 0, nextAttemptAt: '2026-11-24T08:00:00.000Z' });
});

test('panel next steps assigned to someone are reminded and listed; Done on one stops its reminders', async () => {
  const w = world('2026-11-23T10:00:00Z');
  w.db.prepare("INSERT INTO next_steps (reference, item_id, owner_aad_id, text, due_date, done_at) VALUES ('MON-2026-000001', 1, 'owner-1', 'Arrange SALT assessment', '2026-11-26', NULL)").run();
  w.db.prepare("INSERT INTO next_steps (reference, item_id, owner_aad_id, text, due_date, done_at) VALUES ('MON-2026-000001', 1, 'owner-1', 'Already done', '2026-11-24', '2026-11-20T10:00:00Z')").run();
  await sweepReminders({ ...w.deps, country: 'wales', policy: DEFAULT_LEAD_POLICY, window: DEFAULT_SEND_WINDOW });
  expect(w.outbox.all().map((m) => [m.key, m.target])).toEqual([['reminder:step:1:2026-11-26:sd-3', { kind: 'user', aadObjectId: 'owner-1' }]]);
  const { listReminders } = await import('../../src/app/list-reviews');
  expect((await listReminders(w.deps, 'owner-1', 2)).upcoming.map((i) => i.text)).toEqual(['Arrange SALT assessment']);
  await w.reminders.markDone('step:1', '2026-11-26', 'owner-1', w.clock.now());
  w.now.t = new Date('2026-11-26T10:00:00Z');
  await sweepReminders({ ...w.deps, country: 'wales', policy: DEFAULT_LEAD_POLICY, window: DEFAULT_SEND_WINDOW });
  expect(w.outbox.all()).toHaveLength(1);
  expect((await listReminders(w.deps, 'owner-1', 2)).upcoming).toEqual([]);
});
