import Database from 'better-sqlite3';
import { join } from 'node:path';
import { message } from '../support/activities';
import { startHarness, type Harness } from '../support/harness';

/**
 * Outside local mode every request to /api/messages must carry a valid Bot Framework token. This file covers requests
 * with no token (and the size/type limits under auth); signed-token cases (expired, wrong audience/issuer, tampered,
 * valid) need a local OpenID metadata endpoint and are still to be written: see the test.todo entries.
 */
const AUTH_ENV = {
  BOT_ID: '11111111-aaaa-bbbb-cccc-000000000b07',
  BOT_TENANT_ID: '72f988bf-0000-0000-0000-000000000001',
  BOT_TYPE: 'SingleTenant',
  BOT_PASSWORD: 'test-only-not-a-secret',
  UPN_HASH_KEY: 'x'.repeat(40),
  ALLOWED_TENANTS: '72f988bf-0000-0000-0000-000000000001',
  // never reached by these tests; points at a closed local port so nothing leaves the machine
  BOT_OPENID_METADATA_URL: 'http://127.0.0.1:9/.well-known/openidconfiguration',
};

let h: Harness;
beforeEach(async () => {
  h = await startHarness(AUTH_ENV);
});
afterEach(async () => h.close());

const rows = (table: string) => {
  const db = new Database(join(h.dir, 'inclusion.db'), { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

test('no Authorization header → 401; nothing processed, nothing sent, nothing stored', async () => {
  const res = await h.post(message('/refer', { serviceUrl: h.connector.url }));
  expect(res.status).toBe(401);
  expect(h.connector.received).toHaveLength(0);
  expect(rows('conversations')).toBe(0);
  expect(rows('audit')).toBe(0);
});

test('a malformed bearer token → 401; nothing processed', async () => {
  const res = await fetch(`${h.bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.jwt' },
    body: JSON.stringify(message('/help', { serviceUrl: h.connector.url })),
  });
  expect(res.status).toBe(401);
  expect(h.connector.received).toHaveLength(0);
  expect(rows('conversations')).toBe(0);
});

test('size and type limits hold under auth: 413 and 415 before any token work', async () => {
  const url = `${h.bot.url}/api/messages`;
  expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' })).status).toBe(415);
  expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(5 * 1024 * 1024) })).status).toBe(413);
  expect(h.connector.received).toHaveLength(0);
});

test.todo('expired, wrong-audience, wrong-issuer and tampered tokens signed by a local key (local OpenID metadata + JWKS) → 401');
test.todo('a valid token is processed (outgoing replies need an injectable credentials factory, see report)');
test.todo('a valid token from a tenant not in ALLOWED_TENANTS is not processed and the user is told');
