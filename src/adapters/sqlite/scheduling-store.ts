import type { JobStore, LeaseStore } from '../../ports/scheduling';
import { statement, type Db } from './database';

/** Lease rows: one UPDATE-or-INSERT in an immediate transaction, so two processes on one file cannot both hold it. */
export class SqliteLeaseStore implements LeaseStore {
  constructor(private readonly db: Db) {}

  async acquire(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const t = now.getTime();
    return this.db
      .transaction(() => {
        const row = statement(this.db, 'SELECT holder, expires_at FROM leases WHERE name = ?').get(name) as { holder: string; expires_at: number } | undefined;
        if (row && row.holder !== holder && row.expires_at > t) return false;
        statement(this.db, 'INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at').run(name, holder, t + ttlMs);
        return true;
      })
      .immediate();
  }

  async release(name: string, holder: string): Promise<void> {
    statement(this.db, 'DELETE FROM leases WHERE name = ? AND holder = ?').run(name, holder);
  }
}

export class SqliteJobStore implements JobStore {
  constructor(private readonly db: Db) {}

  async nextRun(name: string): Promise<Date | undefined> {
    const r = statement(this.db, 'SELECT next_run_at FROM scheduled_jobs WHERE name = ?').get(name) as { next_run_at: string } | undefined;
    return r ? new Date(r.next_run_at) : undefined;
  }

  async setNextRun(name: string, next: Date, lastRun: Date | undefined, ifNextRun?: Date): Promise<boolean> {
    if (ifNextRun) {
      const r = statement(this.db, 'UPDATE scheduled_jobs SET next_run_at = ?, last_run_at = ? WHERE name = ? AND next_run_at = ?').run(next.toISOString(), lastRun?.toISOString() ?? null, name, ifNextRun.toISOString());
      return r.changes === 1;
    }
    const r = statement(this.db, 'INSERT INTO scheduled_jobs (name, next_run_at, last_run_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING').run(name, next.toISOString(), lastRun?.toISOString() ?? null);
    return r.changes === 1;
  }
}
