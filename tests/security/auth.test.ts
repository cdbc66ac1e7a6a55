import Database from 'better-sqlite3';
import { join } from 'node:path';
import { execute, message, validForm } from '../support/activities';
import { startHarness, type Harness } from '../support/harness';
import { LocalBotFrameworkIssuer } from '../support/jwt';
import { MicrosoftAppCredentials, PasswordServiceClientCredentialFactory } from 'botframework-connector';

/**
 * Outside local mode every request to /api/messages must carry a valid Bot Framework token. Tokens are signed by a
 * local RSA test key whose JWKS (with endorsements ["msteams"]) is served from a local OpenID metadata endpoint
 * (BOT_OPENID_METADATA_URL → ToBotFromChannelOpenIdMetadataUrl): tests/support/jwt.ts.
 */
const AUTH_ENV = {
  BOT_ID: '11111111-aaaa-bbbb-cccc-000000000b07',
  BOT_TENANT_ID: '72f988bf-0000-0000-0000-000000000001',
  BOT_TYPE: 'SingleTenant',
  BOT_PASSWORD: 'test-only-not-a-secret',
  UPN_HASH_KEY: 'x'.repeat(40),
  ALLOWED_TENANTS: '72f988bf-0000-0000-0000-000000000001',
};

/** The bot's own outgoing credentials, replaced offline: the audience check stays, replies carry no token. */
class LocalCredentials extends PasswordServiceClientCredentialFactory {
  constructor() {
    super(AUTH_ENV.BOT_ID, AUTH_ENV.BOT_PASSWORD, AUTH_ENV.BOT_TENANT_ID);
  }
  override async createCredentials(): Promise<never> {
    return MicrosoftAppCredentials.Empty as never;
  }
}

let h: Harness;
let issuer: LocalBotFrameworkIssuer;
beforeEach(async () => {
  issuer = new LocalBotFrameworkIssuer();
  h = await startHarness({ ...AUTH_ENV, BOT_OPENID_METADATA_URL: await issuer.start() }, { credentialsFactory: new LocalCredentials() });
});
afterEach(async () => {
  await h.close();
  await issuer.stop();
});

const withToken = async (activity: unknown, token: string) => {
  const res = await fetch(`${h.bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(activity) });
  return res.status;
};

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

test.each([
  ['expired', (aud: string, su: string) => issuer.token({ aud, serviceurl: su, exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 7200 })],
  ['for another app (audience)', (_aud: string, su: string) => issuer.token({ aud: '22222222-0000-0000-0000-000000000bad', serviceurl: su })],
  ['from another issuer', (aud: string, su: string) => issuer.token({ aud, serviceurl: su, iss: 'https://evil.example' })],
  ['signed by another key', (aud: string, su: string) => issuer.token({ aud, serviceurl: su }, LocalBotFrameworkIssuer.otherKey())],
  ['tampered after signing', (aud: string, su: string) => {
    const [hd, , sig] = issuer.token({ aud, serviceurl: su }).split('.');
    const forged = Buffer.from(JSON.stringify({ iss: 'https://api.botframework.com', aud, serviceurl: su, exp: Math.floor(Date.now() / 1000) + 3600, tid: 'x' })).toString('base64url');
    return `${hd}.${forged}.${sig}`;
  }],
  ['for another serviceUrl', (aud: string) => issuer.token({ aud, serviceurl: 'https://smba.trafficmanager.net/evil/' })],
])('a token %s → 401; nothing processed, sent or stored', async (_name, make) => {
  const activity = message('/refer', { serviceUrl: h.connector.url });
  expect(await withToken(activity, make(AUTH_ENV.BOT_ID, h.connector.url))).toBe(401);
  const invoke = execute('referral.submit', { ...validForm(), idempotencyKey: 'abcdef12-0000' }, { serviceUrl: h.connector.url });
  expect(await withToken(invoke, make(AUTH_ENV.BOT_ID, h.connector.url))).toBe(401);
  expect(h.connector.received).toHaveLength(0);
  expect(rows('conversations')).toBe(0);
  expect(rows('referrals')).toBe(0);
  expect(rows('audit')).toBe(0);
});

// Regression: BOT_OPENID_METADATA_URL alone once left every other endpoint undefined, so every token was refused.
test('a valid token is accepted and the activity processed (the conversation is remembered)', async () => {
  const activity = message('/help', { serviceUrl: h.connector.url });
  const status = await withToken(activity, issuer.token({ aud: AUTH_ENV.BOT_ID, serviceurl: h.connector.url }));
  expect(status).not.toBe(401);
  expect(rows('conversations')).toBe(1);
});

test('a valid token: the activity is processed and the reply reaches the connector', async () => {
  const activity = message('/help', { serviceUrl: h.connector.url });
  expect(await withToken(activity, issuer.token({ aud: AUTH_ENV.BOT_ID, serviceurl: h.connector.url }))).toBe(200);
  expect(h.connector.cards(activity.conversation.id)).toHaveLength(1);
});

test('a valid token from a tenant not in ALLOWED_TENANTS is not processed and the user is told', async () => {
  const other = 'ffffffff-0000-0000-0000-0000000000aa';
  const activity = message('/refer', { serviceUrl: h.connector.url, tenant: other, conversationId: 'a:guest' });
  expect(await withToken(activity, issuer.token({ aud: AUTH_ENV.BOT_ID, serviceurl: h.connector.url }))).toBe(200);
  expect(h.connector.texts('a:guest')).toEqual(['This service is not available to your organisation.']);
  expect(h.connector.cards('a:guest')).toHaveLength(0);
  expect(rows('conversations')).toBe(0);
  const submit = execute('referral.submit', { ...validForm(), idempotencyKey: 'abcdef12-guest' }, { serviceUrl: h.connector.url, tenant: other });
  expect(await withToken(submit, issuer.token({ aud: AUTH_ENV.BOT_ID, serviceurl: h.connector.url }))).toBe(200);
  expect(rows('referrals')).toBe(0);
});
