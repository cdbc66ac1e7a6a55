import type { ConversationRef, ConversationStore, Language, UserStore } from '../../ports/users';
import type { ListKey } from './schema';
import { str, type Fields, type SharePointSite } from './site';

/** Create or change the item with this key: conditional update when it exists, keyed create when not. */
async function upsert(site: SharePointSite, list: ListKey, keyColumn: string, key: string, fields: Fields): Promise<void> {
  const existing = await site.one(list, keyColumn, key);
  if (existing) {
    await site.update(list, existing.id, () => fields, existing);
    return;
  }
  const { item, created } = await site.createKeyed(list, keyColumn, { Title: key.slice(0, 255), [keyColumn]: key, ...fields });
  if (!created) await site.update(list, item.id, () => fields, item); // someone created it meanwhile: change theirs
}

export class GraphUserStore implements UserStore {
  constructor(private readonly site: SharePointSite) {}

  async language(aadObjectId: string): Promise<Language | undefined> {
    const l = (await this.site.one('preferences', 'AadObjectId', aadObjectId))?.fields['Language'];
    return l === 'cy' || l === 'en' ? l : undefined;
  }

  async setLanguage(aadObjectId: string, language: Language): Promise<void> {
    await upsert(this.site, 'preferences', 'AadObjectId', aadObjectId, { Language: language });
  }

  async setDocumentTarget(aadObjectId: string, reference: string, until: Date): Promise<void> {
    await upsert(this.site, 'preferences', 'AadObjectId', aadObjectId, { DocumentTarget: reference, DocumentTargetUntil: until.toISOString() });
  }

  async documentTarget(aadObjectId: string, now: Date): Promise<string | undefined> {
    const f = (await this.site.one('preferences', 'AadObjectId', aadObjectId))?.fields;
    const target = str(f?.['DocumentTarget']);
    const until = str(f?.['DocumentTargetUntil']);
    if (!target || !until || until <= now.toISOString()) return undefined;
    return target;
  }
}

export class GraphConversationStore implements ConversationStore {
  constructor(private readonly site: SharePointSite, private readonly now: () => Date = () => new Date()) {}

  async save(key: string, ref: ConversationRef): Promise<void> {
    await upsert(this.site, 'conversations', 'Key', key, { Ref: JSON.stringify(ref), UpdatedAt: this.now().toISOString() });
  }

  async get(key: string): Promise<ConversationRef | undefined> {
    const raw = str((await this.site.one('conversations', 'Key', key))?.fields['Ref']);
    return raw ? (JSON.parse(raw) as ConversationRef) : undefined;
  }
}
