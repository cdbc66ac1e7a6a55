/**
 * Moving records and documents between the embedded store (SQLite + documents folder) and SharePoint, both ways.
 * Every write is keyed (idempotency key, reference, outbox key, audit entry key, user id, file name, and each newer
 * list's unique key column), so a run that stopped half way is simply run again: what is there already is skipped.
 * Ids that differ between the stores (agenda items, next steps, learners) are remapped, in the records that refer to
 * them and in reminder subjects (transfer-panels.ts, transfer-reminders.ts, transfer-subjects.ts). Counts are compared
 * at the end.
 */
import { existsSync, readdirSync } from 'node:fs';
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
import { createMissing, fold } from './transfer-keyed';
import { exportPanels, importPanels } from './transfer-panels';
import { exportEps, exportJobs, exportLearners, exportReminderStates, importEps, importJobs, importLearners, importReminderStates, type Progress } from './transfer-reminders';
import { remapOutboxMessage, type IdMaps } from './transfer-subjects';

/** What is counted on both sides, in the order (and with the names) formatCounts prints. */
const KINDS = {
  referrals: 'referrals',
  audit: 'audit entries',
  outbox: 'outbox messages',
  users: 'preferences',
  conversations: 'conversations',
  documents: 'documents',
  panels: 'panels',
  panelMembers: 'panel members',
  agenda: 'agenda items',
  recommendations: 'recommendations',
  decisions: 'decisions',
  nextSteps: 'next steps',
  learners: 'learners',
  reminderStates: 'reminder states',
  digests: 'digest choices',
  epLinks: 'EP link choices',
  epAnswers: 'EP answers',
  jobs: 'scheduled jobs',
} as const;

export type CountKey = keyof typeof KINDS;
export type Counts = Record<CountKey, number>;

export interface TransferResult {
  readonly source: Counts;
  readonly target: Counts;
  readonly written: Counts;
  readonly problems: string[];
  readonly ok: boolean;
}

const zero = (): Counts => Object.fromEntries(Object.keys(KINDS).map((k) => [k, 0])) as Counts;

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
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const count = (t: string) => n(`SELECT COUNT(*) AS n FROM ${t}`);
  const docs = new LocalDocumentStore(docsDir);
  let documents = 0;
  for (const f of localDocumentFolders(docsDir)) documents += (await docs.list(f)).length;
  return {
    referrals: count('referrals'), audit: count('audit'), outbox: count('outbox'), users: count('users'), conversations: count('conversations'), documents,
    panels: count('panels'), panelMembers: count('panel_members'), agenda: count('agenda_items'), recommendations: count('recommendations'), decisions: count('decisions'), nextSteps: count('next_steps'),
    learners: count('learners'), reminderStates: count('reminder_states'), digests: count('reminder_prefs'),
    epLinks: n('SELECT COUNT(DISTINCT ep_aad_id) AS n FROM ep_links'), epAnswers: count('ep_answers'), jobs: count('scheduled_jobs'),
  };
}

async function sharePointCounts(sp: GraphStores): Promise<Counts> {
  const site = sp.site;
  const plain = ['referrals', 'audit', 'outbox', 'conversations', 'panels', 'panelMembers', 'agenda', 'decisions', 'nextSteps', 'learners', 'reminderStates', 'epLinks', 'epAnswers'] as const;
  const lengths = await Promise.all(plain.map(async (k) => (await site.query(k, '', { select: ['Title'] })).length));
  const n = Object.fromEntries(plain.map((k, i) => [k, lengths[i]!])) as Record<(typeof plain)[number], number>;
  const [preferences, documents, items, recs, jobs] = await Promise.all([
    site.query('preferences', '', { select: ['Digest'] }),
    site.query('documents', '', { select: ['DocumentReference'] }),
    site.query('agenda', '', { select: ['Status', 'ClosedAt'] }),
    site.query('recommendations', '', { select: ['ItemId', 'At'] }),
    site.query('schedule', `fields/Kind eq 'job'`, { select: ['Name'] }),
  ]);
  // Recommendations made after their item closed are never shown (GraphPanelStore) and are not moved: not counted.
  const closedAt = new Map(items.filter((i) => i.fields['Status'] === 'closed').map((i) => [Number(i.id), str(i.fields['ClosedAt'])]));
  return {
    ...n,
    users: preferences.length,
    documents: documents.filter((d) => str(d.fields['DocumentReference'])).length,
    recommendations: recs.filter((r) => {
      const closed = closedAt.get(Number(r.fields['ItemId']));
      return !closed || String(r.fields['At']) <= closed;
    }).length,
    digests: preferences.filter((p) => p.fields['Digest'] === 'yes' || p.fields['Digest'] === 'no').length,
    jobs: jobs.length,
  };
}

const outcome = (source: Counts, target: Counts, problems: string[]): boolean => problems.length === 0 && (Object.keys(source) as CountKey[]).every((k) => target[k] >= source[k]);

/** Embedded store → SharePoint. */
export async function importToSharePoint(db: Db, docsDir: string, sp: GraphStores, log: (line: string) => void = () => undefined): Promise<TransferResult> {
  const written = zero();
  const problems: string[] = [];
  const p: Progress = { written, problems, log };
  const site = sp.site;
  const now = new Date();

  const referrals = db.prepare('SELECT reference, idempotency_key AS key, body FROM referrals ORDER BY submitted_at').all() as { reference: string; key: string; body: string }[];
  await pool(referrals, 4, async (row) => {
    const r = JSON.parse(row.body) as Referral;
    const ref = parseReference(row.reference);
    if (!ref) return void problems.push(`referral ${row.reference}: not a reference`);
    // A referral made on SharePoint may already own this reference (its item id gave it): never take it over.
    const native = await site.get('referrals', String(ref.sequence));
    if (native && !str(native.fields['Reference']) && referenceOf(native) === row.reference && native.fields['IdempotencyKey'] !== row.key) {
      return void problems.push(`referral ${row.reference}: the reference is already used on SharePoint; not imported`);
    }
    const { created } = await site.createKeyed('referrals', 'IdempotencyKey', referralFields({ ...r, reference: row.reference }, row.key, ref.prefix, ref.year));
    if (created) written.referrals++;
  });
  log(`referrals: ${written.referrals} written`);

  const audit = db.prepare('SELECT * FROM audit ORDER BY id').all() as { id: number; at: string; actor: string; action: string; record_type: string; record_id: string; correlation_id: string; detail: string | null }[];
  written.audit += (await createMissing(site, 'audit', 'EntryKey', audit.map((a) => {
    const entry = { at: a.at, actor: a.actor, action: a.action, recordType: a.record_type, recordId: a.record_id, correlationId: a.correlation_id, ...(a.detail ? { detail: JSON.parse(a.detail) as Record<string, string> } : {}) };
    const key = `import:${a.id}:${a.at}`;
    return { key, fields: auditFields(entry, key) };
  }))).created;
  log(`audit: ${written.audit} written`);

  // Panels and learners first: their ids on SharePoint are needed to rewrite reminder subjects and reminder messages.
  const steps = await importPanels(db, site, p, now);
  const maps: IdMaps = { learners: await importLearners(db, site, p), steps };
  await importReminderStates(db, site, maps, p);
  await importEps(db, site, p, now);
  await importJobs(db, site, p);

  const outbox = db.prepare('SELECT * FROM outbox ORDER BY id').all() as Record<string, string | number | null>[];
  written.outbox += (await createMissing(site, 'outbox', 'Key', outbox.map((m) => {
    const payload = JSON.parse(String(m['payload'])) as unknown;
    const moved = remapOutboxMessage(String(m['key']), payload, maps);
    return {
      key: moved.key,
      fields: {
        Target: m['target'], Payload: moved.payload === payload ? m['payload'] : JSON.stringify(moved.payload), State: m['state'], Attempts: m['attempts'], NextAttemptAt: m['next_attempt_at'], CreatedAt: m['created_at'],
        LastError: m['last_error'] ?? undefined, SentAt: m['sent_at'] ?? undefined, ActivityId: m['activity_id'] ?? undefined,
      },
    };
  }))).created;
  log(`outbox: ${written.outbox} written`);

  // Preferences: one item per user with language, document target and the weekly-digest choice (reminder_prefs).
  const users = new Map<string, { language?: string; documentTarget?: string; documentTargetUntil?: string; digest?: boolean }>();
  for (const u of db.prepare('SELECT * FROM users').all() as { aad_object_id: string; language: string | null; document_target: string | null; document_target_until: string | null }[]) {
    users.set(u.aad_object_id, { ...(u.language ? { language: u.language } : {}), ...(u.document_target ? { documentTarget: u.document_target } : {}), ...(u.document_target_until ? { documentTargetUntil: u.document_target_until } : {}) });
  }
  const digests = db.prepare('SELECT aad_object_id, digest FROM reminder_prefs').all() as { aad_object_id: string; digest: number }[];
  for (const d of digests) users.set(d.aad_object_id, { ...users.get(d.aad_object_id), digest: d.digest === 1 });
  const digestOf = (on: boolean | undefined) => (on === undefined ? undefined : on ? 'yes' : 'no');
  const prefs = await createMissing(
    site,
    'preferences',
    'AadObjectId',
    [...users].map(([id, u]) => ({ key: id, fields: { Language: u.language, DocumentTarget: u.documentTarget, DocumentTargetUntil: u.documentTargetUntil, Digest: digestOf(u.digest) } })),
    { select: ['Digest'] },
  );
  written.users += prefs.created;
  for (const d of digests) {
    const hit = prefs.index.get(fold(d.aad_object_id));
    if (!hit) {
      problems.push(`preferences of ${d.aad_object_id}: not on SharePoint after writing them`);
      continue;
    }
    if (prefs.createdKeys.has(fold(d.aad_object_id))) written.digests++;
    else if (!str(hit.fields['Digest'])) {
      // The user's item was there already (made on SharePoint, or by an earlier import) without a digest choice.
      const value = digestOf(d.digest === 1);
      await site.update('preferences', hit.id, (f) => (str(f['Digest']) ? undefined : { Digest: value }));
      written.digests++;
    }
  }
  const conversations = db.prepare('SELECT * FROM conversations').all() as { key: string; ref: string; updated_at: string }[];
  written.conversations += (await createMissing(site, 'conversations', 'Key', conversations.map((c) => ({ key: c.key, fields: { Ref: c.ref, UpdatedAt: c.updated_at } })))).created;

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
  return { source, target, written, problems, ok: outcome(source, target, problems) };
}

/** SharePoint → embedded store. */
export async function exportFromSharePoint(sp: GraphStores, db: Db, docsDir: string, log: (line: string) => void = () => undefined): Promise<TransferResult> {
  const written = zero();
  const problems: string[] = [];
  const p: Progress = { written, problems, log };
  const site = sp.site;

  const insertReferral = db.prepare(
    `INSERT INTO referrals (reference, idempotency_key, route_id, school_id, status, submitter_id, submitted_at, updated_at, version, upn_hash, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const bumpSequence = db.prepare('INSERT INTO reference_sequences (prefix, year, last) VALUES (?, ?, ?) ON CONFLICT (prefix, year) DO UPDATE SET last = MAX(last, excluded.last)');
  for (const item of await site.query('referrals', '')) {
    const r = referralOf(item);
    const ref = parseReference(r.reference)!;
    db.transaction(() => {
      const info = insertReferral.run(r.reference, String(item.fields['IdempotencyKey']), r.routeId, r.schoolId, r.status, r.submittedBy.aadObjectId, r.submittedAt, r.updatedAt, r.version, r.learner.upnHash ?? null, JSON.stringify(r));
      bumpSequence.run(ref.prefix, ref.year, ref.sequence); // new local references continue after the highest one
      written.referrals += info.changes;
    })();
  }
  log(`referrals: ${written.referrals} written`);

  const exists = db.prepare('SELECT 1 FROM audit WHERE at = ? AND actor = ? AND action = ? AND record_id = ? AND correlation_id = ?');
  const insertAudit = db.prepare('INSERT INTO audit (at, actor, action, record_type, record_id, correlation_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const auditItems = (await site.query('audit', '')).sort((a, b) => Number(a.id) - Number(b.id));
  db.transaction(() => {
    for (const item of auditItems) {
      const e = auditOf(item);
      if (exists.get(e.at, e.actor, e.action, e.recordId, e.correlationId)) continue;
      insertAudit.run(e.at, e.actor, e.action, e.recordType, e.recordId, e.correlationId, e.detail ? JSON.stringify(e.detail) : null);
      written.audit++;
    }
  })();

  // SQLite rows take the SharePoint ids, so references and reminder subjects normally stay as they are.
  const steps = await exportPanels(site, db, p);
  const maps: IdMaps = { learners: await exportLearners(site, db, p), steps };
  await exportReminderStates(site, db, maps, p);
  await exportEps(site, db, p);
  await exportJobs(site, db, p);

  const insertOutbox = db.prepare(
    'INSERT INTO outbox (key, target, payload, state, attempts, next_attempt_at, last_error, created_at, sent_at, activity_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
  );
  const outboxItems = await site.query('outbox', '');
  db.transaction(() => {
    for (const item of outboxItems) {
      const m = outboxOf(item);
      const moved = remapOutboxMessage(m.key, m.payload, maps);
      written.outbox += insertOutbox.run(moved.key, JSON.stringify(m.target), JSON.stringify(moved.payload), m.state, m.attempts, m.nextAttemptAt, m.lastError ?? null, m.createdAt, m.sentAt ?? null, m.activityId ?? null).changes;
    }
  })();
  const insertUser = db.prepare('INSERT INTO users (aad_object_id, language, document_target, document_target_until) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const insertDigest = db.prepare('INSERT INTO reminder_prefs (aad_object_id, digest) VALUES (?, ?) ON CONFLICT DO NOTHING');
  for (const item of await site.query('preferences', '')) {
    const f = item.fields;
    written.users += insertUser.run(String(f['AadObjectId']), str(f['Language']) ?? null, str(f['DocumentTarget']) ?? null, str(f['DocumentTargetUntil']) ?? null).changes;
    if (f['Digest'] === 'yes' || f['Digest'] === 'no') written.digests += insertDigest.run(String(f['AadObjectId']), f['Digest'] === 'yes' ? 1 : 0).changes;
  }
  const insertConversation = db.prepare('INSERT INTO conversations (key, ref, updated_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  for (const item of await site.query('conversations', '')) {
    const f = item.fields;
    written.conversations += insertConversation.run(String(f['Key']), String(f['Ref']), String(f['UpdatedAt'] ?? new Date(0).toISOString())).changes;
  }

  const local = new LocalDocumentStore(docsDir);
  const remote = (await site.query('documents', '')).filter((d) => str(d.fields['DocumentReference'])).map(docOf);
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
  return { source, target, written, problems, ok: outcome(source, target, problems) };
}

export function formatCounts(r: TransferResult, from: string, to: string): string {
  const width = Math.max(6, ...Object.values(KINDS).map((l) => l.length));
  const lines = [`${'record'.padEnd(width)} ${from.padStart(10)} ${to.padStart(10)} ${'written'.padStart(8)}`];
  for (const k of Object.keys(KINDS) as CountKey[]) {
    lines.push(`${KINDS[k].padEnd(width)} ${String(r.source[k]).padStart(10)} ${String(r.target[k]).padStart(10)} ${String(r.written[k]).padStart(8)}${r.target[k] < r.source[k] ? '  MISSING' : ''}`);
  }
  for (const p of r.problems) lines.push(`problem: ${p}`);
  lines.push(r.ok ? 'Counts match.' : 'Counts do NOT match: run again (it resumes) or see the problems above.');
  return lines.join('\n');
}
