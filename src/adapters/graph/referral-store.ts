import { formatReference, parseReference } from '../../domain/reference';
import type { Referral } from '../../domain/referral';
import type { AuditEntry } from '../../ports/audit';
import type { NewOutboxMessage } from '../../ports/outbox';
import type { Page, ReferralStore, SubmitReferralWrite } from '../../ports/referral-store';
import type { ReferralFeed, ReferralSummary } from '../../ports/referral-feed';
import { expectOk, type BatchRequest } from './graph-http';
import { auditFields } from './audit-log';
import { outboxFields } from './outbox-store';
import { lit, str, type Item, type SharePointSite } from './site';

/** Replace `{reference}` in keys and string data once the reference is known. */
export function withReference(messages: readonly NewOutboxMessage[], reference: string): NewOutboxMessage[] {
  const fill = (v: unknown): unknown =>
    typeof v === 'string' ? v.split('{reference}').join(reference)
    : Array.isArray(v) ? v.map(fill)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]))
    : v;
  return messages.map((m) => fill(m) as NewOutboxMessage);
}

/** What the first item carries so that anyone (a retry, the reconciler) can finish the write. */
interface PendingWork {
  readonly audit: Omit<AuditEntry, 'recordId'>;
  readonly outbox: readonly NewOutboxMessage[];
}

export const submitAuditKey = (idempotencyKey: string): string => `submit:${idempotencyKey}`;

/** A referral's reference: the one it was imported with, else prefix-year-<SharePoint item id>. */
export function referenceOf(item: Item): string {
  const imported = str(item.fields['Reference']);
  if (imported) return imported;
  return formatReference(String(item.fields['Prefix']), Number(item.fields['RefYear']), Number(item.id));
}

export function referralOf(item: Item): Referral {
  return { ...(JSON.parse(String(item.fields['Body'])) as Omit<Referral, 'reference'>), reference: referenceOf(item) };
}

/** Columns for a referral item (the body is the referral without its reference). */
export function referralFields(r: Omit<Referral, 'reference'> & { reference?: string }, idempotencyKey: string, prefix: string, year: number): Record<string, unknown> {
  const { reference, ...body } = r;
  return {
    Title: reference ?? `${prefix}-${year}`,
    IdempotencyKey: idempotencyKey,
    ...(reference ? { Reference: reference } : {}),
    Prefix: prefix,
    RefYear: year,
    RouteId: r.routeId,
    SchoolId: r.schoolId,
    Status: r.status,
    SubmitterId: r.submittedBy.aadObjectId,
    SubmittedAt: r.submittedAt,
    UpdatedAt: r.updatedAt,
    Version: r.version,
    UpnHash: r.learner.upnHash,
    Body: JSON.stringify(body),
  };
}

/**
 * Referrals on a SharePoint list. One submit is three writes with no transaction across lists, ordered so that a
 * retry (or the reconciler) finishes it without duplicates:
 *  1. the referral item, keyed by the unique IdempotencyKey column; its item id gives the reference sequence;
 *     it carries the audit entry and messages still to write ("Pending");
 *  2. in one $batch: the outbox messages (unique Key), then the audit entry (unique EntryKey `submit:<key>`),
 *     which depends on them — so an audit entry exists only once the messages do, and marks the submit complete.
 */
export class GraphReferralStore implements ReferralStore {
  constructor(private readonly site: SharePointSite) {}

  async submit(write: SubmitReferralWrite): Promise<{ referral: Referral; created: boolean }> {
    const pending: PendingWork = { audit: write.audit, outbox: write.outbox };
    const { item, created } = await this.site.createKeyed('referrals', 'IdempotencyKey', {
      ...referralFields(write.referral, write.idempotencyKey, write.prefix, write.year),
      Pending: JSON.stringify(pending),
    });
    const referral = referralOf(item);
    const completedNow = await this.complete(referral.reference, write.idempotencyKey, created ? pending : pendingOf(item));
    return { referral, created: created || completedNow };
  }

  /** Write the dependent items of a submit (idempotent). True when this call wrote the audit entry. */
  async complete(reference: string, idempotencyKey: string, pending: PendingWork | undefined): Promise<boolean> {
    if (!pending) return false;
    const outboxPath = await this.site.listPath('outbox');
    const auditPath = await this.site.listPath('audit');
    this.site.guard('outbox');
    this.site.guard('audit');
    const messages = withReference(pending.outbox, reference);
    const at = new Date(pending.audit.at);
    const requests: BatchRequest[] = messages.map((m, i) => ({ id: `o${i}`, method: 'POST', url: `${outboxPath}/items`, body: { fields: outboxFields(m, Number.isNaN(at.getTime()) ? new Date() : at) } }));
    requests.push({
      id: 'audit',
      method: 'POST',
      url: `${auditPath}/items`,
      body: { fields: auditFields({ ...pending.audit, recordId: reference }, submitAuditKey(idempotencyKey)) },
      dependsOn: requests.map((r) => r.id),
    });
    const answers = await this.site.http.batch(requests);
    for (const r of requests) expectOk(answers.get(r.id), [409]);
    return answers.get('audit')!.status === 201;
  }

  async get(reference: string): Promise<Referral | undefined> {
    const ref = reference.trim().toUpperCase();
    const parsed = parseReference(ref);
    if (!parsed) return undefined;
    const byId = await this.site.get('referrals', String(parsed.sequence));
    if (byId && !str(byId.fields['Reference']) && referenceOf(byId) === ref) return referralOf(byId);
    const imported = await this.site.one('referrals', 'Reference', ref);
    return imported ? referralOf(imported) : undefined;
  }

  async listBySubmitter(aadObjectId: string, offset: number, limit: number): Promise<Page<Referral>> {
    const items = await this.site.query('referrals', `fields/SubmitterId eq '${aadObjectId.replace(/'/g, "''")}'`, {
      orderby: 'fields/SubmittedAt desc',
      select: ['Reference', 'Prefix', 'RefYear', 'SubmittedAt', ...(limit > 0 ? ['Body'] : [])],
    });
    const sorted = items
      .map((i) => ({ i, ref: referenceOf(i), at: String(i.fields['SubmittedAt']) }))
      .sort((a, b) => b.at.localeCompare(a.at) || b.ref.localeCompare(a.ref));
    return { total: sorted.length, items: limit > 0 ? sorted.slice(offset, offset + limit).map((x) => referralOf(x.i)) : [] };
  }

  async count(): Promise<number> {
    const base = await this.site.listPath('referrals');
    const all = await this.site.http.all<{ id: string }>(`${base}/items?$select=id&$top=999`);
    return all.length;
  }
}

/** A referral's item, found as GraphReferralStore.get finds it: by the item id its reference carries, else (imported) by the Reference column. */
export async function referralItem(site: SharePointSite, reference: string): Promise<Item | undefined> {
  const ref = reference.trim().toUpperCase();
  const parsed = parseReference(ref);
  if (!parsed) return undefined;
  const byId = await site.get('referrals', String(parsed.sequence));
  if (byId && !str(byId.fields['Reference']) && referenceOf(byId) === ref) return byId;
  return site.one('referrals', 'Reference', ref);
}

/**
 * Move a referral to a status (panel work: on-agenda, decided, back to submitted): Status, UpdatedAt, Version + 1 and
 * the Body, with If-Match (a 412 re-reads and re-applies). Idempotent: nothing is written when the referral already
 * has that status, or when it was changed after `at` (a re-run of older work never undoes a later change).
 * True when this call changed it.
 */
export async function setReferralStatus(site: SharePointSite, reference: string, status: Referral['status'], at: string): Promise<boolean> {
  const item = await referralItem(site, reference);
  if (!item) return false;
  let changed = false;
  await site.update(
    'referrals',
    item.id,
    (f) => {
      changed = false;
      if (f['Status'] === status) return undefined;
      const updatedAt = str(f['UpdatedAt']);
      if (updatedAt && updatedAt > at) return undefined;
      const body = JSON.parse(String(f['Body'])) as Omit<Referral, 'reference'>;
      const version = Math.max(Number(f['Version'] ?? 0), body.version ?? 0) + 1;
      changed = true;
      return { Status: status, UpdatedAt: at, Version: version, Body: JSON.stringify({ ...body, status, updatedAt: at, version }) };
    },
    item,
  );
  return changed;
}

export function pendingOf(item: Item): PendingWork | undefined {
  const raw = str(item.fields['Pending']);
  return raw ? (JSON.parse(raw) as PendingWork) : undefined;
}

/** Referrals of a route since an instant (the weekly EP digest): two indexed columns. */
export class GraphReferralFeed implements ReferralFeed {
  constructor(private readonly site: SharePointSite) {}

  async referralsSince(routeId: string, sinceIso: string): Promise<ReferralSummary[]> {
    const items = await this.site.query('referrals', `fields/RouteId eq ${lit(routeId)} and fields/SubmittedAt ge ${lit(sinceIso)}`, { orderby: 'fields/SubmittedAt' });
    return items
      .map(referralOf)
      .sort((a, b) => a.submittedAt.localeCompare(b.submittedAt))
      .map((r) => ({ reference: r.reference, schoolId: r.schoolId, initials: r.learner.initials, areasOfNeed: r.areasOfNeed, submittedAt: r.submittedAt }));
  }
}
