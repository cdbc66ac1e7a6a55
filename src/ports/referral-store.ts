import type { Referral } from '../domain/referral';
import type { AuditEntry } from './audit';
import type { NewOutboxMessage } from './outbox';

/** Everything one submit writes, stored as a unit: all of it or none of it, once per idempotency key. */
export interface SubmitReferralWrite {
  readonly idempotencyKey: string;
  /** Reference prefix and year; the store allocates the sequence. */
  readonly prefix: string;
  readonly year: number;
  /** The referral without its reference (the store sets `reference`). */
  readonly referral: Omit<Referral, 'reference'>;
  readonly audit: Omit<AuditEntry, 'recordId'>;
  /** Messages to queue; `{reference}` in a key or in string data is replaced by the allocated reference. */
  readonly outbox: readonly NewOutboxMessage[];
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
}

export interface ReferralStore {
  /** Store a submitted referral with its audit entry and queued messages in one unit. Re-submitting the same key returns the first. */
  submit(write: SubmitReferralWrite): Promise<{ referral: Referral; created: boolean }>;
  get(reference: string): Promise<Referral | undefined>;
  /** A user's referrals, newest first. */
  listBySubmitter(aadObjectId: string, offset: number, limit: number): Promise<Page<Referral>>;
  count(): Promise<number>;
}
