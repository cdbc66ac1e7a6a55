import Database from 'better-sqlite3';
import { join } from 'node:path';
import { TENANT, execute, message, validForm } from '../support/activities';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
beforeEach(async () => { h = await startHarness({ ALLOWED_TENANTS: TENANT }); });
afterEach(async () => h.close());

test('activities from a tenant not on the allow-list are not processed; the user is told', async () => {
  const other = 'ffffffff-0000-0000-0000-00000000hwb0';
  await h.post(message('/refer', { serviceUrl: h.connector.url, tenant: other, conversationId: 'a:hwb' }));
  expect(h.connector.texts('a:hwb')).toEqual(['This service is not available to your organisation.']);
  expect(h.connector.cards('a:hwb')).toHaveLength(0);
  const res = await h.post(execute('referral.submit', { ...validForm(), idempotencyKey: 'abcdef12-0000' }, { serviceUrl: h.connector.url, tenant: other }));
  expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'This service is not available to your organisation.' });
  const db = new Database(join(h.dir, 'inclusion.db'), { readonly: true });
  expect((db.prepare('SELECT COUNT(*) AS n FROM referrals').get() as { n: number }).n).toBe(0);
  expect((db.prepare('SELECT COUNT(*) AS n FROM conversations').get() as { n: number }).n).toBe(0);
  db.close();
  // the home tenant is served
  await h.post(message('/help', { serviceUrl: h.connector.url, conversationId: 'a:home' }));
  expect(h.connector.cards('a:home')).toHaveLength(1);
});
