/**
 * Live suite against a real tenant. Enabled by GRAPH_LIVE=1 with GRAPH_TENANT_ID, GRAPH_CLIENT_ID,
 * GRAPH_CERTIFICATE_PATH (GRAPH_CREDENTIAL=certificate is assumed unless set) and SHAREPOINT_SITE pointing at a
 * provisioned TEST site (it writes referrals, audit entries, messages, a document, a panel with a decision and a lease there, all marked "live-test").
 * Skipped, with the reason printed, when any of these is absent.
 */
import { randomUUID } from 'node:crypto';
import { tokensFromSettings } from '../../src/adapters/graph/credential';
import { provision } from '../../src/adapters/graph/provision';
import { createGraphStores } from '../../src/adapters/graph/stores';
import { loadConfig } from '../../src/config';
import { submitWrite } from '../contract/contract';

const REQUIRED = ['GRAPH_TENANT_ID', 'GRAPH_CLIENT_ID', 'GRAPH_CERTIFICATE_PATH', 'SHAREPOINT_SITE'] as const;
const live = process.env['GRAPH_LIVE'] === '1';
const missing = REQUIRED.filter((k) => !process.env[k]);
const reason = !live ? 'GRAPH_LIVE is not 1' : missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;

if (reason) {
  // eslint-disable-next-line no-console
  console.log(`Live SharePoint suite skipped: ${reason}. Set GRAPH_LIVE=1, ${REQUIRED.join(', ')} to run it against a test site.`);
}

(reason ? describe.skip : describe)('live SharePoint (real tenant)', () => {
  const config = () => loadConfig({ ...process.env, STORE: 'sharepoint', GRAPH_CREDENTIAL: process.env['GRAPH_CREDENTIAL'] ?? 'certificate' });
  const stores = () => {
    const c = config();
    const t = tokensFromSettings(c);
    return { c, t, s: createGraphStores({ baseUrl: c.GRAPH_BASE_URL, site: c.SHAREPOINT_SITE!, graphToken: t.graph, sharePointToken: t.sharePoint }) };
  };

  test('the site is provisioned: --verify would change nothing', async () => {
    const { t, s } = stores();
    const r = await provision(s.site, { dryRun: true, sharePointToken: t.sharePoint });
    const changes = r.steps.filter((x) => x.action === 'create' || x.action === 'index' || (x.kind === 'permissions' && x.action !== 'unique'));
    expect(changes).toEqual([]);
  }, 120_000);

  test('submit, read back, queue, store and read a document', async () => {
    const { s } = stores();
    const check = await s.check();
    expect(check).toMatchObject({ missing: [], inheriting: [] });
    const key = `live-test-${randomUUID()}`;
    const { referral, created } = await s.referrals.submit(submitWrite(key, { submittedBy: { aadObjectId: 'live-test', name: 'live test' } }));
    expect(created).toBe(true);
    expect((await s.referrals.submit(submitWrite(key))).created).toBe(false);
    expect((await s.referrals.get(referral.reference))?.reference).toBe(referral.reference);
    expect((await s.audit.list({ recordId: referral.reference })).length).toBeGreaterThanOrEqual(1);
    const d = await s.documents.put({ reference: referral.reference, name: 'live-test.txt', type: 'txt', bytes: Buffer.from('live test'), storedBy: 'live-test', at: new Date() });
    expect((await s.documents.read(referral.reference, d.name))?.toString()).toBe('live test');
    expect((await s.documents.list(referral.reference)).map((x) => x.name)).toContain(d.name);
  }, 120_000);

  test('a live-test panel: agenda, a recommendation, a decision; the lease taken and given up', async () => {
    const { s } = stores();
    const id = `live-test-${randomUUID().slice(0, 8)}`;
    const panel = {
      id, name: { en: 'Live test panel', cy: 'Panel prawf byw' }, kind: 'MAMS' as const, routes: ['school-aln-decision' as const], cadence: 'monthly' as const, quorum: { minMembers: 1 },
      members: [{ aadObjectId: 'live-test-chair', name: 'Live test chair', role: 'chair' as const, agency: 'education' as const }, { aadObjectId: 'live-test-member', name: 'Live test member', role: 'member' as const, agency: 'health' as const }],
    };
    await s.panels.seed([panel]);
    const { referral } = await s.referrals.submit(submitWrite(`live-test-${randomUUID()}`, { submittedBy: { aadObjectId: 'live-test', name: 'live test' } }));
    await s.panels.enqueue(id, [referral]);
    const item = (await s.panels.itemByReference(referral.reference))!;
    const at = new Date().toISOString();
    const audit = { at, actor: 'live-test-chair', action: 'panel.open', recordType: 'referral', recordId: referral.reference, correlationId: 'live-test' };
    await s.panels.markPosted(item.id, 'live-test-conversation', 'live-test-activity', audit);
    expect(await s.panels.recordRecommendation({ itemId: item.id, member: 'live-test-member', value: 'support', conflict: false, at }, { ...audit, actor: 'live-test-member', action: 'panel.recommend' })).toBe('recorded');
    expect((await s.panels.recommendations(item.id)).map((r) => r.value)).toEqual(['support']);
    const decision = { outcome: 'agreed' as const, reasons: 'live test', lead: 'live test', nextSteps: [], decidedBy: 'live-test-chair', decidedAt: new Date().toISOString() };
    expect(await s.panels.decide(item.id, decision, { ...audit, action: 'panel.decide' }, [])).toBe('decided');
    expect((await s.referrals.get(referral.reference))?.status).toBe('decided');
    const lease = `live-test-${randomUUID().slice(0, 8)}`;
    expect(await s.leases.acquire(lease, 'live-a', new Date(), 30_000)).toBe(true);
    expect(await s.leases.acquire(lease, 'live-b', new Date(), 30_000)).toBe(false);
    await s.leases.release(lease, 'live-a');
    expect(await s.leases.acquire(lease, 'live-b', new Date(), 30_000)).toBe(true);
  }, 180_000);
});
