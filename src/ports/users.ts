export type Language = 'en' | 'cy';

/** What a turn needs to know about its user, read once per turn: language and the document target in force. */
export interface UserPreferences {
  readonly language?: Language;
  readonly documentTarget?: string;
}

/** Per-user state that outlives a turn: language, where to send files, how to reach them proactively. */
export interface UserStore {
  language(aadObjectId: string): Promise<Language | undefined>;
  setLanguage(aadObjectId: string, language: Language): Promise<void>;
  /** The referral that files sent in the personal chat attach to, until `until`. */
  setDocumentTarget(aadObjectId: string, reference: string, until: Date): Promise<void>;
  documentTarget(aadObjectId: string, now: Date): Promise<string | undefined>;
  /** Language and document target in one read (the bot reads it once per turn). */
  preferences(aadObjectId: string, now: Date): Promise<UserPreferences>;
}

/** An opaque Bot Framework conversation reference, stored as JSON. */
export type ConversationRef = Readonly<Record<string, unknown>>;

export interface ConversationStore {
  save(key: string, ref: ConversationRef): Promise<void>;
  get(key: string): Promise<ConversationRef | undefined>;
}
