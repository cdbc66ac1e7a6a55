import { randomUUID } from 'node:crypto';
import type { AuditEntry, AuditLog } from '../../ports/audit';
import { lit, str, type Item, type SharePointSite } from './site';

/** Columns of an audit item. An entry about several records (a list read) keeps them all in RecordIds. */
export function auditFields(e: AuditEntry, entryKey: string): Record<string, unknown> {
  const many = e.recordId.includes(',');
  return {
    Title: e.action,
    EntryKey: entryKey,
    At: e.at,
    Actor: e.actor,
    Action: e.action,
    RecordType: e.recordType,
    RecordId: many ? e.recordId.slice(0, 255) : e.recordId,
    Scope: many ? 'many' : 'one',
    ...(many ? { RecordIds: e.recordId } : {}),
    CorrelationId: e.correlationId,
    ...(e.detail ? { Detail: JSON.stringify(e.detail) } : {}),
  };
}

export function auditOf(i: Item): AuditEntry {
  const f = i.fields;
  const detail = str(f['Detail']);
  return {
    at: String(f['At']),
    actor: String(f['Actor']),
    action: String(f['Action']),
    recordType: String(f['RecordType']),
    recordId: str(f['RecordIds']) ?? String(f['RecordId']),
    correlationId: String(f['CorrelationId']),
    ...(detail ? { detail: JSON.parse(detail) as Record<string, string> } : {}),
  };
}

/** Append-only audit on a SharePoint list; each entry has a unique key so a replayed write is not doubled. */
export class GraphAuditLog implements AuditLog {
  constructor(private readonly site: SharePointSite) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.site.createKeyed('audit', 'EntryKey', auditFields(entry, randomUUID()));
  }

  async list(filter: { recordId?: string; actor?: string; limit?: number }): Promise<AuditEntry[]> {
    const where: string[] = [];
    if (filter.recordId) where.push(`(fields/RecordId eq ${lit(filter.recordId)} or fields/Scope eq 'many')`);
    if (filter.actor) where.push(`fields/Actor eq ${lit(filter.actor)}`);
    const items = where.length > 0 ? await this.site.query('audit', where.join(' and ')) : await this.site.query('audit', '');
    return items
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map(auditOf)
      .filter((e) => !filter.recordId || e.recordId.split(',').includes(filter.recordId))
      .slice(0, filter.limit ?? 1000);
  }
}
