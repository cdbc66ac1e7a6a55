import type { ConversationRef, ConversationStore, Language, UserPreferences, UserStore } from '../../ports/users';
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
    return (await this.preferences(aadObjectId, new Date(0))).language;
  }

  /** One read of the user's preferences item: the bot makes it once per turn. */
  async preferences(aadObjectId: string, now: Date): Promise<UserPreferences> {
    const f = (await this.site.one('preferences', 'AadObjectId', aadObjectId))?.fields;
    const l = f?.['Language'];
    const language = l === 'cy' || l === 'en' ? l : undefined;
    const target = str(f?.['DocumentTarget']);
    const until = str(f?.['DocumentTargetUntil']);
    const documentTarget = target && until && until > now.toISOString() ? target : undefined;
    return { ...(language ? { language } : {}), ...(documentTarget ? { documentTarget } : {}) };
  }

  async setLanguage(aadObjectId: string, language: Language): Promise<void> {
    await upsert(this.site, 'preferences', 'AadObjectId', aadObjectId, { Language: language });
  }

  async setDocumentTarget(aadObjectId: string, reference: string, until: Date): Promise<void> {
    await upsert(this.site, 'preferences', 'AadObjectId', aadObjectId, { DocumentTarget: reference, DocumentTargetUntil: until.toISOString() });
  }

  async documentTarget(aadObjectId: string, now: Date): Promise<string | undefined> {
    return (await this.preferences(aadObjectId, now)).documentTarget;
  }
}

/**
 * Conversation references, saved on every message a user sends. A reference rarely changes, so this instance skips
 * the write (two requests) when it last saved or read the same one; another instance's differing save is still made
 * by that instance, so the stored reference is always one Teams gave recently.
 */
export class GraphConversationStore implements ConversationStore {
  private readonly known = new Map<string, string>();
  private static readonly MAX_KNOWN = 10_000;

  constructor(private readonly site: SharePointSite, private readonly now: () => Date = () => new Date()) {}

  private remember(key: string, raw: string): void {
    if (this.known.size >= GraphConversationStore.MAX_KNOWN) this.known.delete(this.known.keys().next().value as string);
    this.known.set(key, raw);
  }

  async save(key: string, ref: ConversationRef): Promise<void> {
    const raw = JSON.stringify(ref);
    if (this.known.get(key) === raw) return;
    await upsert(this.site, 'conversations', 'Key', key, { Ref: raw, UpdatedAt: this.now().toISOString() });
    this.remember(key, raw);
  }

  async get(key: string): Promise<ConversationRef | undefined> {
    const raw = str((await this.site.one('conversations', 'Key', key))?.fields['Ref']);
    if (raw) this.remember(key, raw);
    return raw ? (JSON.parse(raw) as ConversationRef) : undefined;
  }
}
