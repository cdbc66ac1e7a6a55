/** SharePoint adapter behaviour the port contract cannot show: provisioning, retries, eTags, paging, thresholds, permissions, uploads, reconciling. */
import { GraphHttp, GraphRequestError } from '../../src/adapters/graph/graph-http';
import { tokensFromSettings } from '../../src/adapters/graph/credential';
import { formatReport, provision, GrantMissingError } from '../../src/adapters/graph/provision';
import { reconcile } from '../../src/adapters/graph/reconciler';
import { referralFields } from '../../src/adapters/graph/referral-store';
import { LISTS } from '../../src/adapters/graph/schema';
import { clean, PermissionsNotUniqueError, SharePointSite } from '../../src/adapters/graph/site';
import { submitWrite, baseReferral } from '../contract/contract';
import { ADMIN_PRINCIPAL, provisionSite, SITE, startSim, TOKEN } from './support';

let env: Awaited<ReturnType<typeof startSim>>;
beforeAll(async () => {
  env = await startSim();
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

const siteWith = (token = TOKEN) => new SharePointSite(new GraphHttp({ baseUrl: env.sim.baseUrl, getToken: async () => token, waiter: env.waiter }), SITE);

describe('provisioning', () => {
  test('creates every list, column, index and unique permission; a second run changes nothing; dry run changes nothing', async () => {
    const dry = await provision(siteWith(), { dryRun: true, adminPrincipalId: ADMIN_PRINCIPAL, sharePointToken: async () => TOKEN });
    expect(dry.steps.filter((s) => s.kind === 'list' && s.action === 'create')).toHaveLength(Object.keys(LISTS).length);
    expect(env.sim.getList(env.site.id, LISTS.referrals.displayName)).toBeUndefined();
    expect(formatReport(dry, true)).toContain('would create list "Inclusion Referrals"');

    const first = await provisionSite(env);
    expect(first.complete).toBe(true);
    const referrals = env.sim.getList(env.site.id, LISTS.referrals.displayName)!;
    expect(referrals.columns.find((c) => c.name === 'IdempotencyKey')).toMatchObject({ indexed: true, enforceUniqueValues: true });
    expect(referrals.columns.find((c) => c.name === 'SubmitterId')).toMatchObject({ indexed: true });
    expect(referrals.roleAssignments).toEqual([{ principalId: ADMIN_PRINCIPAL, roleDefinitionIds: [1073741829] }]);
    const docs = env.sim.getList(env.site.id, LISTS.documents.displayName)!;
    expect(docs.columns.find((c) => c.name === 'DocumentReference')).toMatchObject({ indexed: true });

    env.sim.clearLog();
    const second = await provisionSite(env);
    expect(second.complete).toBe(true);
    expect(second.steps.filter((s) => s.action === 'create' || s.action === 'index' || s.action === 'break-inheritance')).toEqual([]);
    expect(env.sim.log.filter((e) => e.method !== 'GET')).toEqual([]);
    expect(formatReport(second, false)).toContain('0 change(s) made');
  });

  test('adds a missing column and index to an existing list and leaves other columns alone', async () => {
    await provisionSite(env);
    const http = new GraphHttp({ baseUrl: env.sim.baseUrl, getToken: async () => TOKEN, waiter: env.waiter });
    const list = env.sim.getList(env.site.id, LISTS.outbox.displayName)!;
    await http.call('PATCH', `/sites/${env.site.id}/lists/${list.id}/columns/State`, { indexed: false });
    await http.call('POST', `/sites/${env.site.id}/lists/${list.id}/columns`, { name: 'Extra', text: {} });
    const again = await provisionSite(env);
    expect(again.steps.filter((s) => s.kind === 'column' && s.action !== 'ok')).toEqual([{ kind: 'column', list: 'Inclusion Outbox', column: 'State', action: 'index' }]);
    expect(env.sim.getList(env.site.id, LISTS.outbox.displayName)!.columns.map((c) => c.name)).toContain('Extra');
  });

  test('refuses with a clear message when the identity has no grant on the site', async () => {
    env.sim.addToken('no-grant', { appId: 'other-app', roles: ['Sites.Selected'] });
    env.sim.requireSiteGrant('other-app');
    await expect(provision(siteWith('no-grant'))).rejects.toThrow(GrantMissingError);
    await expect(provision(siteWith('no-grant'))).rejects.toThrow(/Sites.Selected/);
  });

  test('a client-secret credential cannot set permissions: the lists are created and the exact steps printed', async () => {
    const r = await provision(siteWith(), { adminPrincipalId: ADMIN_PRINCIPAL, sharePointToken: undefined });
    expect(r.complete).toBe(false);
    expect(r.manual).toHaveLength(Object.keys(LISTS).length);
    expect(formatReport(r, false)).toMatch(/Stop Inheriting Permissions/);
  });
});

describe('start-up permission check', () => {
  test('personal data is not written to a list that still inherits the site permissions', async () => {
    await provision(siteWith(), { sharePointToken: undefined }); // lists made, permissions left inherited
    const stores = env.stores();
    const check = await stores.check();
    expect(check.missing).toEqual([]);
    expect(check.inheriting).toEqual(expect.arrayContaining(['Inclusion Referrals', 'Inclusion Documents']));
    await expect(stores.referrals.submit(submitWrite('p1'))).rejects.toThrow(PermissionsNotUniqueError);
    expect(env.sim.getItems(env.site.id, LISTS.referrals.displayName)).toEqual([]);
    await stores.users.setLanguage('u1', 'cy'); // preferences hold no personal data about learners
  });
});

describe('retries, eTags, paging', () => {
  beforeEach(async () => {
    await provisionSite(env);
  });

  test('429 and 503 are retried after Retry-After on the injected clock; past the budget the error surfaces', async () => {
    const stores = env.stores();
    env.sim.faults.next('GET', /\/items$/, '429', { retryAfterSeconds: 7 });
    env.sim.faults.next('GET', /\/items$/, '503', { retryAfterSeconds: 3 });
    expect(await stores.users.language('u1')).toBeUndefined();
    expect(env.waiter.slept).toBe(10_000);
    const tight = env.stores({ retry: { maxAttempts: 3, budgetMs: 5_000, baseDelayMs: 100, maxDelayMs: 30_000 } });
    await tight.users.language('warm-up');
    env.sim.faults.set({ rate: 1, kinds: ['429'], retryAfterSeconds: 4 });
    await expect(tight.users.language('u1')).rejects.toMatchObject({ status: 429 });
    env.sim.faults.clear();
  });

  test('a throttled request inside a $batch is sent again alone', async () => {
    const stores = env.stores();
    await stores.referrals.count(); // resolve the site and lists first
    env.sim.faults.next('POST', /\/items$/, '429', { inBatch: true, retryAfterSeconds: 5 });
    const { referral } = await stores.referrals.submit(submitWrite('b1'));
    expect(env.waiter.slept).toBe(5_000);
    expect(await stores.audit.list({ recordId: referral.reference })).toHaveLength(1);
    expect(env.sim.getItems(env.site.id, LISTS.outbox.displayName)).toHaveLength(1);
  });

  test('an update made on a stale eTag is re-read and re-applied, never overwriting the newer change', async () => {
    const stores = env.stores();
    await stores.outbox.enqueue([{ key: 'k', target: { kind: 'user', aadObjectId: 'u' }, payload: { template: 't', data: {} } }], new Date('2026-01-01T00:00:00Z'));
    const [m] = await stores.outbox.due(new Date('2026-01-02T00:00:00Z'), 5);
    const other = env.stores();
    await other.outbox.due(new Date('2026-01-02T00:00:00Z'), 5);
    await other.outbox.markFailed(m!.id, 'first', new Date('2026-01-01T00:01:00Z'), false); // the other instance wins the race
    env.sim.clearLog();
    await stores.outbox.markFailed(m!.id, 'second', new Date('2026-01-01T00:02:00Z'), false); // our eTag is stale now
    expect(env.sim.log.map((e) => e.status)).toEqual([412, 200, 200]);
    const [after] = await stores.outbox.due(new Date('2026-01-02T00:00:00Z'), 5);
    expect(after).toMatchObject({ attempts: 2, lastError: 'second' });
  });

  test('an update whose answer was lost is not applied twice when its replay meets 412', async () => {
    const stores = env.stores();
    await stores.outbox.enqueue([{ key: 'k', target: { kind: 'user', aadObjectId: 'u' }, payload: { template: 't', data: {} } }], new Date('2026-01-01T00:00:00Z'));
    const [m] = await stores.outbox.due(new Date('2026-01-02T00:00:00Z'), 5);
    env.sim.faults.next('PATCH', /\/fields$/, 'dropAfterApply');
    await stores.outbox.markFailed(m!.id, 'once', new Date('2026-01-01T00:01:00Z'), false);
    const [after] = await stores.outbox.due(new Date('2026-01-02T00:00:00Z'), 5);
    expect(after).toMatchObject({ attempts: 1, lastError: 'once' });
  });

  test('reads follow @odata.nextLink; lists past 5,000 items answer the indexed queries', async () => {
    const stores = env.stores();
    const rows = Array.from({ length: 5200 }, (_, i) => clean({
      ...referralFields({ ...baseReferral({ submittedBy: { aadObjectId: i < 1300 ? 'busy' : `u${i}`, name: 'x' }, submittedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() }) }, `seed-${i}`, 'MON', 2026),
    }));
    env.sim.seedItems(env.site.id, LISTS.referrals.displayName, rows);
    env.sim.clearLog();
    const page = await stores.referrals.listBySubmitter('busy', 0, 3);
    expect(page.total).toBe(1300);
    expect(page.items[0]?.submittedAt).toBe(new Date(Date.UTC(2026, 0, 1) + 1299 * 60_000).toISOString());
    expect(env.sim.log.filter((e) => e.method === 'GET' && e.path.endsWith('/items'))).toHaveLength(2); // 999 + 301
    expect(await stores.referrals.count()).toBe(5200);
    expect((await stores.referrals.get('MON-2026-005200'))?.submittedBy.aadObjectId).toBe('u5199');
  });
});

describe('documents', () => {
  beforeEach(async () => {
    await provisionSite(env);
  });

  test('large files go in 320 KiB-multiple chunks, resume after a dropped chunk, and carry reference and type columns', async () => {
    const stores = env.stores({ documents: { simpleUploadMaxBytes: 1024 * 1024, chunkBytes: 320 * 1024 } });
    const bytes = Buffer.alloc(2_000_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 251;
    await stores.documents.list('MON-2026-000009'); // resolve ids first
    env.sim.faults.next('PUT', /_upload/, 'drop');
    const d = await stores.documents.put({ reference: 'MON-2026-000009', name: 'assessment.pdf', type: 'pdf', bytes, storedBy: 'u1', at: new Date('2026-11-23T10:00:00Z') });
    expect(d.size).toBe(bytes.length);
    const drive = env.sim.getList(env.site.id, LISTS.documents.displayName)!.driveId!;
    expect(env.sim.getFileContent(drive, 'MON-2026-000009/assessment.pdf')?.equals(bytes)).toBe(true);
    expect(env.sim.getItems(env.site.id, LISTS.documents.displayName).map((i) => i.fields).filter((f) => Object.keys(f).length > 0)).toEqual([ // the folder has no columns
      expect.objectContaining({ DocumentReference: 'MON-2026-000009', DocumentType: 'pdf', DocumentSize: bytes.length }),
    ]);
    const puts = env.sim.log.filter((e) => e.area === 'upload' && e.method === 'PUT');
    expect(puts.some((e) => e.dropped)).toBe(true);
  });

  test('a file written whose answer was lost is adopted, not duplicated', async () => {
    const stores = env.stores();
    await stores.documents.list('MON-2026-000009');
    env.sim.faults.next('PUT', /\/content$/, 'dropAfterApply');
    await stores.documents.put({ reference: 'MON-2026-000009', name: 'a.pdf', type: 'pdf', bytes: Buffer.from('abc'), storedBy: 'u1', at: new Date('2026-11-23T10:00:00Z') });
    expect((await stores.documents.list('MON-2026-000009')).map((d) => d.name)).toEqual(['a.pdf']);
  });
});

describe('half-done submits', () => {
  beforeEach(async () => {
    await provisionSite(env);
  });

  test('the reconciler finishes a referral whose messages and audit entry were never written; a retry of the same key too', async () => {
    const stores = env.stores();
    const w = submitWrite('half');
    // The first write happened, then the process died.
    await stores.site.createKeyed('referrals', 'IdempotencyKey', { ...referralFields(w.referral, w.idempotencyKey, w.prefix, w.year), Pending: JSON.stringify({ audit: w.audit, outbox: w.outbox }) });
    const w2 = submitWrite('half-2');
    await stores.site.createKeyed('referrals', 'IdempotencyKey', { ...referralFields(w2.referral, w2.idempotencyKey, w2.prefix, w2.year), Pending: JSON.stringify({ audit: w2.audit, outbox: w2.outbox }) });
    const done = await stores.referrals.submit(submitWrite('whole'));
    const r = await reconcile(stores.site, new Date('2026-11-01T00:00:00Z'));
    expect(r).toEqual({ checked: 3, completed: 2 });
    expect(await reconcile(stores.site, new Date('2026-11-01T00:00:00Z'))).toEqual({ checked: 3, completed: 0 });
    expect(env.sim.getItems(env.site.id, LISTS.outbox.displayName)).toHaveLength(3);
    expect(env.sim.getItems(env.site.id, LISTS.audit.displayName)).toHaveLength(3);
    const again = await stores.referrals.submit(submitWrite('half'));
    expect(again.created).toBe(false);
    expect(again.referral.reference).not.toBe(done.referral.reference);
  });
});

test('GraphRequestError carries status and code only', () => {
  const e = new GraphRequestError(429, 'activityLimitReached', true);
  expect(e.message).toBe('Graph request failed: 429 activityLimitReached');
});

test('credentials: token gives both tokens; a client secret gets no SharePoint REST token; missing settings are named', async () => {
  const base = { GRAPH_BASE_URL: 'https://graph.microsoft.com/v1.0', SHAREPOINT_SITE: 'contoso.sharepoint.com:/sites/x' };
  const t = tokensFromSettings({ ...base, GRAPH_CREDENTIAL: 'token', GRAPH_ACCESS_TOKEN: 'abc' });
  expect(await t.graph()).toBe('abc');
  expect(await t.sharePoint!()).toBe('abc');
  const secret = tokensFromSettings({ ...base, GRAPH_CREDENTIAL: 'secret', GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c', GRAPH_CLIENT_SECRET: 's' });
  expect(secret.sharePoint).toBeUndefined();
  expect(tokensFromSettings({ ...base, GRAPH_CREDENTIAL: 'managed-identity', GRAPH_CLIENT_ID: 'c' }).sharePoint).toBeDefined();
  expect(() => tokensFromSettings({ ...base, GRAPH_CREDENTIAL: 'certificate', GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c' })).toThrow(/GRAPH_CERTIFICATE_PATH/);
});

describe('requests per action (each request inside a $batch counted)', () => {
  beforeEach(async () => {
    await provisionSite(env);
  });

  test('a submit is 3 requests; a file in a message turn is 1 preferences read + 3; an unchanged conversation reference is not written again', async () => {
    const stores = env.stores();
    const now = new Date('2026-11-23T10:00:00.000Z');
    // Warm up: site, lists and the library's drive resolved once per process.
    const warm = await stores.referrals.submit(submitWrite('warm'));
    await stores.documents.put({ reference: warm.referral.reference, name: 'w.pdf', type: 'pdf', bytes: Buffer.from('w'), storedBy: 'u1', at: now });
    await stores.users.preferences('u1', now);

    env.sim.clearLog();
    const { referral } = await stores.referrals.submit(submitWrite('counted'));
    expect(env.sim.requestCount()).toBe(3);
    await stores.users.setDocumentTarget('u1', referral.reference, new Date(now.getTime() + 60_000));

    env.sim.clearLog();
    const prefs = await stores.users.preferences('u1', now);
    expect(prefs.documentTarget).toBe(referral.reference);
    expect(env.sim.requestCount()).toBe(1);
    env.sim.clearLog();
    await stores.documents.put({ reference: prefs.documentTarget!, name: 'a.pdf', type: 'pdf', bytes: Buffer.from('abc'), storedBy: 'u1', at: now });
    await stores.audit.record({ at: now.toISOString(), actor: 'u1', action: 'document.add', recordType: 'referral', recordId: referral.reference, correlationId: 'c1' });
    expect(env.sim.requestCount()).toBe(3);

    await stores.conversations.save('user:u1', { conversation: { id: 'a' } });
    env.sim.clearLog();
    await stores.conversations.save('user:u1', { conversation: { id: 'a' } });
    expect(env.sim.requestCount()).toBe(0);
    await stores.conversations.save('user:u1', { conversation: { id: 'b' } });
    expect(env.sim.requestCount()).toBeGreaterThan(0);
  });
});
