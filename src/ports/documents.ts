export interface StoredDocument {
  readonly reference: string;
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly storedAt: string;
  readonly storedBy: string;
}

/** Files kept with a referral. The local adapter writes a folder per referral; SharePoint a library folder. */
export interface DocumentStore {
  /** Store a file; a name already used for the referral gets a numbered suffix, never overwritten. */
  put(doc: { reference: string; name: string; type: string; bytes: Buffer; storedBy: string; at: Date }): Promise<StoredDocument>;
  list(reference: string): Promise<StoredDocument[]>;
  read(reference: string, name: string): Promise<Buffer | undefined>;
}

/** Downloads a file the user sent in chat (Teams gives a pre-authorised download URL). */
export interface FileFetcher {
  fetch(url: string, maxBytes: number): Promise<Buffer>;
}
