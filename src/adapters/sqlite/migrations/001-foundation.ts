import type { Migration } from './migration';

/** Referrals, reference sequences, audit trail, outbox, conversation references and user preferences. */
export const foundation: Migration = {
  id: '001-foundation',
  sql: `
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
};
