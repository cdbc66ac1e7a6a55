import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main, type MainOptions, type Running } from '../../src/index';
import { createLogger } from '../../src/adapters/log';
import type { Clock } from '../../src/ports/clock';
import { LocalConnector } from './connector';

export interface Harness {
  readonly bot: Running;
  readonly connector: LocalConnector;
  readonly dir: string;
  readonly logs: string[];
  readonly clock: Clock & { set(iso: string): void };
  post(activity: unknown): Promise<{ status: number; body: any }>;
  /** Run the outbox worker once, now. */
  flushOutbox(): Promise<void>;
  close(): Promise<void>;
}

/** The settings a test bot runs with: loopback, an ephemeral port, its own SQLite file and documents folder in `dir`. */
export function testEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    SQLITE_PATH: join(dir, 'inclusion.db'),
    DOCUMENTS_DIR: join(dir, 'documents'),
    SCHOOLS_FILE: 'config/schools.yaml',
    CALENDAR_FILE: 'config/calendar.csv',
    SCHOOL_CALENDARS_DIR: 'config/calendars',
    ...extra,
  };
}

/** Start the real bot (restify on 127.0.0.1, a temp SQLite file and documents folder) with a local connector. */
export async function startHarness(
  env: Record<string, string> = {},
  opts: { now?: string; worker?: boolean; credentialsFactory?: MainOptions['credentialsFactory'] } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'inclusion-test-'));
  mkdirSync(join(dir, 'calendars'), { recursive: true });
  const connector = new LocalConnector();
  await connector.start();
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  let now = new Date(opts.now ?? '2026-11-23T10:00:00Z');
  const clock = { now: () => new Date(now), set: (iso: string) => void (now = new Date(iso)) };
  const bot = await main({
    env: testEnv(dir, { ADMINS: 'aaaaaaaa-0000-0000-0000-00000000adm1', LOG_LEVEL: 'debug', OUTBOX_POLL_MS: '50', ...env }),
    clock,
    log: createLogger('debug', sink),
    worker: opts.worker ?? false,
    ...(opts.credentialsFactory ? { credentialsFactory: opts.credentialsFactory } : {}),
  });
  return {
    bot,
    connector,
    dir,
    logs,
    clock,
    async post(activity) {
      const res = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      const text = await res.text();
      let body: unknown = text;
      try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
      return { status: res.status, body };
    },
    async flushOutbox() {
      await bot.flushOutbox();
    },
    async close() {
      await bot.close();
      await connector.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function writeFile(dir: string, name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
