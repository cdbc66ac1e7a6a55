import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Hasher } from '../../ports/hasher';

/** HMAC-SHA256 keyed hash: the same UPN always matches, and without the key it cannot be reversed or guessed. */
export class HmacHasher implements Hasher {
  constructor(private readonly key: string) {}

  hash(value: string): string {
    return createHmac('sha256', this.key).update(value.trim().toUpperCase()).digest('hex');
  }
}

/** Local mode only: a per-installation key kept beside the database (deployments take UPN_HASH_KEY from Key Vault). */
export function localHashKey(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(48).toString('base64');
  writeFileSync(path, key, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return key;
}
