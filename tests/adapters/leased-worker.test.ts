/** The leased worker: a failing or lost renewal while working stops the round's sending and never crashes the process. */
import { startLeasedWorker } from '../../src/adapters/scheduler/leased-worker';
import { createLogger } from '../../src/adapters/log';
import type { LeaseStore } from '../../src/ports/scheduling';

const log = createLogger('silent');
const clock = { now: () => new Date() };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A lease store whose answers the test scripts: the first acquire of each round succeeds, then `renewals` decides. */
function scripted(renewal: () => Promise<boolean>): LeaseStore & { calls: number } {
  const store = {
    calls: 0,
    async acquire() {
      store.calls++;
      return store.calls === 1 ? true : renewal();
    },
    async release() {},
  };
  return store;
}

async function roundWith(leases: LeaseStore): Promise<{ sentAfterLoss: number; heldAtEnd: boolean }> {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  let sends = 0;
  let heldAtEnd = true;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const worker = startLeasedWorker({
    name: 'sender', leases, clock, ttlMs: 150, pollMs: 60_000, log,
    work: async (round) => {
      // A long round: 20 sends of 20 ms, each made only while the lease is still held.
      for (let i = 0; i < 20 && round.held(); i++) {
        sends++;
        await sleep(20);
      }
      heldAtEnd = round.held();
      done();
    },
  });
  await finished;
  await worker.stop();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
  return { sentAfterLoss: sends, heldAtEnd };
}

test('a renewal that finds another holder stops the round', async () => {
  const r = await roundWith(scripted(async () => false));
  expect(r.heldAtEnd).toBe(false);
  expect(r.sentAfterLoss).toBeLessThan(20);
});

test('a renewal that fails (store throttled past its budget) stops the round and is not an unhandled rejection', async () => {
  const r = await roundWith(scripted(async () => { throw new Error('Graph request failed: 503 serviceNotAvailable'); }));
  expect(r.heldAtEnd).toBe(false);
  expect(r.sentAfterLoss).toBeLessThan(20);
});

test('renewals that succeed let the round finish', async () => {
  const r = await roundWith(scripted(async () => true));
  expect(r).toEqual({ sentAfterLoss: 20, heldAtEnd: true });
});

test('an acquire that throws runs no work that round and the worker keeps going', async () => {
  let calls = 0;
  let worked = 0;
  const worker = startLeasedWorker({
    name: 'sender', clock, ttlMs: 150, pollMs: 30, log,
    leases: { acquire: async () => { if (++calls === 1) throw new Error('boom'); return true; }, release: async () => undefined },
    work: async () => { worked++; },
  });
  await sleep(150);
  await worker.stop();
  expect(calls).toBeGreaterThanOrEqual(2);
  expect(worked).toBeGreaterThanOrEqual(1);
  expect(worked).toBeLessThan(calls);
});
