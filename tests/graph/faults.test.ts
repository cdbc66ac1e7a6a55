/**
 * Fault test: the referral submit flow against the simulator with about a third of requests failing — throttled
 * (429/503 with Retry-After), gateway timeouts, connections dropped before and after the write. The client's waits
 * run on a fake clock. Every user action either succeeds or throws (the Teams adapter turns a throw into "try
 * again", and the user's retry sends the same idempotency key); at the end nothing is lost and nothing is doubled.
 */
import { LISTS } from '../../src/adapters/graph/schema';
import { reconcile } from '../../src/adapters/graph/reconciler';
import { submitReferral } from '../../src/app/submit-referral';
import { validForm } from '../support/activities';
import { directory } from './flow';
import { provisionSite, startSim, untilDone } from './support';

let env: Awaited<ReturnType<typeof startSim>>;
beforeAll(async () => {
  env = await startSim();
});
afterAll(() => env.stop());


test.each([
  ['default retry budget', undefined],
  ['a retry budget so small that failures reach the user', { maxAttempts: 2, budgetMs: 5_000, baseDelayMs: 100, maxDelayMs: 5_000 }],
])('30 submits with documents under throttling and dropped connections, %s: nothing lost, nothing duplicated', async (_name, retry) => {
  env.reset();
  await provisionSite(env);
  const stores = env.stores(retry ? { retry } : {});
  const now = new Date('2026-11-23T10:00:00.000Z');
  const clock = { now: () => now };
  const clocks = { due: () => ({ ok: false as const, problem: 'no-calendar' as const }), citation: () => undefined };
  await stores.referrals.count(); // resolve site and lists before faults start
  env.sim.faults.set({ rate: 0.3, kinds: ['429', '503', '504', 'drop', 'dropAfterApply'], retryAfterSeconds: 3, seed: 11 });
  const tries = { n: 0, failures: 0 };
  const keys = Array.from({ length: 30 }, (_, i) => `key-${i}`);
  const refs = new Map<string, string>();
  for (let batch = 0; batch < keys.length; batch += 5) {
    await Promise.all(
      keys.slice(batch, batch + 5).map(async (key, i) => {
        const actor = { aadObjectId: `alnco-${i}`, name: 'A', correlationId: key };
        const r = await untilDone(async () => {
          const out = await submitReferral({ directory, referrals: stores.referrals, clocks, hasher: { hash: (v) => `h-${v}` }, clock }, actor, validForm(), key);
          if (!out.ok) throw new Error(out.error.code);
          return out.value.referral;
        }, tries, 400);
        refs.set(key, r.reference);
        await untilDone(() => stores.documents.put({ reference: r.reference, name: 'assessment.pdf', type: 'pdf', bytes: Buffer.from(`doc for ${key}`), storedBy: actor.aadObjectId, at: now }), tries, 400);
      }),
    );
  }
  const faulted = env.sim.log.filter((e) => e.fault).length;
  env.sim.faults.clear();
  await reconcile(stores.site, new Date('2026-11-01T00:00:00Z'));

  const referrals = env.sim.getItems(env.site.id, LISTS.referrals.displayName);
  const audit = env.sim.getItems(env.site.id, LISTS.audit.displayName);
  const outbox = env.sim.getItems(env.site.id, LISTS.outbox.displayName);
  const docs = env.sim.getItems(env.site.id, LISTS.documents.displayName).filter((d) => d.fields['DocumentReference']);
  expect(new Set(refs.values()).size).toBe(30);
  expect(referrals).toHaveLength(30);
  expect(new Set(referrals.map((r) => r.fields['IdempotencyKey']))).toEqual(new Set(keys));
  expect(audit.filter((a) => a.fields['Action'] === 'referral.submit')).toHaveLength(30);
  expect(outbox.map((o) => o.fields['Key']).sort()).toEqual([...refs.values()].map((r) => `case-card:${r}`).sort());
  expect(docs.map((d) => d.fields['DocumentReference']).sort()).toEqual([...refs.values()].sort());
  for (const [key, ref] of refs) expect((await stores.referrals.get(ref))?.learner.localRef).toBe('ADM-4471'), void key;
  expect(faulted).toBeGreaterThan(20);
  if (retry) expect(tries.failures).toBeGreaterThan(0);
  console.log(`fault test: ${env.sim.log.length} requests, ${faulted} faulted, ${tries.failures} user-visible "try again", client waited ${env.waiter.slept / 1000} s on the fake clock`);
});
