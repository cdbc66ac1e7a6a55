/** Append-only audit trail: who did what to which record, when, from where. Never personal data in `detail`. */
export interface AuditEntry {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly recordType: string;
  readonly recordId: string;
  readonly correlationId: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  list(filter: { recordId?: string; actor?: string; limit?: number }): Promise<AuditEntry[]>;
}
