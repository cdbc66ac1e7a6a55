import type { EpsFile } from './ep-directory';
import { SqliteAuditLog } from './audit-log';
import { openDatabase } from './database';
import { SqliteEpDirectory } from './ep-directory';
import { SqliteLearnerStore } from './learner-store';
import { SqliteOutboxAdmin, SqliteOutboxStore } from './outbox-store';
import { SqlitePanelStore } from './panel-store';
import { SqliteReferralStore } from './referral-store';
import { SqliteReferralFeed, SqliteReminderStore } from './reminder-store';
import { SqliteJobStore, SqliteLeaseStore } from './scheduling-store';
import { SqliteConversationStore, SqliteUserStore } from './user-store';

/** The embedded store (STORE=sqlite): every port on one SQLite file. Documents are in the local folder (localfs). */
export function openEmbeddedStores(path: string, epsFile: EpsFile) {
  const db = openDatabase(path);
  return {
    kind: 'sqlite' as const,
    db,
    referrals: new SqliteReferralStore(db),
    audit: new SqliteAuditLog(db),
    outbox: new SqliteOutboxStore(db),
    outboxAdmin: new SqliteOutboxAdmin(db),
    referralFeed: new SqliteReferralFeed(db),
    users: new SqliteUserStore(db),
    conversations: new SqliteConversationStore(db),
    panels: new SqlitePanelStore(db),
    learners: new SqliteLearnerStore(db),
    reminders: new SqliteReminderStore(db),
    eps: new SqliteEpDirectory(db, epsFile),
    jobs: new SqliteJobStore(db),
    leases: new SqliteLeaseStore(db),
    /** Health: the file answers a query. */
    ping: async () => (db.prepare('SELECT 1 AS ok').get() as { ok: number }).ok === 1,
    close: async () => db.close(),
  };
}
