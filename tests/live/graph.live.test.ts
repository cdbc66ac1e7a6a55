/**
 * Live suite against a real tenant. Enabled by GRAPH_LIVE=1 with GRAPH_TENANT_ID, GRAPH_CLIENT_ID,
 * GRAPH_CERTIFICATE_PATH (GRAPH_CREDENTIAL=certificate is assumed unless set) and SHAREPOINT_SITE pointing at a
 * provisioned TEST site (it writes a referral, an audit entry, a message and a document there, marked "live-test").
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
});
