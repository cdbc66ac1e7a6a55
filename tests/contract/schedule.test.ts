/**
 * The scheduling contract (LeaseStore, JobStore), one set of tests run against the SQLite stores on a temp file and the
 * SharePoint stores on the Graph simulator. Each "instance" is what another bot process would have: its own SQLite
 * connection, or its own Graph client and SharePointSite (so nothing is shared in memory but the store itself).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphHttp } from '../../src/adapters/graph/graph-http';
import { GraphJobStore, GraphLeaseStore } from '../../src/adapters/graph/schedule-store';
import { SharePointSite } from '../../src/adapters/graph/site';
import { openDatabase, type Db } from '../../src/adapters/sqlite/database';
import { SqliteJobStore, SqliteLeaseStore } from '../../src/adapters/sqlite/scheduling-store';
import { runScheduledJobs, type ScheduledJob } from '../../src/app/run-scheduled-jobs';
import type { JobStore, LeaseStore } from '../../src/ports/scheduling';
import { provisionSite, SITE, startSim, TOKEN } from '../graph/support';

/** Store instances as separate bot processes would have them. */
interface Instances {
  leases(): LeaseStore;
  jobs(): JobStore;
}

const T0 = new Date('2026-11-23T10:00:00.000Z').getTime();
const at = (ms: number): Date => new Date(T0 + ms);

function scheduleContract(name: string, make: () => Promise<Instances>, cleanup: () => Promise<void>): void {
  describe(`scheduling contract: ${name}`, () => {
    let s: Instances;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(cleanup);

    test('first acquire, renewal by the holder, refused while another holds it, takeover after expiry', async () => {
      const a = s.leases();
      const b = s.leases();
      expect(await a.acquire('sender', 'A', at(0), 1000)).toBe(true);
      expect(await a.acquire('sender', 'A', at(500), 1000)).toBe(true); // renewed: now expires at 1500
      expect(await b.acquire('sender', 'B', at(1000), 1000)).toBe(false); // would have expired at 1000 without the renewal
      expect(await b.acquire('sender', 'B', at(1499), 1000)).toBe(false);
      expect(await b.acquire('sender', 'B', at(1500), 1000)).toBe(true); // expired: taken over
      expect(await a.acquire('sender', 'A', at(1600), 1000)).toBe(false); // the old holder's view is stale: refused
      expect(await b.acquire('sender', 'B', at(1700), 1000)).toBe(true);
      expect(await s.leases().acquire('sender', 'C', at(2600), 1000)).toBe(false); // a new instance sees B's renewal
    });

    test('leases of different names are independent; a lease and a job of the same name do not collide', async () => {
      const a = s.leases();
      const b = s.leases();
      expect(await a.acquire('sender', 'A', at(0), 1000)).toBe(true);
      expect(await b.acquire('other', 'B', at(0), 1000)).toBe(true);
      expect(await b.acquire('sender', 'B', at(10), 1000)).toBe(false);
      const jobs = s.jobs();
      expect(await jobs.nextRun('sender')).toBeUndefined();
      expect(await jobs.setNextRun('sender', at(60_000), undefined)).toBe(true);
      expect(await a.acquire('sender', 'A', at(20), 1000)).toBe(true);
      expect(await jobs.nextRun('sender')).toEqual(at(60_000));
    });

    test('release by the holder frees the lease for another; release by anyone else changes nothing', async () => {
      const a = s.leases();
      const b = s.leases();
      await b.release('sender', 'B'); // nothing to release yet: no error
      expect(await a.acquire('sender', 'A', at(0), 10_000)).toBe(true);
      expect(await b.acquire('sender', 'B', at(100), 10_000)).toBe(false);
      await b.release('sender', 'B'); // not B's
      expect(await b.acquire('sender', 'B', at(200), 10_000)).toBe(false);
      await a.release('sender', 'A');
      expect(await b.acquire('sender', 'B', at(300), 10_000)).toBe(true);
      expect(await a.acquire('sender', 'A', at(400), 10_000)).toBe(false);
      await a.release('sender', 'A'); // no longer A's: B keeps it
      expect(await s.leases().acquire('sender', 'C', at(500), 10_000)).toBe(false);
      await b.release('sender', 'B');
      await b.release('sender', 'B'); // twice is harmless
      expect(await a.acquire('sender', 'A', at(600), 10_000)).toBe(true);
    });

    test('10 instances acquiring at once: exactly one gets the lease, on the first round and after it expires', async () => {
      const instances = Array.from({ length: 10 }, () => s.leases());
      const round = (ms: number) => Promise.all(instances.map((l, i) => l.acquire('sender', `holder-${i}`, at(ms), 1000)));
      const first = await round(0);
      expect(first.filter(Boolean)).toHaveLength(1);
      const winner = first.indexOf(true);
      const again = await round(100);
      expect(again.filter(Boolean)).toHaveLength(1);
      expect(again.indexOf(true)).toBe(winner); // the holder renews, nobody else gets it
      const afterExpiry = await round(5000);
      expect(afterExpiry.filter(Boolean)).toHaveLength(1);
    });

    test('a job is created only if absent', async () => {
      const jobs = s.jobs();
      expect(await jobs.nextRun('reminder-sweep')).toBeUndefined();
      expect(await jobs.setNextRun('reminder-sweep', at(60_000), undefined)).toBe(true);
      expect(await jobs.nextRun('reminder-sweep')).toEqual(at(60_000));
      expect(await s.jobs().setNextRun('reminder-sweep', at(120_000), at(0))).toBe(false);
      expect(await jobs.nextRun('reminder-sweep')).toEqual(at(60_000));
      expect(await s.jobs().nextRun('reminder-sweep')).toEqual(at(60_000));
      const [x, y] = await Promise.all([s.jobs().setNextRun('digest', at(1), undefined), s.jobs().setNextRun('digest', at(2), undefined)]);
      expect([x, y].filter(Boolean)).toHaveLength(1);
      expect(await jobs.nextRun('digest')).toEqual(x ? at(1) : at(2));
    });

    test('compare-and-set: only with the stored next run; a job that does not exist is not created by it', async () => {
      const jobs = s.jobs();
      expect(await jobs.setNextRun('sweep', at(1000), at(0), at(0))).toBe(false);
      expect(await jobs.nextRun('sweep')).toBeUndefined();
      await jobs.setNextRun('sweep', at(1000), undefined);
      expect(await jobs.setNextRun('sweep', at(2000), at(1000), at(999))).toBe(false); // wrong expected value
      expect(await jobs.nextRun('sweep')).toEqual(at(1000));
      expect(await jobs.setNextRun('sweep', at(2000), at(1000), at(1000))).toBe(true); // right one
      expect(await jobs.nextRun('sweep')).toEqual(at(2000));
      expect(await jobs.setNextRun('sweep', at(3000), at(1000), at(1000))).toBe(false); // the slot has moved on
      // Another instance advanced it since this one last read: this one's compare must not use what it saw before.
      const other = s.jobs();
      expect(await other.nextRun('sweep')).toEqual(at(2000));
      expect(await jobs.setNextRun('sweep', at(3000), at(2000), at(2000))).toBe(true);
      expect(await other.setNextRun('sweep', at(3500), at(2000), at(2000))).toBe(false);
      expect(await other.nextRun('sweep')).toEqual(at(3000));
    });

    test.each([
      ['different next runs', 5000, 6000],
      ['the same next run', 5000, 5000],
    ])('two compare-and-sets from the same read (%s): exactly one succeeds', async (_n, nextA, nextB) => {
      await s.jobs().setNextRun('digest', at(1000), undefined);
      const a = s.jobs();
      const b = s.jobs();
      const [ra, rb] = [await a.nextRun('digest'), await b.nextRun('digest')];
      expect(ra).toEqual(at(1000));
      expect(rb).toEqual(at(1000));
      const [x, y] = await Promise.all([a.setNextRun('digest', at(nextA), at(1000), ra), b.setNextRun('digest', at(nextB), at(1000), rb)]);
      expect([x, y].filter(Boolean)).toHaveLength(1);
      expect(await s.jobs().nextRun('digest')).toEqual(at(x ? nextA : nextB));
    });

    test('runScheduledJobs on three instances at once: each due job runs once per slot', async () => {
      const runs: string[] = [];
      const job = (name: string): ScheduledJob => ({ name, first: (now) => now, next: (now) => new Date(now.getTime() + 60_000), run: async () => runs.push(name) });
      const jobs = [job('reminder-sweep'), job('reminder-digest')];
      const instances = [s.jobs(), s.jobs(), s.jobs()];
      const runAll = (ms: number) => Promise.all(instances.map((j) => runScheduledJobs({ jobs: j, clock: { now: () => at(ms) } }, jobs)));
      await runAll(0);
      expect(runs.sort()).toEqual(['reminder-digest', 'reminder-sweep']);
      runs.length = 0;
      await runAll(30_000); // not due yet
      expect(runs).toEqual([]);
      await runAll(60_000);
      expect(runs.sort()).toEqual(['reminder-digest', 'reminder-sweep']);
    });
  });
}

// --- SQLite: a temp file, one connection per instance ---------------------------------------------------------------
let dir: string;
let connections: Db[] = [];
scheduleContract(
  'SQLite',
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'contract-schedule-'));
    const path = join(dir, 's.db');
    const open = () => {
      const db = openDatabase(path);
      connections.push(db);
      return db;
    };
    return { leases: () => new SqliteLeaseStore(open()), jobs: () => new SqliteJobStore(open()) };
  },
  async () => {
    for (const db of connections) db.close();
    connections = [];
    rmSync(dir, { recursive: true, force: true });
  },
);

// --- SharePoint on the simulator: one Graph client and SharePointSite per instance -----------------------------------
let env: Awaited<ReturnType<typeof startSim>>;
beforeAll(async () => {
  env = await startSim();
});
afterAll(() => env.stop());

scheduleContract(
  'SharePoint (Graph simulator)',
  async () => {
    env.reset();
    await provisionSite(env);
    const site = () => new SharePointSite(new GraphHttp({ baseUrl: env.sim.baseUrl, getToken: async () => TOKEN, waiter: env.waiter }), SITE);
    return { leases: () => new GraphLeaseStore(site()), jobs: () => new GraphJobStore(site()) };
  },
  async () => undefined,
);
