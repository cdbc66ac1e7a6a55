/** STORE=sharepoint runs the real bot against the Graph simulator: the submit lands on the SharePoint lists. */
import { ALEX, execute, message, validForm } from '../support/activities';
import { actions, facts } from '../support/cards';
import { startHarness } from '../support/harness';
import { LISTS } from '../../src/adapters/graph/schema';
import { openSharePointStores } from '../../src/adapters/graph/wiring';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/adapters/log';
import { provisionSite, SITE, startSim, TOKEN } from './support';

let env: Awaited<ReturnType<typeof startSim>>;
beforeAll(async () => {
  env = await startSim();
});
afterAll(() => env.stop());
beforeEach(() => env.reset());

const spEnv = () => ({ STORE: 'sharepoint', SHAREPOINT_SITE: SITE, GRAPH_BASE_URL: env.sim.baseUrl, GRAPH_CREDENTIAL: 'token', GRAPH_ACCESS_TOKEN: TOKEN, UPN_HASH_KEY: 'test-upn-hash-key-0123456789abcdefghij' });

test('the whole submit goes to SharePoint: referral, audit entry and case card message', async () => {
  await provisionSite(env);
  const h = await startHarness(spEnv(), { worker: false });
  try {
    const opened = await h.post(message('/refer', { serviceUrl: h.connector.url, user: ALEX }));
    expect(opened.status).toBe(200);
    const card = h.connector.cards(`a:personal-${ALEX.aadObjectId}`)[0];
    const key = (actions(card).find((a) => a.verb === 'referral.submit')!.data as { idempotencyKey: string }).idempotencyKey;
    const res = await h.post(execute('referral.submit', { ...validForm(), idempotencyKey: key }, { serviceUrl: h.connector.url, user: ALEX }));
    expect(res.body.statusCode).toBe(200);
    const reference = facts(res.body.value)['Reference'];
    expect(reference).toBe('MON-2026-000001'); // the first item on the list
    expect(env.sim.getItems(env.site.id, LISTS.referrals.displayName)).toHaveLength(1);
    expect(env.sim.getItems(env.site.id, LISTS.audit.displayName).map((a) => a.fields['RecordId'])).toEqual([reference]);
    expect(env.sim.getItems(env.site.id, LISTS.outbox.displayName).map((a) => a.fields['Key'])).toEqual([`case-card:${reference}`]);
    // Logs carry no learner data.
    expect(h.logs.join('\n')).not.toMatch(/ADM-4471|2018-03-14|phonics/);
  } finally {
    await h.close();
  }
});

test('start-up refuses with the command to run when the lists are missing', async () => {
  const config = loadConfig({ ...spEnv(), SQLITE_PATH: ':memory:' });
  await expect(openSharePointStores(config, createLogger('silent'), { now: () => new Date() }, { eps: [] })).rejects.toThrow(
    /npm run provision -- --site contoso.sharepoint.com:\/sites\/InclusionTrainingPortal/,
  );
});
