import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/** Schema migrations, applied in order inside one transaction each; never edit one that has shipped. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE referrals (
    reference TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    route_id TEXT NOT NULL,
    school_id TEXT NOT NULL,
    status TEXT NOT NULL,
    submitter_id TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    upn_hash TEXT,
    body TEXT NOT NULL
  );
  CREATE INDEX referrals_submitter ON referrals (submitter_id, submitted_at DESC);
  CREATE INDEX referrals_route_status ON referrals (route_id, status);
  CREATE INDEX referrals_upn ON referrals (upn_hash);
  CREATE TABLE reference_sequences (prefix TEXT NOT NULL, year INTEGER NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (prefix, year));
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    record_type TEXT NOT NULL, record_id TEXT NOT NULL, correlation_id TEXT NOT NULL, detail TEXT
  );
  CREATE INDEX audit_record ON audit (record_id);
  CREATE INDEX audit_actor ON audit (actor);
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    activity_id TEXT
  );
  CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
  CREATE TABLE conversations (key TEXT PRIMARY KEY, ref TEXT NOT NULL, updated_at TEXT NOT NULL);
  CREATE TABLE users (
    aad_object_id TEXT PRIMARY KEY,
    language TEXT,
    document_target TEXT,
    document_target_until TEXT
  );
  `,
];

/** Open (creating if needed) the embedded store: WAL, foreign keys, migrations. */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a committed transaction survives a process crash (SIGKILL); FULL would also survive power loss.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  let version = row?.version ?? 0;
  if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  for (; version < MIGRATIONS.length; version++) {
    const sql = MIGRATIONS[version]!;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('UPDATE schema_version SET version = ?').run(version + 1);
    }).immediate();
  }
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, compiled once per connection (preparing is a large part of a small write's cost). */
export function statement(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) {
    cache = new Map();
    statements.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    cache.set(sql, stmt);
  }
  return stmt;
}

/**
 * Group commit: writes that arrive in the same turn of the event loop share one transaction, each in its own
 * savepoint, so one commit (and its WAL write) serves many requests under load. A write that throws is rolled back
 * alone; each caller is answered only after the commit, so an acknowledged write is durable.
 */
export class GroupCommitter {
  private queue: { work: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(private readonly db: Db, private readonly maxBatch = 200) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.maxBatch);
    if (this.queue.length > 0) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.db
        .transaction(() => {
          for (const item of batch) {
            try {
              outcomes.push({ ok: true, value: this.db.transaction(item.work)() }); // nested: a savepoint
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const item of batch) item.reject(error); // the commit itself failed: nothing was stored
      return;
    }
    batch.forEach((item, i) => {
      const o = outcomes[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }
}
