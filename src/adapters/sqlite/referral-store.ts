import { formatReference } from '../../domain/reference';
import type { Referral } from '../../domain/referral';
import type { NewOutboxMessage } from '../../ports/outbox';
import type { Page, ReferralStore, SubmitReferralWrite } from '../../ports/referral-store';
import { GroupCommitter, type Db } from './database';
import { insertAudit } from './audit-log';
import { insertOutbox } from './outbox-store';

interface Row {
  reference: string;
  body: string;
}

const fromRow = (row: Row): Referral => JSON.parse(row.body) as Referral;

/** Replace `{reference}` in keys and string data once the reference is known. */
function withReference(messages: readonly NewOutboxMessage[], reference: string): NewOutboxMessage[] {
  const fill = (v: unknown): unknown =>
    typeof v === 'string' ? v.split('{reference}').join(reference) : Array.isArray(v) ? v.map(fill) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)])) : v;
  return messages.map((m) => fill(m) as NewOutboxMessage);
}

export class SqliteReferralStore implements ReferralStore {
  private readonly byKey;
  private readonly byReference;
  private readonly nextSeq;
  private readonly insert;
  private readonly countBySubmitter;
  private readonly pageBySubmitter;
  private readonly submitWrite;
  private readonly writer: GroupCommitter;

  constructor(private readonly db: Db) {
    this.byKey = db.prepare<[string], Row>('SELECT reference, body FROM referrals WHERE idempotency_key = ?');
    this.byReference = db.prepare<[string], Row>('SELECT reference, body FROM referrals WHERE reference = ?');
    this.nextSeq = db.prepare<[string, number], { last: number }>(
      'INSERT INTO reference_sequences (prefix, year, last) VALUES (?, ?, 1) ON CONFLICT (prefix, year) DO UPDATE SET last = last + 1 RETURNING last',
    );
    this.insert = db.prepare(
      `INSERT INTO referrals (reference, idempotency_key, route_id, school_id, status, submitter_id, submitted_at, updated_at, version, upn_hash, body)
       VALUES (@reference, @key, @routeId, @schoolId, @status, @submitter, @submittedAt, @updatedAt, @version, @upnHash, @body)`,
    );
    this.countBySubmitter = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM referrals WHERE submitter_id = ?');
    this.pageBySubmitter = db.prepare<[string, number, number], Row>(
      'SELECT reference, body FROM referrals WHERE submitter_id = ? ORDER BY submitted_at DESC, reference DESC LIMIT ? OFFSET ?',
    );
    this.writer = new GroupCommitter(db);
    this.submitWrite = (write: SubmitReferralWrite): { referral: Referral; created: boolean } => {
      const existing = this.byKey.get(write.idempotencyKey);
      if (existing) return { referral: fromRow(existing), created: false };
      const seq = this.nextSeq.get(write.prefix, write.year)!.last;
      const reference = formatReference(write.prefix, write.year, seq);
      const referral: Referral = { ...write.referral, reference };
      this.insert.run({
        reference,
        key: write.idempotencyKey,
        routeId: referral.routeId,
        schoolId: referral.schoolId,
        status: referral.status,
        submitter: referral.submittedBy.aadObjectId,
        submittedAt: referral.submittedAt,
        updatedAt: referral.updatedAt,
        version: referral.version,
        upnHash: referral.learner.upnHash ?? null,
        body: JSON.stringify(referral),
      });
      insertAudit(this.db, { ...write.audit, recordId: reference });
      insertOutbox(this.db, withReference(write.outbox, reference), new Date(referral.submittedAt));
      return { referral, created: true };
    };
  }

  async submit(write: SubmitReferralWrite): Promise<{ referral: Referral; created: boolean }> {
    return this.writer.run(() => this.submitWrite(write));
  }

  async get(reference: string): Promise<Referral | undefined> {
    const row = this.byReference.get(reference.trim().toUpperCase());
    return row ? fromRow(row) : undefined;
  }

  async listBySubmitter(aadObjectId: string, offset: number, limit: number): Promise<Page<Referral>> {
    const total = this.countBySubmitter.get(aadObjectId)!.n;
    const items = limit > 0 ? this.pageBySubmitter.all(aadObjectId, limit, offset).map(fromRow) : [];
    return { items, total };
  }

  async count(): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM referrals').get() as { n: number }).n;
  }
}
