/**
 * Moving records and documents between the embedded store (SQLite + documents folder) and SharePoint, both ways.
 * Every write is keyed (idempotency key, reference, outbox key, audit entry key, user id, file name), so a run that
 * stopped half way is simply run again: what is there already is skipped. Counts are compared at the end.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../src/adapters/sqlite/database';
import { LocalDocumentStore } from '../../src/adapters/localfs/document-store';
import { auditFields, auditOf } from '../../src/adapters/graph/audit-log';
import { outboxOf } from '../../src/adapters/graph/outbox-store';
import { referenceOf, referralFields, referralOf } from '../../src/adapters/graph/referral-store';
import { docOf } from '../../src/adapters/graph/document-store';
import type { GraphStores } from '../../src/adapters/graph/stores';
import { str } from '../../src/adapters/graph/site';
import { parseReference } from '../../src/domain/reference';
import type { Referral } from '../../src/domain/referral';

export type Counts = Record<'referrals' | 'audit' | 'outbox' | 'users' | 'conversations' | 'documents', number>;

export interface TransferResult {
  readonly source: Counts;
  readonly target: Counts;
  readonly written: Counts;
  readonly problems: string[];
  readonly ok: boolean;
}

const zero = (): Counts => ({ referrals: 0, audit: 0, outbox: 0, users: 0, conversations: 0, documents: 0 });

async function pool<T>(items: readonly T[], n: number, work: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await work(items[i++]!);
  }));
}

function localDocumentFolders(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() && /^[A-Z0-9-]+$/.test(d.name)).map((d) => d.name) : [];
}

async function sqliteCounts(db: Db, docsDir: string): Promise<Counts> {
  const n = (t: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  const docs = new LocalDocumentStore(docsDir);
  let documents = 0;
  for (const f of localDocumentFolders(docsDir)) documents += (await docs.list(f)).length;
  return { referrals: n('referrals'), audit: n('audit'), outbox: n('outbox'), users: n('users'), conversations: n('conversations'), documents };
}

async function sharePointCounts(sp: GraphStores): Promise<Counts> {
  const c = async (k: 'referrals' | 'audit' | 'outbox' | 'preferences' | 'conversations' | 'documents', filter = '') => (await sp.site.query(k, filter, { select: ['Title'] })).length;
  return {
    referrals: await c('referrals'),
    audit: await c('audit'),
    outbox: await c('outbox'),
    users: await c('preferences'),
    conversations: await c('conversations'),
    documents: (await sp.site.query('documents', '', { select: ['DocumentReference'] })).filter((d) => str(d.fields['DocumentReference'])).length,
  };
}

/** Embedded store → SharePoint. */
export async function importToSharePoint(db: Db, docsDir: string, sp: GraphStores, log: (line: string) => void = () => undefined): Promise<TransferResult> {
  const written = zero();
  const problems: string[] = [];

  const referrals = db.prepare('SELECT reference, idempotency_key AS key, body FROM referrals ORDER BY submitted_at').all() as { reference: string; key: string; body: string }[];
  await pool(referrals, 4, async (row) => {
    const r = JSON.parse(row.body) as Referral;
    const p = parseReference(row.reference);
    if (!p) return void problems.push(`referral ${row.reference}: not a reference`);
    // A referral made on SharePoint may already own this reference (its item id gave it): never take it over.
    const native = await sp.site.get('referrals', String(p.sequence));
    if (native && !str(native.fields['Reference']) && referenceOf(native) === row.reference && native.fields['IdempotencyKey'] !== row.key) {
      return void problems.push(`referral ${row.reference}: the reference is already used on SharePoint; not imported`);
    }
    const { created } = await sp.site.createKeyed('referrals', 'IdempotencyKey', referralFields({ ...r, reference: row.reference }, row.key, p.prefix, p.year));
    if (created) written.referrals++;
  });
  log(`referrals: ${written.referrals} written`);

  const audit = db.prepare('SELECT * FROM audit ORDER BY id').all() as { id: number; at: string; actor: string; action: string; record_type: string; record_id: string; correlation_id: string; detail: string | null }[];
  await pool(audit, 4, async (a) => {
    const entry = { at: a.at, actor: a.actor, action: a.action, recordType: a.record_type, recordId: a.record_id, correlationId: a.correlation_id, ...(a.detail ? { detail: JSON.parse(a.detail) as Record<string, string> } : {}) };
    const { created } = await sp.site.createKeyed('audit', 'EntryKey', auditFields(entry, `import:${a.id}:${a.at}`));
    if (created) written.audit++;
  });
  log(`audit: ${written.audit} written`);

  const outbox = db.prepare('SELECT * FROM outbox ORDER BY id').all() as Record<string, string | number | null>[];
  await pool(outbox, 4, async (m) => {
    const { created } = await sp.site.createKeyed('outbox', 'Key', {
      Title: String(m['key']).slice(0, 255), Key: m['key'], Target: m['target'], Payload: m['payload'], State: m['state'], Attempts: m['attempts'],
      NextAttemptAt: m['next_attempt_at'], CreatedAt: m['created_at'], LastError: m['last_error'] ?? undefined, SentAt: m['sent_at'] ?? undefined, ActivityId: m['activity_id'] ?? undefined,
    });
    if (created) written.outbox++;
  });
  log(`outbox: ${written.outbox} written`);

  const users = db.prepare('SELECT * FROM users').all() as { aad_object_id: string; language: string | null; document_target: string | null; document_target_until: string | null }[];
  await pool(users, 4, async (u) => {
    const { created } = await sp.site.createKeyed('preferences', 'AadObjectId', {
      Title: u.aad_object_id, AadObjectId: u.aad_object_id, Language: u.language ?? undefined, DocumentTarget: u.document_target ?? undefined, DocumentTargetUntil: u.document_target_until ?? undefined,
    });
    if (created) written.users++;
  });
  const conversations = db.prepare('SELECT * FROM conversations').all() as { key: string; ref: string; updated_at: string }[];
  await pool(conversations, 4, async (c) => {
    const { created } = await sp.site.createKeyed('conversations', 'Key', { Title: c.key.slice(0, 255), Key: c.key, Ref: c.ref, UpdatedAt: c.updated_at });
    if (created) written.conversations++;
  });

  const local = new LocalDocumentStore(docsDir);
  for (const folder of localDocumentFolders(docsDir)) {
    const there = new Set((await sp.documents.list(folder)).map((d) => d.name));
    for (const d of await local.list(folder)) {
      if (there.has(d.name)) continue;
      const bytes = await local.read(folder, d.name);
      if (!bytes) continue;
      await sp.documents.put({ reference: d.reference, name: d.name, type: d.type, bytes, storedBy: d.storedBy, at: new Date(d.storedAt) });
      written.documents++;
    }
  }
  log(`documents: ${written.documents} written`);

  const source = await sqliteCounts(db, docsDir);
  const target = await sharePointCounts(sp);
  return { source, target, written, problems, ok: problems.length === 0 && (Object.keys(source) as (keyof Counts)[]).every((k) => target[k] >= source[k]) };
}

/** SharePoint → embedded store. */
export async function exportFromSharePoint(sp: GraphStores, db: Db, docsDir: string, log: (line: string) => void = () => undefined): Promise<TransferResult> {
  const written = zero();
  const problems: string[] = [];

  const insertReferral = db.prepare(
    `INSERT INTO referrals (reference, idempotency_key, route_id, school_id, status, submitter_id, submitted_at, updated_at, version, upn_hash, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const bumpSequence = db.prepare('INSERT INTO reference_sequences (prefix, year, last) VALUES (?, ?, ?) ON CONFLICT (prefix, year) DO UPDATE SET last = MAX(last, excluded.last)');
  for (const item of await sp.site.query('referrals', '')) {
    const r = referralOf(item);
    const p = parseReference(r.reference)!;
    db.transaction(() => {
      const info = insertReferral.run(r.reference, String(item.fields['IdempotencyKey']), r.routeId, r.schoolId, r.status, r.submittedBy.aadObjectId, r.submittedAt, r.updatedAt, r.version, r.learner.upnHash ?? null, JSON.stringify(r));
      bumpSequence.run(p.prefix, p.year, p.sequence); // new local references continue after the highest one
      written.referrals += info.changes;
    })();
  }
  log(`referrals: ${written.referrals} written`);

  const exists = db.prepare('SELECT 1 FROM audit WHERE at = ? AND actor = ? AND action = ? AND record_id = ? AND correlation_id = ?');
  const insertAudit = db.prepare('INSERT INTO audit (at, actor, action, record_type, record_id, correlation_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (const item of (await sp.site.query('audit', '')).sort((a, b) => Number(a.id) - Number(b.id))) {
    const e = auditOf(item);
    if (exists.get(e.at, e.actor, e.action, e.recordId, e.correlationId)) continue;
    insertAudit.run(e.at, e.actor, e.action, e.recordType, e.recordId, e.correlationId, e.detail ? JSON.stringify(e.detail) : null);
    written.audit++;
  }
  const insertOutbox = db.prepare(
    'INSERT INTO outbox (key, target, payload, state, attempts, next_attempt_at, last_error, created_at, sent_at, activity_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
  );
  for (const item of await sp.site.query('outbox', '')) {
    const m = outboxOf(item);
    written.outbox += insertOutbox.run(m.key, JSON.stringify(m.target), JSON.stringify(m.payload), m.state, m.attempts, m.nextAttemptAt, m.lastError ?? null, m.createdAt, m.sentAt ?? null, m.activityId ?? null).changes;
  }
  const insertUser = db.prepare('INSERT INTO users (aad_object_id, language, document_target, document_target_until) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
  for (const item of await sp.site.query('preferences', '')) {
    const f = item.fields;
    written.users += insertUser.run(String(f['AadObjectId']), str(f['Language']) ?? null, str(f['DocumentTarget']) ?? null, str(f['DocumentTargetUntil']) ?? null).changes;
  }
  const insertConversation = db.prepare('INSERT INTO conversations (key, ref, updated_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  for (const item of await sp.site.query('conversations', '')) {
    const f = item.fields;
    written.conversations += insertConversation.run(String(f['Key']), String(f['Ref']), String(f['UpdatedAt'] ?? new Date(0).toISOString())).changes;
  }

  const local = new LocalDocumentStore(docsDir);
  const remote = (await sp.site.query('documents', '')).filter((d) => str(d.fields['DocumentReference'])).map(docOf);
  const byRef = new Map<string, typeof remote>();
  for (const d of remote) byRef.set(d.reference, [...(byRef.get(d.reference) ?? []), d]);
  for (const [reference, docs] of byRef) {
    const here = new Set((await local.list(reference)).map((d) => d.name));
    for (const d of docs.sort((a, b) => a.storedAt.localeCompare(b.storedAt))) {
      if (here.has(d.name)) continue;
      const bytes = await sp.documents.read(reference, d.name);
      if (!bytes) {
        problems.push(`document ${reference}/${d.name}: not readable`);
        continue;
      }
      const stored = await local.put({ reference, name: d.name, type: d.type, bytes, storedBy: d.storedBy, at: new Date(d.storedAt) });
      if (stored.name !== d.name) problems.push(`document ${reference}/${d.name}: stored as ${stored.name}`);
      written.documents++;
    }
  }
  log(`documents: ${written.documents} written`);

  const source = await sharePointCounts(sp);
  const target = await sqliteCounts(db, docsDir);
  return { source, target, written, problems, ok: problems.length === 0 && (Object.keys(source) as (keyof Counts)[]).every((k) => target[k] >= source[k]) };
}

export function formatCounts(r: TransferResult, from: string, to: string): string {
  const lines = [`${'record'.padEnd(14)} ${from.padStart(10)} ${to.padStart(10)} ${'written'.padStart(8)}`];
  for (const k of Object.keys(r.source) as (keyof Counts)[]) {
    lines.push(`${k.padEnd(14)} ${String(r.source[k]).padStart(10)} ${String(r.target[k]).padStart(10)} ${String(r.written[k]).padStart(8)}${r.target[k] < r.source[k] ? '  MISSING' : ''}`);
  }
  for (const p of r.problems) lines.push(`problem: ${p}`);
  lines.push(r.ok ? 'Counts match.' : 'Counts do NOT match: run again (it resumes) or see the problems above.');
  return lines.join('\n');
}
