import type { DeadLetter, NewOutboxMessage, OutboxAdmin, OutboxMessage, OutboxState, OutboxStore, OutboxTarget } from '../../ports/outbox';
import { statement, type Db } from './database';

/** Queue messages inside the caller's transaction; a key already queued is left as it is. */
export function insertOutbox(db: Db, messages: readonly NewOutboxMessage[], at: Date): void {
  const stmt = statement(db, 
    "INSERT INTO outbox (key, target, payload, state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (key) DO NOTHING",
  );
  for (const m of messages) stmt.run(m.key, JSON.stringify(m.target), JSON.stringify(m.payload), at.toISOString(), at.toISOString());
}

interface Row {
  id: number; key: string; target: string; payload: string; state: OutboxState; attempts: number;
  next_attempt_at: string; last_error: string | null; created_at: string; sent_at: string | null; activity_id: string | null;
}

const fromRow = (r: Row): OutboxMessage => ({
  id: r.id, key: r.key, target: JSON.parse(r.target), payload: JSON.parse(r.payload), state: r.state, attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at, createdAt: r.created_at,
  ...(r.last_error ? { lastError: r.last_error } : {}), ...(r.sent_at ? { sentAt: r.sent_at } : {}), ...(r.activity_id ? { activityId: r.activity_id } : {}),
});

export class SqliteOutboxStore implements OutboxStore {
  constructor(private readonly db: Db) {}

  async enqueue(messages: readonly NewOutboxMessage[], at: Date): Promise<void> {
    this.db.transaction(() => insertOutbox(this.db, messages, at))();
  }

  async due(now: Date, limit: number): Promise<OutboxMessage[]> {
    const rows = statement(this.db, "SELECT * FROM outbox WHERE state IN ('pending', 'waiting') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?")
      .all(now.toISOString(), limit) as Row[];
    return rows.map(fromRow);
  }

  async markSent(id: number, activityId: string | undefined, at: Date): Promise<void> {
    statement(this.db, "UPDATE outbox SET state = 'sent', sent_at = ?, activity_id = ?, last_error = NULL WHERE id = ?").run(at.toISOString(), activityId ?? null, id);
  }

  async markWaiting(id: number, reason: string, retryAt: Date): Promise<void> {
    statement(this.db, "UPDATE outbox SET state = 'waiting', last_error = ?, next_attempt_at = ? WHERE id = ?").run(reason, retryAt.toISOString(), id);
  }

  async markFailed(id: number, error: string, retryAt: Date, dead: boolean): Promise<void> {
    this.db
      .prepare('UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?')
      .run(dead ? 'dead' : 'pending', error, retryAt.toISOString(), id);
  }

  async postpone(id: number, at: Date): Promise<void> {
    statement(this.db, 'UPDATE outbox SET next_attempt_at = ? WHERE id = ?').run(at.toISOString(), id);
  }

  async counts(): Promise<Record<OutboxState, number>> {
    const out: Record<OutboxState, number> = { pending: 0, waiting: 0, sent: 0, dead: 0 };
    for (const r of statement(this.db, 'SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as { state: OutboxState; n: number }[]) out[r.state] = r.n;
    return out;
  }

  /** Every message, for admin views and tests. */
  all(): OutboxMessage[] {
    return (statement(this.db, 'SELECT * FROM outbox ORDER BY id').all() as Row[]).map(fromRow);
  }
}

/** Admin views of the outbox: no payload data, only template, target kind, attempts and the last error. */
export class SqliteOutboxAdmin implements OutboxAdmin {
  constructor(private readonly db: Db) {}

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const rows = statement(
      this.db,
      "SELECT id, json_extract(payload, '$.template') AS template, json_extract(target, '$.kind') AS kind, attempts, last_error, created_at FROM outbox WHERE state = 'dead' ORDER BY id DESC LIMIT ?",
    ).all(limit) as { id: number; template: string; kind: OutboxTarget['kind']; attempts: number; last_error: string | null; created_at: string }[];
    return rows.map((r) => ({ id: r.id, template: r.template, targetKind: r.kind, attempts: r.attempts, createdAt: r.created_at, ...(r.last_error ? { lastError: r.last_error } : {}) }));
  }

  async notInstalled(limit: number): Promise<{ aadObjectId: string; waiting: number }[]> {
    return (
      statement(
        this.db,
        // Grouped by the expression: an alias named like a column (id) would group by the column instead.
        "SELECT json_extract(target, '$.aadObjectId') AS aad, COUNT(*) AS n FROM outbox WHERE state = 'waiting' AND last_error = 'user-not-installed' GROUP BY json_extract(target, '$.aadObjectId') ORDER BY n DESC, aad LIMIT ?",
      ).all(limit) as { aad: string; n: number }[]
    ).map((r) => ({ aadObjectId: r.aad, waiting: r.n }));
  }
}
