/**
 * Foundation benchmark: 50 concurrent simulated users submitting referrals through POST /api/messages on the
 * embedded store, beside the framework floor measured the same way in the same run.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execute, validForm } from '../tests/support/activities';
import { LocalConnector } from '../tests/support/connector';
import { closedLoop, fmt, startProcess, stats } from './lib';

const USERS = Number(process.env.BENCH_USERS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);

function submitter(url: string, serviceUrl: string, acknowledged: Set<string>) {
  return async () => {
    const key = randomUUID();
    const res = await fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(execute('referral.submit', { ...validForm(), idempotencyKey: key }, { serviceUrl })),
    });
    const body = (await res.json()) as { value?: { body?: unknown[] } };
    const text = JSON.stringify(body.value ?? {});
    const ref = /"(?:Reference)","value":"([A-Z]+-[\d-]+)"/.exec(text)?.[1];
    if (res.status !== 200 || !ref) return false;
    acknowledged.add(ref);
    return true;
  };
}

export async function benchSubmit(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'inclusion-bench-'));
  const connector = new LocalConnector();
  await connector.start();
  try {
    // Floor first, then the product, each on a fresh file, with the load generator in this process.
    const floorDb = join(dir, 'floor.db');
    const floor = await startProcess('bench/floor-bot.ts', { SQLITE_PATH: floorDb });
    const floorAcks = new Set<string>();
    await closedLoop(USERS, 2, submitter(floor.url, connector.url, new Set())); // warm-up
    const floorRun = await closedLoop(USERS, SECONDS, submitter(floor.url, connector.url, floorAcks));
    await floor.stop();

    const botDb = join(dir, 'bot.db');
    const bot = await startProcess('src/index.ts', { SQLITE_PATH: botDb, DOCUMENTS_DIR: join(dir, 'docs'), OUTBOX_POLL_MS: '3600000' });
    const warm = new Set<string>();
    await closedLoop(USERS, 2, submitter(bot.url, connector.url, warm));
    const botAcks = new Set<string>();
    const botRun = await closedLoop(USERS, SECONDS, submitter(bot.url, connector.url, botAcks));
    await bot.stop();

    const db = new Database(botDb, { readonly: true });
    const rows = (db.prepare('SELECT COUNT(*) AS n FROM referrals').get() as { n: number }).n;
    const distinct = (db.prepare('SELECT COUNT(DISTINCT reference) AS n FROM referrals').get() as { n: number }).n;
    db.close();

    const f = stats(floorRun.latencies);
    const b = stats(botRun.latencies);
    const result = {
      users: USERS,
      seconds: SECONDS,
      floor: { throughput: floorRun.throughput, ...f, errors: floorRun.errors },
      bot: { throughput: botRun.throughput, ...b, errors: botRun.errors },
      ratios: { throughput: botRun.throughput / floorRun.throughput, p99: b.p99 / f.p99 },
      integrity: { acknowledged: botAcks.size + warm.size, rows, distinctReferences: distinct },
    };
    const ok =
      result.ratios.throughput >= 0.5 && result.ratios.p99 <= 2 && botRun.errors === 0 && distinct === rows && rows === botAcks.size + warm.size;
    console.log(`\nSubmit benchmark: ${USERS} concurrent users, ${SECONDS} s each, POST /api/messages (Action.Execute referral.submit)`);
    console.log('                 submits/s    p50 ms    p95 ms    p99 ms   errors');
    console.log(`floor (bare app) ${fmt(floorRun.throughput).padStart(9)} ${fmt(f.p50, 1).padStart(9)} ${fmt(f.p95, 1).padStart(9)} ${fmt(f.p99, 1).padStart(9)} ${String(floorRun.errors).padStart(8)}`);
    console.log(`inclusion bot    ${fmt(botRun.throughput).padStart(9)} ${fmt(b.p50, 1).padStart(9)} ${fmt(b.p95, 1).padStart(9)} ${fmt(b.p99, 1).padStart(9)} ${String(botRun.errors).padStart(8)}`);
    console.log(`ratios: throughput ${fmt(result.ratios.throughput * 100)}% of floor (target ≥ 50%), p99 ${fmt(result.ratios.p99, 2)}× floor (target ≤ 2×)`);
    console.log(`integrity: ${result.integrity.acknowledged} acknowledged, ${rows} rows, ${distinct} distinct references → ${rows === result.integrity.acknowledged && distinct === rows ? 'OK' : 'MISMATCH'}`);
    console.log(`submit benchmark: ${ok ? 'TARGETS MET' : 'TARGETS MISSED'}`);
    return { ...result, ok };
  } finally {
    await connector.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
