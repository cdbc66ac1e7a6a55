import type { ConversationRef, ConversationStore, Language, UserPreferences, UserStore } from '../../ports/users';
import { statement, type Db } from './database';

export class SqliteUserStore implements UserStore {
  constructor(private readonly db: Db) {}

  async language(aadObjectId: string): Promise<Language | undefined> {
    return (await this.preferences(aadObjectId, new Date(0))).language;
  }

  async setLanguage(aadObjectId: string, language: Language): Promise<void> {
    statement(this.db, 'INSERT INTO users (aad_object_id, language) VALUES (?, ?) ON CONFLICT (aad_object_id) DO UPDATE SET language = excluded.language').run(aadObjectId, language);
  }

  async setDocumentTarget(aadObjectId: string, reference: string, until: Date): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO users (aad_object_id, document_target, document_target_until) VALUES (?, ?, ?) ON CONFLICT (aad_object_id) DO UPDATE SET document_target = excluded.document_target, document_target_until = excluded.document_target_until',
      )
      .run(aadObjectId, reference, until.toISOString());
  }

  async documentTarget(aadObjectId: string, now: Date): Promise<string | undefined> {
    return (await this.preferences(aadObjectId, now)).documentTarget;
  }

  async preferences(aadObjectId: string, now: Date): Promise<UserPreferences> {
    const row = statement(this.db, 'SELECT language, document_target, document_target_until FROM users WHERE aad_object_id = ?').get(aadObjectId) as
      | { language: string | null; document_target: string | null; document_target_until: string | null }
      | undefined;
    const language = row?.language === 'cy' || row?.language === 'en' ? row.language : undefined;
    const target = row?.document_target && row.document_target_until && row.document_target_until > now.toISOString() ? row.document_target : undefined;
    return { ...(language ? { language } : {}), ...(target ? { documentTarget: target } : {}) };
  }
}

export class SqliteConversationStore implements ConversationStore {
  constructor(private readonly db: Db) {}

  async save(key: string, ref: ConversationRef): Promise<void> {
    this.db
      .prepare('INSERT INTO conversations (key, ref, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(ref), new Date().toISOString());
  }

  async get(key: string): Promise<ConversationRef | undefined> {
    const row = statement(this.db, 'SELECT ref FROM conversations WHERE key = ?').get(key) as { ref: string } | undefined;
    return row ? (JSON.parse(row.ref) as ConversationRef) : undefined;
  }
}
