import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Bot Framework's OpenID metadata (login.botframework.com/v1/.well-known/openidconfiguration)
 * and its JWKS, with an RSA test key, and a signer for channel→bot tokens as botframework-connector validates them:
 * RS256, iss https://api.botframework.com, aud = the bot's app id, exp/nbf, `serviceurl` = the activity's serviceUrl,
 * and the key's `endorsements` listing the channel ("msteams").
 */
export class LocalBotFrameworkIssuer {
  readonly kid = 'e2e-test-key';
  private readonly privateKey: KeyObject;
  private readonly jwk: { n: string; e: string };
  private server?: Server;
  metadataUrl = '';

  constructor(readonly endorsements: string[] = ['msteams']) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/.well-known/openidconfiguration') {
        res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${base}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
      } else if (req.url === '/v1/.well-known/keys') {
        res.end(JSON.stringify({ keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, n: this.jwk.n, e: this.jwk.e, endorsements: this.endorsements }] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.metadataUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/.well-known/openidconfiguration`;
    return this.metadataUrl;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** A channel→bot token; override any claim (e.g. exp in the past, another aud or iss). */
  token(claims: { aud: string; serviceurl: string } & Record<string, unknown>, key: KeyObject = this.privateKey): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid: this.kid };
    const payload = { iss: 'https://api.botframework.com', nbf: now - 60, iat: now - 60, exp: now + 3600, ...claims };
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const body = `${b64(header)}.${b64(payload)}`;
    const signature = createSign('RSA-SHA256').update(body).sign(key).toString('base64url');
    return `${body}.${signature}`;
  }

  /** Another key (same kid): a token it signs fails the signature check. */
  static otherKey(): KeyObject {
    return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }
}
