/**
 * SharePoint (Graph) benchmark on the simulator with 50 ms added per HTTP request: Graph requests per referral
 * submit with one attached document (each request inside a $batch counted), submit latency, provisioning time on
 * an empty site, and Graph requests per recorded recommendation.
 */
import { GraphSimulator } from '../tests/graph-simulator';
import { GraphHttp } from '../src/adapters/graph/graph-http';
import { provision } from '../src/adapters/graph/provision';
import { SharePointSite } from '../src/adapters/graph/site';
import { createGraphStores } from '../src/adapters/graph/stores';
import { attachDocument } from '../src/app/attach-document';
import { recordRecommendation } from '../src/app/record-recommendation';
import { submitReferral } from '../src/app/submit-referral';
import { directory } from '../tests/graph/flow';
import { validForm } from '../tests/support/activities';
import { fmt, stats } from './lib';

const LATENCY_MS = Number(process.env.BENCH_GRAPH_LATENCY_MS ?? 50);
const SUBMITS = Number(process.env.BENCH_GRAPH_SUBMITS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_GRAPH_USERS ?? 10);
const TARGET_PER_SUBMIT = 6;
const TARGET_PER_RECOMMENDATION = 2;
const SITE = 'contoso.sharepoint.com:/sites/InclusionTrainingPortal';

export async function benchGraph(): Promise<Record<string, unknown> & { ok: boolean }> {
  const sim = new GraphSimulator();
  await sim.start();
  try {
    sim.addToken('t', { appId: 'bot', roles: ['Sites.Selected'] });
    sim.requireSiteGrant('bot');
    const info = sim.addSite('contoso.sharepoint.com', '/sites/InclusionTrainingPortal');
    sim.grantSite(info.id, 'bot', ['fullcontrol']);
    sim.latencyMs = LATENCY_MS;

    const t0 = performance.now();
    const site = new SharePointSite(new GraphHttp({ baseUrl: sim.baseUrl, getToken: async () => 't' }), SITE);
    await provision(site, { adminPrincipalId: 7, sharePointToken: async () => 't' });
    const provisionMs = performance.now() - t0;
    const provisionRequests = sim.httpRequestCount();

    const stores = createGraphStores({ baseUrl: sim.baseUrl, site: SITE, graphToken: async () => 't', sharePointToken: async () => 't' });
    await stores.check();
    const now = new Date('2026-11-23T10:00:00Z');
    const clock = { now: () => now };
    const clocks = { due: () => ({ ok: false as const, problem: 'no-calendar' as const }), citation: () => undefined };
    const doc = Buffer.alloc(200 * 1024, 1);

    // Request counts, one referral at a time so each is attributed exactly.
    const perStep = { submit: 0, chooseTarget: 0, turnPreferences: 0, attach: 0 };
    const samples = 5;
    for (let i = -1; i < samples; i++) {
      // i = -1 warms up: the library's drive id is resolved once per process.
      const w = i >= 0 ? 1 : 0;
      const actor = { aadObjectId: `count-${i}`, name: 'A', correlationId: `c-${i}` };
      sim.clearLog();
      const r = await submitReferral({ directory, referrals: stores.referrals, clocks, hasher: { hash: (v) => `h-${v}` }, clock }, actor, validForm(), `count-${i}`);
      if (!r.ok) throw new Error(r.error.code);
      perStep.submit += w * sim.requestCount();
      sim.clearLog();
      await stores.users.setDocumentTarget(actor.aadObjectId, r.value.referral.reference, new Date(now.getTime() + 1800_000));
      perStep.chooseTarget += w * sim.requestCount();
      // The file arrives in a message turn: the bot reads the user's preferences once per turn (language and the
      // document target come from that one read), then the attach use case stores the file.
      sim.clearLog();
      const prefs = await stores.users.preferences(actor.aadObjectId, now);
      perStep.turnPreferences += w * sim.requestCount();
      sim.clearLog();
      const a = await attachDocument(
        { documents: stores.documents, users: { documentTarget: async () => prefs.documentTarget }, audit: stores.audit, clock, maxBytes: 25 << 20, allowedTypes: ['pdf'], fetcher: { fetch: async () => doc } },
        actor,
        { name: 'assessment.pdf', fileType: 'pdf', downloadUrl: 'https://example.invalid/x' },
      );
      if (!a.ok) throw new Error(a.error.code);
      perStep.attach += w * sim.requestCount();
      }
    const per = Object.fromEntries(Object.entries(perStep).map(([k, v]) => [k, v / samples])) as typeof perStep;
    const submitPlusAttach = per.submit + per.attach;

    // Recorded recommendations: a panel of 12 members, one referral on its agenda, posted; each member records once
    // (after one warm-up), then one member changes their mind. Counted per use case call (recordRecommendation).
    const members = Array.from({ length: 12 }, (_, i) => ({ aadObjectId: `m${i}`, name: `Member ${i}`, role: 'member' as const, agency: (i % 2 ? 'health' : 'education') as 'health' | 'education' }));
    const panel = { id: 'mams-bench', name: { en: 'MAMS', cy: 'MAMS' }, kind: 'MAMS' as const, routes: ['multi-agency-discussion' as const], cadence: 'monthly' as const, quorum: { minMembers: 3 }, members: [{ aadObjectId: 'chair', name: 'Chair', role: 'chair' as const, agency: 'education' as const }, ...members] };
    await stores.panels.seed([panel]);
    const queued = await submitReferral({ directory, referrals: stores.referrals, clocks, hasher: { hash: (v) => `h-${v}` }, clock }, { aadObjectId: 'alnco', name: 'A', correlationId: 'rec' }, validForm({ routeId: 'multi-agency-discussion' }), 'rec-referral');
    if (!queued.ok) throw new Error(queued.error.code);
    await stores.panels.enqueue(panel.id, await stores.panels.unqueued(['multi-agency-discussion']));
    const item = (await stores.panels.itemByReference(queued.value.referral.reference))!;
    await stores.panels.markPosted(item.id, 'conv', 'act', { at: now.toISOString(), actor: 'chair', action: 'panel.open', recordType: 'referral', recordId: item.reference, correlationId: 'open' });
    const recDeps = { panels: stores.panels, audit: stores.audit, clock };
    let recClock = now.getTime();
    const recAt = { now: () => new Date((recClock += 1000)) };
    const recCounts: number[] = [];
    const recLatencies: number[] = [];
    for (const [i, m] of members.entries()) {
      sim.clearLog();
      const t = performance.now();
      const r = await recordRecommendation({ ...recDeps, clock: recAt }, { aadObjectId: m.aadObjectId, name: m.name, correlationId: `r-${i}` }, { itemId: item.id, value: i % 3 ? 'support' : 'more-information' });
      if (!r.ok) throw new Error(r.error.code);
      if (i > 0) {
        recCounts.push(sim.requestCount());
        recLatencies.push(performance.now() - t);
      }
    }
    sim.clearLog();
    await recordRecommendation({ ...recDeps, clock: recAt }, { aadObjectId: 'm1', name: 'Member 1', correlationId: 'r-change' }, { itemId: item.id, value: 'not-support' });
    const changeOfMind = sim.requestCount();
    const perRecommendation = recCounts.reduce((a, b) => a + b, 0) / recCounts.length;
    const recStats = stats(recLatencies);

    // Submit latency under concurrency.
    const latencies: number[] = [];
    let next = 0;
    let errors = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        while (next < SUBMITS) {
          const i = next++;
          const t = performance.now();
          try {
            const r = await submitReferral({ directory, referrals: stores.referrals, clocks, hasher: { hash: (v) => `h-${v}` }, clock }, { aadObjectId: `lat-${w}`, name: 'A', correlationId: `l-${i}` }, validForm(), `lat-${i}`);
            if (r.ok) latencies.push(performance.now() - t);
            else errors++;
          } catch {
            errors++;
          }
        }
      }),
    );
    const s = stats(latencies);
    const ok = submitPlusAttach <= TARGET_PER_SUBMIT && perRecommendation <= TARGET_PER_RECOMMENDATION && errors === 0;
    console.log(`\nGraph benchmark: simulator with ${LATENCY_MS} ms per HTTP request`);
    console.log(`provisioning an empty site: ${fmt(provisionMs)} ms, ${provisionRequests} HTTP requests`);
    console.log('Graph requests (each request inside a $batch counted):');
    console.log(`  submit referral                 ${fmt(per.submit, 1)}  (referral item; $batch: case-card message + audit entry)`);
    console.log(`  attach one document             ${fmt(per.attach, 1)}  (file PUT, library columns PATCH, audit entry)`);
    console.log(`  submit + attach                 ${fmt(submitPlusAttach, 1)}  target ≤ ${TARGET_PER_SUBMIT}: ${submitPlusAttach <= TARGET_PER_SUBMIT ? 'met' : 'MISSED'}`);
    console.log(`  + preferences read per turn     ${fmt(per.turnPreferences, 1)}  (every message turn reads it once: language and document target; the file's turn needs it fresh)`);
    console.log(`  choose document target (button) ${fmt(per.chooseTarget, 1)}  (separate user action, not in the figure above)`);
    console.log(`submit latency, ${CONCURRENCY} concurrent users, ${SUBMITS} submits: p50 ${fmt(s.p50)} ms, p95 ${fmt(s.p95)} ms, p99 ${fmt(s.p99)} ms, errors ${errors}`);
    console.log(`  recorded recommendation         ${fmt(perRecommendation, 1)}  target ≤ ${TARGET_PER_RECOMMENDATION}: ${perRecommendation <= TARGET_PER_RECOMMENDATION ? 'met' : 'MISSED'}  (one $batch: the member's item + its audit entry; p50 ${fmt(recStats.p50)} ms; ${recCounts.length} members)`);
    console.log(`  a member changing their mind    ${fmt(changeOfMind, 1)}  (the keyed create answers 409: find the member's item, PATCH it with If-Match)`);
    console.log(`graph benchmark: ${ok ? 'TARGETS MET' : 'TARGETS MISSED'}`);
    return { latencyMs: LATENCY_MS, provisionMs, provisionRequests, requests: { ...per, submitPlusAttach, target: TARGET_PER_SUBMIT, perRecommendation, changeOfMind, recommendationTarget: TARGET_PER_RECOMMENDATION }, submitLatency: { users: CONCURRENCY, ...s, errors }, ok };
  } finally {
    await sim.stop();
  }
}

if (require.main === module) void benchGraph().then((r) => process.exit(r.ok ? 0 : 1));
