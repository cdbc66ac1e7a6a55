/**
 * The sending lease and the scheduled jobs on SharePoint, beyond the shared contract (tests/contract/schedule.test.ts):
 * how many requests the steady state costs, and mutual exclusion while the simulator throttles, fails and drops
 * connections (also after applying the write, so the client's replay meets its own write as a 412 or 409).
 */
import { GraphHttp, type RetryPolicy } from '../../src/adapters/graph/graph-http';
import { GraphJobStore, GraphLeaseStore } from '../../src/adapters/graph/schedule-store';
import { LISTS } from '../../src/adapters/graph/schema';
import { SharePointSite } from '../../src/adapters/graph/site';
import { mulberry32 } from '../graph-simulator/faults';
import { provisionSite, SITE, startSim, TOKEN } from './support';

let env: Awaited<ReturnType<typeof startSim>>;
beforeAll(async () => {
  env = await startSim();
});
afterAll(() => env.stop());

const T0 = new Date('2026-11-23T10:00:00.000Z').getTime();
const at = (ms: number): Date => new Date(T0 + ms);
/** Small enough that some failures get through the client's retries to the store (and must be survived there). */
const SMALL_RETRY: RetryPolicy = { maxAttempts: 2, budgetMs: 5_000, baseDelayMs: 100, maxDelayMs: 5_000 };

/** One bot instance: its own Graph client and site resolution, its list ids resolved before faults start. */
async function instance(retry?: RetryPolicy): Promise<SharePointSite> {
  const site = new SharePointSite(new GraphHttp({ baseUrl: env.sim.baseUrl, getToken: async () => TOKEN, waiter: env.waiter, ...(retry ? { retry } : {}) }), SITE);
  await site.listPath('schedule');
  return site;
}

const leaseItem = () => env.sim.getItems(env.site.id, LISTS.schedule.displayName).find((i) => i.fields['Name'] === 'lease:sender');

test('steady state: a renewal by the holder is one request, a waiting instance polls with one, a job run costs two', async () => {
  env.reset();
  await provisionSite(env);
  const a = new GraphLeaseStore(await instance());
  const b = new GraphLeaseStore(await instance());
  expect(await a.acquire('sender', 'A', at(0), 30_000)).toBe(true);
  expect(await b.acquire('sender', 'B', at(0), 30_000)).toBe(false);

  const counted = async <T>(what: () => Promise<T>): Promise<{ value: T; requests: number }> => {
    env.sim.clearLog();
    const value = await what();
    return { value, requests: env.sim.requestCount() };
  };
  const renewals: number[] = [];
  for (let i = 1; i <= 5; i++) {
    const r = await counted(() => a.acquire('sender', 'A', at(i * 2000), 30_000));
    expect(r.value).toBe(true);
    renewals.push(r.requests);
  }
  expect(Math.max(...renewals)).toBeLessThanOrEqual(2);
  expect(renewals).toEqual([1, 1, 1, 1, 1]); // one PATCH with If-Match on the eTag of the last write
  const poll = await counted(() => b.acquire('sender', 'B', at(11_000), 30_000));
  expect(poll).toEqual({ value: false, requests: 1 }); // one GET by id: never refused on a cached view

  // Takeover after expiry, and the old holder finding out: each 2 requests at most.
  const takeover = await counted(() => b.acquire('sender', 'B', at(40_000), 30_000));
  expect(takeover.value).toBe(true);
  expect(takeover.requests).toBeLessThanOrEqual(2);
  const lost = await counted(() => a.acquire('sender', 'A', at(41_000), 30_000));
  expect(lost).toEqual({ value: false, requests: 2 }); // PATCH → 412 → GET: B holds it
  const release = await counted(() => b.release('sender', 'B'));
  expect(release.requests).toBe(1);

  // A scheduled job: read the due time, then claim the slot on the eTag of that read.
  const jobs = new GraphJobStore(await instance());
  await jobs.setNextRun('reminder-sweep', at(0), undefined);
  const read = await counted(() => jobs.nextRun('reminder-sweep'));
  const claim = await counted(() => jobs.setNextRun('reminder-sweep', at(60_000), at(0), read.value));
  expect(claim.value).toBe(true);
  expect(read.requests + claim.requests).toBe(2);
  console.log(`schedule steady state: renewal ${renewals[0]} request(s), waiting poll ${poll.requests}, takeover ${takeover.requests}, lost lease noticed ${lost.requests}, release ${release.requests}, job read+claim ${read.requests + claim.requests}`);
});

test('under throttling, failures and dropped connections, no two instances ever believe they hold the lease', async () => {
  env.reset();
  await provisionSite(env);
  const INSTANCES = 4;
  const ROUNDS = 250;
  const STEP = 1000;
  const TTL = 3000;
  const holders = Array.from({ length: INSTANCES }, (_, i) => `instance-${i}`);
  const stores = await Promise.all(holders.map(async (_, i) => new GraphLeaseStore(await instance(i % 2 === 0 ? undefined : SMALL_RETRY))));
  env.sim.clearLog();
  env.sim.faults.set({ rate: 0.3, kinds: ['429', '503', '504', 'drop', 'dropAfterApply', '412'], retryAfterSeconds: 2, seed: 23 });
  const random = mulberry32(5);

  /** Until when each instance believes it holds the lease (fake ms; 0 = it does not). */
  const until = holders.map(() => 0);
  /** Rounds an instance sits out (a paused or slow process), so the lease expires under it and is taken over. */
  const pausedFor = holders.map(() => 0);
  const stats = { trues: 0, falses: 0, errors: 0, releases: 0, takeovers: 0, heldRounds: 0 };
  let lastHolder = -1;

  for (let round = 0; round < ROUNDS; round++) {
    const t = T0 + round * STEP;
    const now = new Date(t);
    await Promise.all(
      stores.map(async (store, i) => {
        if (pausedFor[i]! > 0) {
          pausedFor[i]!--;
          return;
        }
        const roll = random();
        if (roll < 0.06) {
          pausedFor[i] = 1 + Math.floor(random() * 6);
          return;
        }
        if (roll < 0.1 && until[i]! > t) {
          until[i] = 0; // a stopping instance stops believing first, then gives the lease up
          stats.releases++;
          await store.release('sender', holders[i]!).catch(() => undefined);
          return;
        }
        try {
          const got = await store.acquire('sender', holders[i]!, now, TTL);
          until[i] = got ? t + TTL : 0;
          stats[got ? 'trues' : 'falses']++;
        } catch {
          stats.errors++; // it cannot know: it keeps believing only until its last lease expires
        }
      }),
    );
    const believers = until.map((u, i) => (u > t ? i : -1)).filter((i) => i >= 0);
    expect({ round, believers }).toEqual({ round, believers: believers.slice(0, 1) });
    if (believers.length === 1) {
      const b = believers[0]!;
      stats.heldRounds++;
      if (b !== lastHolder) stats.takeovers++;
      lastHolder = b;
      // What it believes is what the list says: it is the holder there, until at least as long as it thinks.
      const item = leaseItem();
      expect(item?.fields['Holder']).toBe(holders[b]);
      expect(Number(item?.fields['ExpiresAt'])).toBeGreaterThanOrEqual(until[b]!);
    }
  }
  const faults = env.sim.log.filter((e) => e.fault);
  env.sim.faults.clear();
  const kinds = new Set(faults.map((e) => e.fault));
  console.log(`schedule fault test: ${env.sim.log.length} requests, ${faults.length} faulted (${[...kinds].join(', ')}), ${JSON.stringify(stats)}`);
  expect(kinds).toEqual(new Set(['429', '503', '504', 'drop', 'dropAfterApply', '412']));
  expect(faults.filter((e) => e.fault === 'dropAfterApply' && e.method === 'PATCH').length).toBeGreaterThan(0);
  expect(stats.errors).toBeGreaterThan(0);
  expect(stats.takeovers).toBeGreaterThan(10);
  expect(stats.releases).toBeGreaterThan(3);
  expect(stats.heldRounds).toBeGreaterThan(ROUNDS / 2); // and it is not safe by never granting the lease
  expect(env.sim.getItems(env.site.id, LISTS.schedule.displayName).filter((i) => i.fields['Kind'] === 'lease')).toHaveLength(1);
});

test('under the same faults, each job slot is claimed by at most one instance, and claims keep going', async () => {
  env.reset();
  await provisionSite(env);
  const STEP = 60_000;
  const ROUNDS = 80;
  const stores = await Promise.all([undefined, SMALL_RETRY, undefined, SMALL_RETRY].map(async (r) => new GraphJobStore(await instance(r))));
  env.sim.clearLog();
  env.sim.faults.set({ rate: 0.3, kinds: ['429', '503', '504', 'drop', 'dropAfterApply', '412'], retryAfterSeconds: 2, seed: 31 });
  const claimed = new Map<number, number[]>();
  let errors = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const now = at(round * STEP);
    await Promise.all(
      stores.map(async (jobs, i) => {
        try {
          const due = await jobs.nextRun('reminder-sweep');
          if (!due) {
            await jobs.setNextRun('reminder-sweep', now, undefined);
            return;
          }
          if (due.getTime() > now.getTime()) return;
          if (await jobs.setNextRun('reminder-sweep', new Date(now.getTime() + STEP), now, due)) claimed.set(due.getTime(), [...(claimed.get(due.getTime()) ?? []), i]);
        } catch {
          errors++;
        }
      }),
    );
  }
  env.sim.faults.clear();
  for (const [slot, by] of claimed) expect({ slot, by }).toEqual({ slot, by: by.slice(0, 1) });
  expect(claimed.size).toBeGreaterThan(ROUNDS / 2);
  expect(errors).toBeGreaterThan(0);
  expect(env.sim.getItems(env.site.id, LISTS.schedule.displayName)).toHaveLength(1);
  console.log(`schedule job fault test: ${claimed.size} of ${ROUNDS} slots claimed (each once), ${errors} errors surfaced`);
});
