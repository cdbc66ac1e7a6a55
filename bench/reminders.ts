/**
 * Reminders and delivery benchmarks (not part of npm test):
 *  - sweep: the reminder sweep over 100,000 learners with IDPs (reviews and transition milestones) and 20,000 open
 *    referrals with statutory dates, in the embedded store: time and peak memory (targets < 5 s, < 500 MB);
 *  - fanout: 10,000 proactive messages to 2,000 conversations through the outbox to a local connector answering 429
 *    (Retry-After) to 10% of calls and 500 to 1%, limits raised to 1,000/s: delivered / duplicated / lost and throughput;
 *  - politeness: 1,000 messages at Teams' real limits to a connector that enforces them: achieved rate vs the
 *    configured limit (target >= 90%) and 429s caused by us (target 0).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliverOutbox } from '../src/app/deliver-outbox';
import { sweepReminders } from '../src/app/sweep-reminders';
import { SlidingWindowLimiter, TEAMS_APP_LIMITS, TEAMS_CONVERSATION_LIMITS, type RateWindow } from '../src/domain/rate-limit';
import { YEAR_GROUPS } from '../src/domain/clocks/milestones';
import { addDays } from '../src/domain/dates';
import { DEFAULT_LEAD_POLICY, DEFAULT_SEND_WINDOW } from '../src/domain/reminders';
import { loadSchoolsFile } from '../src/adapters/files/schools-file';
import { CalendarClocks } from '../src/adapters/files/statutory-clocks';
import { openDatabase } from '../src/adapters/sqlite/database';
import { SqliteLearnerStore } from '../src/adapters/sqlite/learner-store';
import { SqliteOutboxStore } from '../src/adapters/sqlite/outbox-store';
import { SqliteReminderStore } from '../src/adapters/sqlite/reminder-store';
import { ConnectorSender } from '../src/adapters/teams/connector-sender';
import { fmt, ROOT } from './lib';

const tempDir = () => mkdtempSync(join(tmpdir(), 'inclusion-bench-rem-'));

export async function benchSweep(): Promise<Record<string, unknown>> {
  const LEARNERS = Number(process.env.BENCH_LEARNERS ?? 100_000);
  const REFERRALS = Number(process.env.BENCH_REFERRALS ?? 20_000);
  const dir = tempDir();
  try {
    const db = openDatabase(join(dir, 'inclusion.db'));
    const directory = loadSchoolsFile(join(ROOT, 'config', 'schools.yaml'), []);
    const schools = directory.schools().map((s) => s.id);
    const clocks = new CalendarClocks({ country: 'wales', calendarFile: join(ROOT, 'config', 'calendar.csv'), schoolCalendarsDir: join(ROOT, 'config', 'calendars'), insetCountsAsSchoolDays: false, schoolIds: schools });
    const today = '2026-11-23';
    const learners = new SqliteLearnerStore(db);
    const batch = [];
    for (let i = 0; i < LEARNERS; i++) {
      batch.push({
        schoolId: schools[i % schools.length]!, localRef: `L${i}`, initials: 'AB', dateOfBirth: '2015-01-01', yearGroup: YEAR_GROUPS[i % YEAR_GROUPS.length]!, yearGroupAcademicYear: 2026,
        idpIssuedOn: addDays('2025-10-01', i % 400), idpMaintainedBy: 'school' as const, alncoAadId: `alnco-${i % 500}`,
      });
    }
    await learners.upsertMany(batch, new Date());
    const ins = db.prepare("INSERT INTO referrals (reference, idempotency_key, route_id, school_id, status, submitter_id, submitted_at, updated_at, version, body) VALUES (?, ?, 'school-aln-decision', ?, 'submitted', ?, ?, ?, 1, ?)");
    db.transaction(() => {
      for (let i = 0; i < REFERRALS; i++) {
        const start = addDays('2026-09-01', i % 80);
        const body = { learner: { initials: 'CD' }, clock: { clockId: 'wales-school-35sd', start, due: clocks.due('wales-school-35sd', start, 'w-6784021').ok ? (clocks.due('wales-school-35sd', start, 'w-6784021') as { due: string }).due : start } };
        ins.run(`MON-2026-${String(i).padStart(6, '0')}`, `k${i}`, schools[i % schools.length], `alnco-${i % 500}`, start, start, JSON.stringify(body));
      }
    })();
    const deps = {
      learners, reminders: new SqliteReminderStore(db), outbox: new SqliteOutboxStore(db), clock: { now: () => new Date(`${today}T10:00:00Z`) }, country: 'wales' as const,
      calendarFor: (id: string) => clocks.calendarFor(id), policy: DEFAULT_LEAD_POLICY, window: DEFAULT_SEND_WINDOW,
    };
    global.gc?.();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const t0 = performance.now();
    const result = await sweepReminders(deps);
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const t1 = performance.now();
    const again = await sweepReminders(deps);
    const secondsAgain = (performance.now() - t1) / 1000;
    db.close();
    const peakMb = peak / 1024 / 1024;
    const ok = seconds < 5 && peakMb < 500;
    console.log(`sweep: ${LEARNERS} learners + ${REFERRALS} referrals, ${result.learners} learners scanned, ${result.subjects} subjects due soon or overdue, ${result.queued} reminders queued in ${fmt(seconds, 2)} s (again: ${fmt(secondsAgain, 2)} s, nothing new sent); peak RSS ${fmt(peakMb)} MB ${ok ? 'OK' : 'MISSED'} (targets < 5 s, < 500 MB)`);
    return { ok, learners: LEARNERS, referrals: REFERRALS, learnersScanned: result.learners, subjectsDueSoonOrOverdue: result.subjects, queued: result.queued, seconds, secondsSecondRun: secondsAgain, peakRssMb: peakMb };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A connector stand-in for load: counts deliveries per message key; injects faults or enforces Teams' limits. */
async function loadConnector(opts: { fault?: () => number | undefined; enforce?: { conversation: readonly RateWindow[]; app: readonly RateWindow[] } }) {
  const delivered = new Map<string, number>();
  let throttled = 0;
  let faults = 0;
  const conv = opts.enforce ? new SlidingWindowLimiter(opts.enforce.conversation) : undefined;
  const app = opts.enforce ? new SlidingWindowLimiter(opts.enforce.app) : undefined;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = performance.now();
      const id = decodeURIComponent(/conversations\/([^/]+)\/activities/.exec(req.url ?? '')?.[1] ?? '');
      if (conv && app) {
        if (app.waitMs('app', now) > 0 || conv.waitMs(id, now) > 0) {
          throttled++;
          res.writeHead(429, { 'retry-after': '1' }).end('{}');
          return;
        }
        app.record('app', now);
        conv.record(id, now);
      }
      const fault = opts.fault?.();
      if (fault) {
        faults++;
        res.writeHead(fault, fault === 429 ? { 'retry-after': '1' } : {}).end('{}');
        return;
      }
      const key = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { summary: string }).summary;
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `a-${key}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, delivered, throttled: () => throttled, faults: () => faults, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

async function pump(n: number, conversations: number, serviceUrl: string, limits: { conversation: readonly RateWindow[]; app: readonly RateWindow[] }, deadlineMs: number) {
  const db = openDatabase(':memory:');
  const outbox = new SqliteOutboxStore(db);
  const clock = { now: () => new Date() };
  await outbox.enqueue(
    Array.from({ length: n }, (_, i) => ({ key: `m${i}`, target: { kind: 'user' as const, aadObjectId: `u${i % conversations}` }, payload: { template: 'bench', data: {} } })),
    new Date(Date.now() - 1000),
  );
  const deps = {
    outbox, clock, maxAttempts: 12, concurrency: 16,
    notifier: new ConnectorSender(async () => undefined),
    resolve: async (t: { kind: string; aadObjectId?: string }) => ({ ref: { serviceUrl, conversation: { id: `c-${t.aadObjectId}` } }, language: 'en' as const }),
    render: (m: { key: string }) => ({ card: { type: 'AdaptiveCard', version: '1.5', body: [] }, summary: m.key }),
    limits: { conversation: new SlidingWindowLimiter(limits.conversation), app: new SlidingWindowLimiter(limits.app) },
  };
  const t0 = performance.now();
  let done = 0;
  for (;;) {
    if (done >= n || performance.now() - t0 > deadlineMs) break;
    const r = await deliverOutbox(deps, 200);
    done += r.sent + (r.dead ?? 0);
    const handled = r.sent + r.failed + r.waiting + (r.paced ?? 0);
    const wait = r.wakeInMs ?? (handled > 0 ? 0 : 20);
    if (wait > 0) await new Promise((res) => setTimeout(res, Math.min(wait, 250)));
  }
  const seconds = (performance.now() - t0) / 1000;
  const counts = await outbox.counts();
  db.close();
  return { seconds, counts };
}

export async function benchFanout(): Promise<Record<string, unknown>> {
  const N = 10_000;
  const connector = await loadConnector({ fault: () => { const x = Math.random(); return x < 0.1 ? 429 : x < 0.11 ? 500 : undefined; } });
  try {
    const { seconds, counts } = await pump(N, 2000, connector.url, { conversation: [{ limit: 1000, ms: 1000 }], app: [{ limit: 1000, ms: 1000 }] }, 120_000);
    const unique = connector.delivered.size;
    const duplicated = [...connector.delivered.values()].reduce((a, b) => a + b, 0) - unique;
    const lost = N - unique;
    const ok = unique === N && duplicated === 0 && lost === 0;
    console.log(`fanout: ${N} messages / 2,000 conversations, ${connector.faults()} injected faults: delivered ${unique}, duplicated ${duplicated}, lost ${lost}, dead ${counts.dead} in ${fmt(seconds, 1)} s = ${fmt(unique / seconds)} msg/s ${ok ? 'OK' : 'MISSED'}`);
    return { ok, messages: N, delivered: unique, duplicated, lost, dead: counts.dead, injectedFaults: connector.faults(), seconds, throughput: unique / seconds };
  } finally {
    await connector.stop();
  }
}

export async function benchPoliteness(): Promise<Record<string, unknown>> {
  const N = 1000;
  const limits = { conversation: TEAMS_CONVERSATION_LIMITS, app: TEAMS_APP_LIMITS };
  const connector = await loadConnector({ enforce: limits });
  try {
    const { seconds } = await pump(N, 100, connector.url, limits, 120_000);
    const configured = TEAMS_APP_LIMITS[0]!.limit / (TEAMS_APP_LIMITS[0]!.ms / 1000);
    const achieved = connector.delivered.size / seconds;
    const ratio = achieved / configured;
    const ok = ratio >= 0.9 && connector.throttled() === 0 && connector.delivered.size === N;
    console.log(`politeness: ${N} messages / 100 conversations at Teams' limits: ${fmt(achieved, 1)} msg/s of ${configured} configured (${fmt(ratio * 100)}%), 429s caused by us: ${connector.throttled()} ${ok ? 'OK' : 'MISSED'}`);
    return { ok, messages: N, delivered: connector.delivered.size, seconds, achievedPerSecond: achieved, configuredPerSecond: configured, ratio, throttledByConnector: connector.throttled() };
  } finally {
    await connector.stop();
  }
}
