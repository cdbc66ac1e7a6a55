import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/adapters/sqlite/database';
import { startChildBot } from '../support/child-bot';
import { LocalConnector } from '../support/connector';

jest.setTimeout(60_000);

const USERS = 20;

function queue(path: string, serviceUrl: string, from: number, n: number): void {
  const db = new Database(path);
  const conv = db.prepare('INSERT OR REPLACE INTO conversations (key, ref, updated_at) VALUES (?, ?, ?)');
  const msg = db.prepare("INSERT INTO outbox (key, target, payload, state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)");
  const now = new Date(Date.now() - 1000).toISOString();
  db.transaction(() => {
    for (let u = 0; u < USERS; u++) {
      const id = `user-${u}`;
      conv.run(`user:${id}`, JSON.stringify({ serviceUrl, conversation: { id: `conv-${u}` }, bot: { id: '28:bot' } }), now);
    }
    for (let i = from; i < from + n; i++) {
      const owner = `user-${i % USERS}`;
      const data = { subject: `step:${i}`, kind: 'next-step', due: '2026-12-01', owner, reference: 'MON-2026-000001', text: `Step ${i}`, lead: 'day' };
      msg.run(`reminder:step:${i}:2026-12-01:day`, JSON.stringify({ kind: 'user', aadObjectId: owner }), JSON.stringify({ template: 'reminder', data }), now, now);
    }
  })();
  db.close();
}

const sentSteps = (c: LocalConnector) => c.received.filter((r) => r.method === 'POST').map((r) => /Step (\d+)/.exec(JSON.stringify(r.body))?.[1]);

test('two bot processes on one store: only the lease holder sends, each message once; when it stops the other takes over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inclusion-lease-'));
  const connector = new LocalConnector();
  await connector.start();
  const path = join(dir, 'inclusion.db');
  openDatabase(path).close();
  queue(path, connector.url, 0, 200);
  // The bots run on the wall clock: open the send window to every hour and day, or reminders queued after 18:00 or at a
  // weekend would rightly wait for the next morning and this test would depend on when it runs.
  const env = {
    SQLITE_PATH: path, DOCUMENTS_DIR: join(dir, 'docs'), OUTBOX_POLL_MS: '100', LEASE_TTL_MS: '5000', TEAMS_CONVERSATION_LIMITS: '100/1000', TEAMS_APP_LIMITS: '1000/1000',
    QUIET_HOURS_START: '0', QUIET_HOURS_END: '24', QUIET_HOURS_WORKING_DAYS_ONLY: 'false',
  };
  const [a, b] = await Promise.all([startChildBot(env), startChildBot(env)]);
  try {
    const until = async (cond: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    };
    await until(() => sentSteps(connector).length >= 200, 30_000);
    await new Promise((r) => setTimeout(r, 500)); // any duplicate would arrive now
    const steps = sentSteps(connector);
    expect(steps).toHaveLength(200);
    expect(new Set(steps).size).toBe(200);
    const holders = [a, b].filter((p) => p.output().includes('"event":"lease.acquired"'));
    expect(holders).toHaveLength(1);
    const [holder, other] = holders[0] === a ? [a, b] : [b, a];

    // The holder stops (SIGTERM gives the lease up); the other takes over and sends what comes next.
    const exited = new Promise((r) => holder.child.once('exit', r));
    holder.child.kill('SIGTERM');
    await exited;
    queue(path, connector.url, 200, 40);
    await until(() => sentSteps(connector).length >= 240, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    const all = sentSteps(connector);
    expect(all).toHaveLength(240);
    expect(new Set(all).size).toBe(240);
    expect(other.output()).toContain('"event":"lease.acquired"');
    const db = new Database(path, { readonly: true });
    expect((db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'sent'").get() as { n: number }).n).toBe(240);
    db.close();
  } finally {
    for (const p of [a, b]) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await connector.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
