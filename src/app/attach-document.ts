import { err, ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { DocumentStore, FileFetcher, StoredDocument } from '../ports/documents';
import type { UserStore } from '../ports/users';
import type { Actor } from './actor';

export interface AttachDocumentDeps {
  readonly documents: DocumentStore;
  readonly fetcher: FileFetcher;
  /** Where the user's files go: the referral they chose (read with the turn's preferences in the bot). */
  readonly users: Pick<UserStore, 'documentTarget'>;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly maxBytes: number;
  readonly allowedTypes: readonly string[];
}

export interface IncomingFile {
  readonly name: string;
  /** Teams' file type (extension), e.g. "pdf". */
  readonly fileType: string;
  readonly downloadUrl: string;
  readonly size?: number;
}

export type AttachDocumentError =
  | { readonly code: 'DOCUMENT.NO_TARGET' }
  | { readonly code: 'DOCUMENT.TYPE_NOT_ALLOWED'; readonly name: string; readonly allowed: readonly string[] }
  | { readonly code: 'DOCUMENT.TOO_LARGE'; readonly name: string; readonly maxBytes: number }
  | { readonly code: 'DOCUMENT.DOWNLOAD_FAILED'; readonly name: string };

/** Store a file the user sent in chat with the referral they chose, after checking its type and size. */
export async function attachDocument(
  deps: AttachDocumentDeps,
  actor: Actor,
  file: IncomingFile,
): Promise<Result<StoredDocument, AttachDocumentError>> {
  const now = deps.clock.now();
  const reference = await deps.users.documentTarget(actor.aadObjectId, now);
  if (!reference) return err({ code: 'DOCUMENT.NO_TARGET' });
  const ext = (file.fileType || file.name.split('.').pop() || '').toLowerCase().replace(/^\./, '');
  if (!deps.allowedTypes.includes(ext)) return err({ code: 'DOCUMENT.TYPE_NOT_ALLOWED', name: file.name, allowed: deps.allowedTypes });
  if (file.size !== undefined && file.size > deps.maxBytes) return err({ code: 'DOCUMENT.TOO_LARGE', name: file.name, maxBytes: deps.maxBytes });

  let bytes: Buffer;
  try {
    bytes = await deps.fetcher.fetch(file.downloadUrl, deps.maxBytes);
  } catch (e) {
    if (e instanceof Error && e.name === 'FileTooLargeError') return err({ code: 'DOCUMENT.TOO_LARGE', name: file.name, maxBytes: deps.maxBytes });
    return err({ code: 'DOCUMENT.DOWNLOAD_FAILED', name: file.name });
  }
  const stored = await deps.documents.put({ reference, name: file.name, type: ext, bytes, storedBy: actor.aadObjectId, at: now });
  await deps.audit.record({
    at: now.toISOString(),
    actor: actor.aadObjectId,
    action: 'document.add',
    recordType: 'referral',
    recordId: reference,
    correlationId: actor.correlationId,
    detail: { type: ext, size: stored.size },
  });
  return ok(stored);
}
