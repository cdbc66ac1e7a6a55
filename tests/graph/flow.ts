/** The referral submit flow (use cases, real) on any stores: used by the fault test and the benchmark. */
import { attachDocument } from '../../src/app/attach-document';
import { submitReferral } from '../../src/app/submit-referral';
import type { Clock } from '../../src/ports/clock';
import type { Directory } from '../../src/ports/directory';
import type { AuditLog } from '../../src/ports/audit';
import type { DocumentStore } from '../../src/ports/documents';
import type { ReferralStore } from '../../src/ports/referral-store';
import type { UserStore } from '../../src/ports/users';
import { validForm } from '../support/activities';

export const directory: Directory = {
  authority: () => ({ id: 'MON', name: { en: 'Monmouthshire', cy: 'Sir Fynwy' }, country: 'wales', insetCountsAsSchoolDays: false, consentRules: {} }),
  school: (id) => (id === 'w-6784021' ? school : undefined),
  schools: () => [school],
  schoolsFor: () => [school],
  isAdmin: () => false,
  contact: () => 'inclusion@example.gov.uk',
};
const school = { id: 'w-6784021', name: { en: 'Ysgol', cy: 'Ysgol' }, kind: 'primary' as const, language: 'bilingual' as const, alncos: ['alnco-1'] };

export interface FlowStores {
  referrals: ReferralStore;
  audit: AuditLog;
  users: UserStore;
  documents: DocumentStore;
}

const clocks = { due: () => ({ ok: false as const, problem: 'no-calendar' as const }), citation: () => undefined };

/** Submit a referral with `key`, then (optionally) attach one document to it, as the Teams features do. */
export async function submitWithDocument(s: FlowStores, clock: Clock, key: string, user: string, document?: Buffer) {
  const actor = { aadObjectId: user, name: 'Alnco', correlationId: `corr-${key}` };
  const r = await submitReferral({ directory, referrals: s.referrals, clocks, hasher: { hash: (v) => `h-${v}` }, clock }, actor as never, validForm(), key);
  if (!r.ok) throw new Error(r.error.code);
  if (!document) return { referral: r.value.referral };
  await s.users.setDocumentTarget(user, r.value.referral.reference, new Date(clock.now().getTime() + 30 * 60_000));
  const doc = await attachDocument(
    { documents: s.documents, users: s.users, audit: s.audit, clock, maxBytes: 25 * 1024 * 1024, allowedTypes: ['pdf'], fetcher: { fetch: async () => document } },
    actor as never,
    { name: 'assessment.pdf', fileType: 'pdf', downloadUrl: 'https://example.invalid/file' },
  );
  if (!doc.ok) throw new Error(doc.error.code);
  return { referral: r.value.referral, document: doc.value };
}
