import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execute, validForm } from '../support/activities';
import { facts } from '../support/cards';
import { startChildBot } from '../support/child-bot';
import { LocalConnector } from '../support/connector';

jest.setTimeout(90_000);

test('SIGKILL in the middle of a burst of submits: every acknowledged referral is there, complete; none half-written; retries do not duplicate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inclusion-crash-'));
  const connector = new LocalConnector();
  await connector.start();
  const env = { SQLITE_PATH: join(dir, 'inclusion.db'), DOCUMENTS_DIR: join(dir, 'docs'), OUTBOX_POLL_MS: '600000' };
  try {
    const first = await startChildBot(env);
    const acknowledged = new Map<string, string>(); // idempotency key → reference
    const attempted: string[] = [];
    let killed = false;
    const submitOne = async (key: string) => {
      const res = await fetch(`${first.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(execute('referral.submit', { ...validForm(), idempotencyKey: key }, { serviceUrl: connector.url })),
      });
      const body = (await res.json()) as { value: unknown };
      const reference = facts(body.value)['Reference'];
      if (res.status === 200 && reference) acknowledged.set(key, reference);
    };
    const worker = async () => {
      while (!killed) {
        const key = randomUUID();
        attempted.push(key);
        await submitOne(key).catch(() => undefined); // connection reset by the kill
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    while (acknowledged.size < 150) await new Promise((r) => setTimeout(r, 5));
    const exited = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGKILL');
    killed = true;
    await Promise.all(workers);
    await exited;
    expect(acknowledged.size).toBeGreaterThanOrEqual(150);

    // Restart on the same file: it opens (WAL recovery) and serves.
    const second = await startChildBot(env);
    const db = new Database(env.SQLITE_PATH, { readonly: true });
    try {
      const rows = db.prepare('SELECT reference, idempotency_key AS key FROM referrals').all() as { reference: string; key: string }[];
      const byKey = new Map(rows.map((r) => [r.key, r.reference]));
      for (const [key, reference] of acknowledged) expect(byKey.get(key)).toBe(reference);
      // every stored referral is whole: its audit entry and its queued channel card exist
      const orphans = db
        .prepare(
          `SELECT r.reference FROM referrals r
           WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.record_id = r.reference AND a.action = 'referral.submit')
              OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.key = 'case-card:' || r.reference)`,
        )
        .all();
      expect(orphans).toEqual([]);
      expect((db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n).toBe(rows.length);
      // references are unique and gap-free: the sequence was allocated inside the same transactions
      const seqs = rows.map((r) => Number(r.reference.slice(-6))).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
      // nothing committed that was not attempted
      const attemptedSet = new Set(attempted);
      for (const r of rows) expect(attemptedSet.has(r.key)).toBe(true);
    } finally {
      db.close();
    }

    // Teams retries the requests that got no answer: each yields one referral, never a second.
    const unanswered = attempted.filter((k) => !acknowledged.has(k)).slice(0, 20);
    const before = await count(env.SQLITE_PATH);
    const committedUnanswered = await Promise.all(unanswered.map((k) => isStored(env.SQLITE_PATH, k)));
    for (const key of unanswered) {
      const res = await fetch(`${second.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(execute('referral.submit', { ...validForm(), idempotencyKey: key }, { serviceUrl: connector.url })),
      });
      expect(res.status).toBe(200);
    }
    expect(await count(env.SQLITE_PATH)).toBe(before + committedUnanswered.filter((x) => !x).length);
    const secondExited = new Promise((r) => second.child.once('exit', r));
    second.child.kill('SIGTERM');
    await secondExited;
  } finally {
    await connector.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function count(path: string): Promise<number> {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM referrals').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function isStored(path: string, key: string): Promise<boolean> {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT 1 FROM referrals WHERE idempotency_key = ?').get(key) !== undefined;
  } finally {
    db.close();
  }
}
