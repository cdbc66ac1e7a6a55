import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDocumentStore } from '../../src/adapters/localfs/document-store';
import { SqliteAuditLog } from '../../src/adapters/sqlite/audit-log';
import { openDatabase, type Db } from '../../src/adapters/sqlite/database';
import { SqliteOutboxAdmin, SqliteOutboxStore } from '../../src/adapters/sqlite/outbox-store';
import { SqliteReferralFeed } from '../../src/adapters/sqlite/reminder-store';
import { SqliteReferralStore } from '../../src/adapters/sqlite/referral-store';
import { SqliteConversationStore, SqliteUserStore } from '../../src/adapters/sqlite/user-store';
import { contract } from './contract';

let dir: string;
let db: Db;
contract(
  'SQLite',
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'contract-sqlite-'));
    db = openDatabase(join(dir, 'c.db'));
    return {
      referrals: new SqliteReferralStore(db),
      audit: new SqliteAuditLog(db),
      outbox: new SqliteOutboxStore(db),
      outboxAdmin: new SqliteOutboxAdmin(db),
      referralFeed: new SqliteReferralFeed(db),
      users: new SqliteUserStore(db),
      conversations: new SqliteConversationStore(db),
      documents: new LocalDocumentStore(join(dir, 'docs')),
    };
  },
  async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  },
);
