/**
 * GraphPanelStore behaviour the port contract cannot show: how many Graph requests a recommendation costs, two bot
 * instances recording at once, a decide interrupted half way and finished by the reconciler or a retry, and the
 * whole panel flow under throttling and dropped connections.
 */
import { GraphPanelStore } from '../../src/adapters/graph/panel-store';
import { reconcile } from '../../src/adapters/graph/reconciler';
import { LISTS } from '../../src/adapters/graph/schema';
import { decideItem } from '../../src/app/decide-item';
import { itemState, recordRecommendation } from '../../src/app/record-recommendation';
import type { Decision, Panel } from '../../src/domain/panels';
import type { Referral } from '../../src/domain/referral';
import type { AuditEntry } from '../../src/ports/audit';
import type { ReferralStore } from '../../src/ports/referral-store';
import { provisionSite, startSim, untilDone } from './support';

let env: Awaited<ReturnType<typeof startSim>>;
beforeAll(async () => {
  env = await startSim();
});
afterAll(() => env.stop());

const T0 = Date.parse('2026-11-24T09:00:00.000Z');
/** A clock that moves one second each time it is read, so every action has its own instant. */
function ticking(): { now(): Date; at(): number } {
  let t = T0;
  return { now: () => new Date((t += 1000)), at: () => t };
}

const members = (n: number) => Array.from({ length: n }, (_, i) => ({ aadObjectId: `m${i + 1}`, name: `Member ${i + 1}`, role: 'member' as const, agency: (i % 2 ? 'health' : 'education') as 'health' | 'education' }));
const panelWith = (n: number): Panel => ({
  id: 'mams-a', name: { en: 'MAMS A', cy: 'MAMS A' }, kind: 'MAMS', routes: ['school-aln-decision'], cadence: 'monthly', quorum: { minMembers: 3 },
  members: [{ aadObjectId: 'c1', name: 'Chair', role: 'chair', agency: 'education' }, ...members(n)],
});

const write = (key: string) => {
  const at = '2026-11-23T10:00:00.000Z';
  const referral = {
    routeId: 'school-aln-decision', schoolId: 'w-1', areasOfNeed: ['slc'], stage: 'level-3', tried: 't', ask: 'a', urgency: 'routine',
    learner: { localRef: 'R1', initials: 'AB', yearGroup: 'year-4', dateOfBirth: '2018-01-01', language: 'english', lookedAfter: false },
    status: 'submitted', submittedBy: { aadObjectId: 'alnco-1', name: 'A' }, submittedAt: at, updatedAt: at, version: 1,
  } as Omit<Referral, 'reference'>;
  return {
    idempotencyKey: key, prefix: 'MON', year: 2026, referral,
    audit: { at, actor: 'alnco-1', action: 'referral.submit', recordType: 'referral', correlationId: key },
    outbox: [{ key: 'case-card:{reference}', target: { kind: 'route' as const, routeId: 'school-aln-decision' }, payload: { template: 'case-card', data: { reference: '{reference}' } } }],
  };
};

const actor = (id: string) => ({ aadObjectId: id, name: id, correlationId: `corr-${id}` });
const openAudit = (reference: string, at: string): AuditEntry => ({ at, actor: 'c1', action: 'panel.open', recordType: 'referral', recordId: reference, correlationId: 'open' });
const items = (list: keyof typeof LISTS) => env.sim.getItems(env.site.id, LISTS[list].displayName);

/** A site with the panel seeded and one referral on its agenda, posted. */
async function onAgenda(panels: GraphPanelStore, referrals: ReferralStore, n: number, key = 'k1') {
  await panels.seed([panelWith(n)]);
  const { referral } = await referrals.submit(write(key));
  await panels.enqueue('mams-a', await panels.unqueued(['school-aln-decision']));
  const item = (await panels.itemByReference(referral.reference))!;
  await panels.markPosted(item.id, 'conv', `act-${key}`, openAudit(referral.reference, '2026-11-24T08:00:00.000Z'));
  return { referral, item };
}

const form = (steps: { owner: string; text: string; due: string }[] = []) => ({
  outcome: 'agreed-with-changes', reasons: 'The evidence supports it', lead: 'Member 1',
  ...Object.fromEntries(steps.flatMap((s, i) => [[`step${i + 1}Owner`, s.owner], [`step${i + 1}Text`, s.text], [`step${i + 1}Due`, s.due]])),
});

test('a recommendation costs 2 Graph requests once warm (one $batch: the recommendation and its audit entry)', async () => {
  env.reset();
  await provisionSite(env);
  const stores = env.stores();
  const panels = new GraphPanelStore(stores.site);
  const clock = ticking();
  const deps = { panels, audit: stores.audit, clock, referrals: stores.referrals };
  const { item } = await onAgenda(panels, stores.referrals, 5);
  const { item: other } = await onAgenda(panels, stores.referrals, 5, 'k2');
  expect((await recordRecommendation(deps, actor('m1'), { itemId: item.id, value: 'support' })).ok).toBe(true); // warm-up

  env.sim.clearLog();
  const r = await recordRecommendation(deps, actor('m2'), { itemId: item.id, value: 'not-support', comment: 'no' });
  const first = env.sim.requestCount();
  expect(r.ok && r.value.tally.counts).toMatchObject({ support: 1, 'not-support': 1 });
  expect(first).toBe(2);
  expect(env.sim.httpRequestCount()).toBe(1);

  env.sim.clearLog();
  const changed = await recordRecommendation(deps, actor('m2'), { itemId: item.id, value: 'support' });
  const changeOfMind = env.sim.requestCount();
  expect(changed.ok && changed.value.tally.counts).toMatchObject({ support: 2, 'not-support': 0 });

  await recordRecommendation(deps, actor('m3'), { itemId: item.id, value: 'support' });
  env.sim.clearLog();
  const steps = [{ owner: 'm1', text: 'Share the report', due: '2026-12-05' }];
  const decided = await decideItem(deps, actor('c1'), item.id, form(steps));
  expect(decided.ok).toBe(true);
  const decideUseCase = env.sim.requestCount();

  // The store's decide alone, item known to the instance: 1 step and 2 messages.
  await panels.item(other.id);
  env.sim.clearLog();
  const d: Decision = { outcome: 'agreed', reasons: 'r', lead: 'l', nextSteps: steps, decidedBy: 'c1', decidedAt: '2026-11-24T12:00:00.000Z' };
  const messages = [1, 2].map((i) => ({ key: `m${i}:${other.id}`, target: { kind: 'user' as const, aadObjectId: 'alnco-1' }, payload: { template: 'outcome-card', data: {} } }));
  expect(await panels.decide(other.id, d, { ...openAudit(other.reference, d.decidedAt), action: 'panel.decide' }, messages)).toBe('decided');
  const decideStore = env.sim.requestCount();
  // decision POST, $batch (1 step + 2 messages + audit), agenda PATCH, referral GET + PATCH, decision PATCH
  expect(decideStore).toBe(1 + 4 + 1 + 2 + 1);
  console.log(`requests: recommendation ${first}, change of mind ${changeOfMind}, decideItem use case (1 step, 2 messages) ${decideUseCase}, store decide (1 step, 2 messages) ${decideStore}`);
});

test('two bot instances record 10 members concurrently on one item, then all change their minds: 10 items, 20 audit entries, tally right', async () => {
  env.reset();
  await provisionSite(env);
  const a = env.stores();
  const b = env.stores(); // another SharePointSite client: another bot instance
  const panelsA = new GraphPanelStore(a.site);
  const panelsB = new GraphPanelStore(b.site);
  const clock = ticking();
  const { item } = await onAgenda(panelsA, a.referrals, 10);
  const ids = members(10).map((m) => m.aadObjectId);
  const round = (value: (i: number) => string) =>
    Promise.all(
      ids.map(async (id, i) => {
        const deps = i % 2 ? { panels: panelsB, audit: b.audit, clock } : { panels: panelsA, audit: a.audit, clock };
        const r = await recordRecommendation(deps, actor(id), { itemId: item.id, value: value(i) });
        expect(r.ok).toBe(true);
      }),
    );
  await round((i) => (i < 7 ? 'support' : 'not-support'));
  let recs = items('recommendations');
  expect(recs).toHaveLength(10);
  expect(items('audit').filter((e) => e.fields['Action'] === 'panel.recommend')).toHaveLength(10);
  for (const store of [panelsA, panelsB]) {
    const state = (await itemState({ panels: store }, item.id))!;
    expect(state.tally.counts).toEqual({ support: 7, 'not-support': 3, 'more-information': 0, 'refer-elsewhere': 0 });
    expect(state.tally.awaiting).toEqual(['c1']);
  }

  await round((i) => (i < 4 ? 'more-information' : i === 9 ? 'conflict' : 'support'));
  recs = items('recommendations');
  expect(recs).toHaveLength(10);
  expect(new Set(recs.map((r) => r.fields['RecKey'])).size).toBe(10);
  expect(items('audit').filter((e) => e.fields['Action'] === 'panel.recommend')).toHaveLength(20);
  const state = (await itemState({ panels: panelsB }, item.id))!;
  expect(state.tally.counts).toEqual({ support: 5, 'not-support': 0, 'more-information': 4, 'refer-elsewhere': 0 });
  expect(state.tally.conflicts).toEqual(['m10']);
});

test('a late recommendation on another instance, inside its cache window after the decision, is stored but never shown or counted', async () => {
  env.reset();
  await provisionSite(env);
  const a = env.stores();
  const b = env.stores();
  const panelsA = new GraphPanelStore(a.site);
  const panelsB = new GraphPanelStore(b.site);
  const clock = ticking();
  const { item } = await onAgenda(panelsA, a.referrals, 3);
  const depsA = { panels: panelsA, audit: a.audit, clock, referrals: a.referrals };
  const depsB = { panels: panelsB, audit: b.audit, clock, referrals: b.referrals };
  for (const m of ['m1', 'm2']) expect((await recordRecommendation(depsB, actor(m), { itemId: item.id, value: 'support' })).ok).toBe(true);
  expect((await decideItem(depsA, actor('c1'), item.id, { ...form(), quorumOverrideReason: 'urgent' })).ok).toBe(true);

  // B still holds the item as open (read under cacheMs ago): the late answer goes in...
  const late = await recordRecommendation(depsB, actor('m3'), { itemId: item.id, value: 'not-support' });
  expect(late.ok).toBe(true);
  expect(items('recommendations')).toHaveLength(3);
  // ...but no fresh read shows it, on either instance, and the card rendered from it shows the item closed.
  for (const store of [panelsA, panelsB]) {
    expect((await store.recommendations(item.id)).map((r) => r.member).sort()).toEqual(['m1', 'm2']);
    const state = (await itemState({ panels: store }, item.id))!;
    expect(state.item.status).toBe('closed');
    expect(state.tally.counts).toMatchObject({ support: 2, 'not-support': 0 });
  }
  // and once B has seen the item closed it refuses outright
  expect(await recordRecommendation(depsB, actor('m3'), { itemId: item.id, value: 'support' })).toEqual({ ok: false, error: { code: 'PANEL.ITEM_CLOSED' } });
});

describe('a decide interrupted half way', () => {
  const steps = [{ owner: 'm1', text: 'Share the report', due: '2026-12-05' }, { owner: 'alnco-1', text: 'Update the IDP', due: '2026-12-12' }];
  const noRetry = { maxAttempts: 1, budgetMs: 0, baseDelayMs: 0, maxDelayMs: 0 };

  async function interrupted(fault: () => void) {
    env.reset();
    await provisionSite(env);
    const stores = env.stores({ retry: noRetry });
    const panels = new GraphPanelStore(stores.site);
    const clock = ticking();
    const deps = { panels, audit: stores.audit, clock, referrals: stores.referrals };
    const { item, referral } = await onAgenda(panels, stores.referrals, 3);
    for (const m of ['m1', 'm2', 'm3']) await recordRecommendation(deps, actor(m), { itemId: item.id, value: 'support' });
    fault();
    await expect(decideItem(deps, actor('c1'), item.id, form(steps))).rejects.toThrow();
    expect(items('decisions').map((d) => d.fields['State'])).toEqual(['pending']);
    return { stores, panels, deps, item, referral, decidedAt: clock.at() };
  }

  function expectFinishedOnce(reference: string, itemId: number) {
    const decisions = items('decisions');
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.fields['State']).toBe('done');
    expect(decisions[0]!.fields['Pending'] ?? null).toBeNull();
    expect(items('nextSteps').map((s) => s.fields['StepKey']).sort()).toEqual([`${itemId}:0`, `${itemId}:1`]);
    expect(items('outbox').map((o) => o.fields['Key']).sort()).toEqual([`case-card:${reference}`, `next-step:${reference}:${itemId}:0`, `outcome:${reference}:${itemId}`].sort());
    expect(items('audit').filter((e) => e.fields['Action'] === 'panel.decide').map((e) => e.fields['EntryKey'])).toEqual([`decide:${itemId}`]);
    const agenda = items('agenda');
    expect(agenda.map((a) => a.fields['Status'])).toEqual(['closed']);
    expect(agenda[0]!.fields['ClosedAt']).toBeTruthy();
    expect(items('referrals').map((r) => r.fields['Status'])).toEqual(['decided']);
  }

  test('right after the decision item is written: the reconciler finishes it (not while it may be in flight), once', async () => {
    // Every write of the $batch after the decision item fails (nothing after the commit point is written).
    const { stores, item, referral, decidedAt } = await interrupted(() => {
      for (let i = 0; i < 5; i++) env.sim.faults.next('POST', /\/items$/, '503', { inBatch: true });
    });
    expect(items('outbox')).toHaveLength(1); // the case card of the submit only
    expect(items('nextSteps')).toEqual([]);
    expect(items('agenda')[0]!.fields['Status']).toBe('open');
    // Within a minute of the decision the reconciler leaves it alone (the decide may still be running).
    expect((await reconcile(stores.site, new Date('2026-11-01T00:00:00Z'), new Date(decidedAt + 10_000))).decisions).toBeUndefined();
    expect(items('decisions')[0]!.fields['State']).toBe('pending');
    expect((await reconcile(stores.site, new Date('2026-11-01T00:00:00Z'), new Date(decidedAt + 120_000))).decisions).toBe(1);
    expectFinishedOnce(referral.reference, item.id);
    expect((await reconcile(stores.site, new Date('2026-11-01T00:00:00Z'), new Date(decidedAt + 240_000))).decisions).toBeUndefined();
    expectFinishedOnce(referral.reference, item.id);
  });

  test("after the item was closed (the referral's update failed): the chair's retry is told it is closed, the reconciler finishes it", async () => {
    const { stores, item, referral, deps, decidedAt } = await interrupted(() => {
      const id = env.sim.getList(env.site.id, LISTS.referrals.displayName)!.id;
      env.sim.faults.next('PATCH', new RegExp(`/lists/${id}/items/\\d+/fields$`), '503');
    });
    expect(items('agenda')[0]!.fields['Status']).toBe('closed');
    expect(items('referrals')[0]!.fields['Status']).toBe('on-agenda');
    const retry = await decideItem(deps, actor('c1'), item.id, form(steps));
    expect(!retry.ok && retry.error.code).toBe('PANEL.ITEM_CLOSED');
    expect((await reconcile(stores.site, new Date('2026-11-01T00:00:00Z'), new Date(decidedAt + 120_000))).decisions).toBe(1);
    expectFinishedOnce(referral.reference, item.id);
  });

  test("before the item was closed: the chair's retry (on another instance) finishes it and is told it is closed", async () => {
    const { item, referral } = await interrupted(() => {
      const id = env.sim.getList(env.site.id, LISTS.agenda.displayName)!.id;
      env.sim.faults.next('PATCH', new RegExp(`/lists/${id}/items/\\d+/fields$`), '429');
    });
    expect(items('nextSteps')).toHaveLength(2);
    expect(items('agenda')[0]!.fields['Status']).toBe('open');
    const other = env.stores();
    const panels = new GraphPanelStore(other.site);
    const retry = await decideItem({ panels, audit: other.audit, referrals: other.referrals, clock: ticking() }, actor('c1'), item.id, form(steps));
    expect(!retry.ok && retry.error.code).toBe('PANEL.ITEM_CLOSED');
    expectFinishedOnce(referral.reference, item.id);
    expect((await panels.decision(item.id))!.outcome).toBe('agreed-with-changes');
  });
});


const SMALL_BUDGET = { maxAttempts: 2, budgetMs: 5_000, baseDelayMs: 100, maxDelayMs: 5_000 };
test.each([1, 2, 3, 4, 5, 6].flatMap((seed) => [
  ['default retry budget', seed, undefined],
  ['a retry budget so small that failures reach the user', seed, SMALL_BUDGET],
] as const))('referral → agenda → posted → 5 recommendations → decision, 20%% of requests throttled and 5%% dropped, %s, seed %i: nothing lost, nothing doubled', async (name, seed, retry) => {
  env.reset();
  await provisionSite(env);
  const stores = env.stores(retry ? { retry } : {});
  const panels = new GraphPanelStore(stores.site);
  const clock = ticking();
  const deps = { panels, audit: stores.audit, clock, referrals: stores.referrals };
  await panels.seed([panelWith(5)]);
  await stores.referrals.count(); // site and lists resolved before the faults start
  env.sim.clearLog();
  env.sim.faults.set({ rate: 0.25, kinds: ['429', '503', '429', '503', '429', '503', '429', '503', 'drop', 'dropAfterApply'], retryAfterSeconds: 2, seed });
  const tries = { n: 0, failures: 0 };

  const referral = await untilDone(async () => (await stores.referrals.submit(write('flow-1'))).referral, tries, 500);
  const agenda = await untilDone(async () => {
    const waiting = await panels.unqueued(['school-aln-decision']);
    if (waiting.length > 0) await panels.enqueue('mams-a', waiting);
    return panels.agenda('mams-a');
  }, tries, 500);
  expect(agenda).toHaveLength(1);
  const item = agenda[0]!;
  await untilDone(() => panels.markPosted(item.id, 'conv', 'act-1', openAudit(referral.reference, clock.now().toISOString())), tries, 500);
  await untilDone(() => itemState(deps, item.id), tries, 500); // the card is rendered from the store

  await Promise.all(
    members(5).map((m, i) =>
      untilDone(async () => {
        const r = await recordRecommendation(deps, actor(m.aadObjectId), { itemId: item.id, value: i === 4 ? 'not-support' : 'support' });
        if (!r.ok) throw new Error(r.error.code);
      }, tries, 500),
    ),
  );
  let attempts = 0;
  await untilDone(async () => {
    attempts++;
    const r = await decideItem(deps, actor('c1'), item.id, form([{ owner: 'm1', text: 'Share the report', due: '2026-12-05' }]));
    // A retry after an attempt that got as far as writing the decision is told the item is closed: the decision stands.
    if (!r.ok && !(attempts > 1 && r.error.code === 'PANEL.ITEM_CLOSED')) throw new Error(r.error.code);
  }, tries, 500);
  const faulted = env.sim.log.filter((e) => e.fault).length;
  const requests = env.sim.log.length;
  env.sim.faults.clear();
  await reconcile(stores.site, new Date('2026-11-01T00:00:00Z'), new Date(clock.at() + 120_000));

  expect(items('referrals').map((r) => r.fields['Status'])).toEqual(['decided']);
  expect(items('agenda').map((a) => [a.fields['Status'], a.fields['ActivityId']])).toEqual([['closed', 'act-1']]);
  const recs = items('recommendations');
  expect(recs.map((r) => r.fields['Member']).sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  const audit = items('audit').map((e) => String(e.fields['Action']));
  expect(audit.filter((a) => a === 'referral.submit')).toHaveLength(1);
  expect(audit.filter((a) => a === 'panel.open')).toHaveLength(1);
  expect(audit.filter((a) => a === 'panel.recommend')).toHaveLength(5);
  expect(audit.filter((a) => a === 'panel.decide')).toHaveLength(1);
  expect(items('decisions').map((d) => d.fields['State'])).toEqual(['done']);
  expect(items('nextSteps')).toHaveLength(1);
  expect(items('outbox').map((o) => o.fields['Key']).sort()).toEqual([`case-card:${referral.reference}`, `next-step:${referral.reference}:${item.id}:0`, `outcome:${referral.reference}:${item.id}`].sort());
  const state = (await itemState({ panels: new GraphPanelStore(stores.site) }, item.id))!;
  expect(state.tally.counts).toMatchObject({ support: 4, 'not-support': 1 });
  expect(state.item.status).toBe('closed');
  expect(faulted).toBeGreaterThan(5);
  console.log(`panel flow under faults (${name}, seed ${seed}): ${requests} requests, ${faulted} faulted, ${tries.failures} user-visible "try again"`);
});
