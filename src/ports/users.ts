export type Language = 'en' | 'cy';

/** Per-user state that outlives a turn: language, where to send files, how to reach them proactively. */
export interface UserStore {
  language(aadObjectId: string): Promise<Language | undefined>;
  setLanguage(aadObjectId: string, language: Language): Promise<void>;
  /** The referral that files sent in the personal chat attach to, until `until`. */
  setDocumentTarget(aadObjectId: string, reference: string, until: Date): Promise<void>;
  documentTarget(aadObjectId: string, now: Date): Promise<string | undefined>;
}

/** An opaque Bot Framework conversation reference, stored as JSON. */
export type ConversationRef = Readonly<Record<string, unknown>>;

export interface ConversationStore {
  save(key: string, ref: ConversationRef): Promise<void>;
  get(key: string): Promise<ConversationRef | undefined>;
}
