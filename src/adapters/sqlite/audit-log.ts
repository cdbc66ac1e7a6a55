import type { AuditEntry, AuditLog } from '../../ports/audit';
import { statement, type Db } from './database';

export function insertAudit(db: Db, e: AuditEntry): void {
  statement(db, 'INSERT INTO audit (at, actor, action, record_type, record_id, correlation_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    e.at, e.actor, e.action, e.recordType, e.recordId, e.correlationId, e.detail ? JSON.stringify(e.detail) : null,
  );
}

interface Row { at: string; actor: string; action: string; record_type: string; record_id: string; correlation_id: string; detail: string | null }

export class SqliteAuditLog implements AuditLog {
  constructor(private readonly db: Db) {}

  async record(entry: AuditEntry): Promise<void> {
    insertAudit(this.db, entry);
  }

  async list(filter: { recordId?: string; actor?: string; limit?: number }): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.recordId) { where.push("(record_id = ? OR (',' || record_id || ',') LIKE ?)"); args.push(filter.recordId, `%,${filter.recordId},%`); }
    if (filter.actor) { where.push('actor = ?'); args.push(filter.actor); }
    const sql = `SELECT * FROM audit ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id LIMIT ?`;
    const rows = statement(this.db, sql).all(...args, filter.limit ?? 1000) as Row[];
    return rows.map((r) => ({
      at: r.at, actor: r.actor, action: r.action, recordType: r.record_type, recordId: r.record_id, correlationId: r.correlation_id,
      ...(r.detail ? { detail: JSON.parse(r.detail) as Record<string, string> } : {}),
    }));
  }
}
