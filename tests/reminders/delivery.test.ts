import { deliverOutbox, type OutboxDeliveryDeps } from '../../src/app/deliver-outbox';
import { runScheduledJobs } from '../../src/app/run-scheduled-jobs';
import { SlidingWindowLimiter, TEAMS_APP_LIMITS, TEAMS_CONVERSATION_LIMITS } from '../../src/domain/rate-limit';
import { openDatabase } from '../../src/adapters/sqlite/database';
import { SqliteOutboxAdmin, SqliteOutboxStore } from '../../src/adapters/sqlite/outbox-store';
import { SqliteJobStore, SqliteLeaseStore } from '../../src/adapters/sqlite/scheduling-store';
import { SendFailure } from '../../src/ports/notifier';

function setup(sendImpl: (conv: string) => Promise<{ activityId?: string }>) {
  const db = openDatabase(':memory:');
  const outbox = new SqliteOutboxStore(db);
  let now = new Date('2026-11-23T10:00:00Z');
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now = new Date(now.getTime() + ms)) };
  const sends: { conv: string; at: number }[] = [];
  const deps: OutboxDeliveryDeps = {
    outbox,
    clock,
    maxAttempts: 3,
    random: () => 0.5,
    notifier: { send: async (ref) => { const conv = String((ref.conversation as { id: string }).id); sends.push({ conv, at: clock.now().getTime() }); return sendImpl(conv); }, update: async () => undefined },
    resolve: async (target) => (target.kind === 'user' ? { ref: { serviceUrl: 'http://x', conversation: { id: `c-${target.aadObjectId}` } }, language: 'en' } : undefined),
    render: () => ({ card: { type: 'AdaptiveCard' }, summary: 's' }),
    limits: { conversation: new SlidingWindowLimiter(TEAMS_CONVERSATION_LIMITS), app: new SlidingWindowLimiter(TEAMS_APP_LIMITS) },
    concurrency: 4,
  };
  return { db, outbox, clock, sends, deps };
}

const messages = (n: number, users: number) =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i}`, target: { kind: 'user' as const, aadObjectId: `u${i % users}` }, payload: { template: 't', data: {} } }));

test('Teams limits hold: one conversation never gets more than 7 in a second or 8 in two; the app never more than 30 a second', async () => {
  const s = setup(async () => ({ activityId: 'a' }));
  await s.outbox.enqueue([...messages(40, 1).map((m) => ({ ...m, key: `one-${m.key}` })), ...messages(100, 50)], s.clock.now());
  for (let i = 0; i < 400 && (await s.outbox.counts()).sent < 140; i++) {
    const r = await deliverOutbox(s.deps, 50);
    s.clock.advance(Math.max(50, Math.min(r.wakeInMs ?? 100, 1000)));
  }
  expect((await s.outbox.counts()).sent).toBe(140);
  const within = (list: number[], at: number, ms: number) => list.filter((t) => t > at - ms && t <= at).length;
  const one = s.sends.filter((x) => x.conv === 'c-u0').map((x) => x.at);
  for (const t of one) {
    expect(within(one, t, 1000)).toBeLessThanOrEqual(7);
    expect(within(one, t, 2000)).toBeLessThanOrEqual(8);
  }
  const all = s.sends.map((x) => x.at);
  for (const t of all) expect(within(all, t, 1000)).toBeLessThanOrEqual(30);
});

test('5xx backs off with jitter, 429 waits at least Retry-After, and after maxAttempts the message is a dead letter shown to admins', async () => {
  const s = setup(async () => {
    throw new SendFailure('connector answered 503', 503, undefined, false);
  });
  await s.outbox.enqueue(messages(1, 1), s.clock.now());
  const r1 = await deliverOutbox(s.deps);
  expect(r1).toMatchObject({ failed: 1 });
  const next1 = Date.parse(s.outbox.all()[0]!.nextAttemptAt) - s.clock.now().getTime();
  expect(next1).toBe(1500); // attempt 1: base 2 s, equal jitter at 0.5 → 1.5 s
  s.clock.advance(next1);
  await deliverOutbox(s.deps);
  s.clock.advance(10_000);
  const r3 = await deliverOutbox(s.deps);
  expect(r3).toMatchObject({ failed: 1, dead: 1 });
  const admin = new SqliteOutboxAdmin(s.db);
  expect(await admin.deadLetters(5)).toEqual([expect.objectContaining({ template: 't', targetKind: 'user', attempts: 3, lastError: 'SendFailure: connector answered 503' })]);

  const t = setup(async () => {
    throw new SendFailure('connector answered 429', 429, 30_000, false);
  });
  await t.outbox.enqueue(messages(1, 1), t.clock.now());
  await deliverOutbox(t.deps);
  expect(Date.parse(t.outbox.all()[0]!.nextAttemptAt) - t.clock.now().getTime()).toBe(30_000);
  // the 429 holds the rest of that conversation too: a new message to it waits, with no attempt spent
  await t.outbox.enqueue([{ key: 'later', target: { kind: 'user', aadObjectId: 'u0' }, payload: { template: 't', data: {} } }], t.clock.now());
  const before = t.sends.length;
  expect(await deliverOutbox(t.deps)).toMatchObject({ sent: 0, paced: 1 });
  expect(t.sends.length).toBe(before);
});

test('the lease: one holder at a time, renewable by its holder, free once expired or released', async () => {
  const leases = new SqliteLeaseStore(openDatabase(':memory:'));
  const t0 = new Date('2026-11-23T10:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);
  expect(await leases.acquire('sender', 'a', at(0), 1000)).toBe(true);
  expect(await leases.acquire('sender', 'b', at(500), 1000)).toBe(false);
  expect(await leases.acquire('sender', 'a', at(900), 1000)).toBe(true); // renewed to 1900
  expect(await leases.acquire('sender', 'b', at(1500), 1000)).toBe(false);
  expect(await leases.acquire('sender', 'b', at(2000), 1000)).toBe(true); // a's lease expired
  await leases.release('sender', 'b');
  expect(await leases.acquire('sender', 'a', at(2100), 1000)).toBe(true);
});

test('scheduled jobs: due times in the store; after downtime each job runs once; two runners cannot both take a slot', async () => {
  const jobs = new SqliteJobStore(openDatabase(':memory:'));
  let now = new Date('2026-11-23T10:00:00Z');
  const clock = { now: () => now };
  let runs = 0;
  const job = { name: 'sweep', first: (n: Date) => n, next: (n: Date) => new Date(n.getTime() + 3_600_000), run: async () => void runs++ };
  expect(await runScheduledJobs({ jobs, clock }, [job])).toEqual(['sweep']);
  expect(await runScheduledJobs({ jobs, clock }, [job])).toEqual([]);
  now = new Date('2026-11-26T10:00:00Z'); // three days down: 72 slots missed
  const [x, y] = await Promise.all([runScheduledJobs({ jobs, clock }, [job]), runScheduledJobs({ jobs, clock }, [job])]);
  expect([...x, ...y]).toEqual(['sweep']);
  expect(runs).toBe(2);
  expect((await jobs.nextRun('sweep'))!.toISOString()).toBe('2026-11-26T11:00:00.000Z');
});
