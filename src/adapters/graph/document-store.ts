import type { DocumentStore, StoredDocument } from '../../ports/documents';
import { safeFileName } from '../localfs/document-store';
import { GraphRequestError, errorOf, isNetworkError, retryDelay, type GraphHttp } from './graph-http';
import { lit, str, type Item, type SharePointSite } from './site';

export const CHUNK_UNIT = 320 * 1024;

export interface DocumentStoreOptions {
  /** Files larger than this go through an upload session (default 4 MiB). */
  readonly simpleUploadMaxBytes?: number;
  /** Upload-session chunk size, a multiple of 320 KiB (default 10 × 320 KiB). */
  readonly chunkBytes?: number;
}

function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

const enc = (s: string) => encodeURIComponent(s).replace(/'/g, '%27');

/**
 * Documents in a SharePoint library: a folder per referral, the reference, type, size and who stored it as library
 * columns. A name already used gets a numbered suffix (conflictBehavior=fail, never replace). A file whose columns
 * were never set (the write stopped half way) is adopted by the next put of the same name and size.
 */
export class GraphDocumentStore implements DocumentStore {
  private readonly simpleMax: number;
  private readonly chunk: number;

  constructor(private readonly site: SharePointSite, options: DocumentStoreOptions = {}) {
    this.simpleMax = options.simpleUploadMaxBytes ?? 4 * 1024 * 1024;
    this.chunk = options.chunkBytes ?? 10 * CHUNK_UNIT;
    if (this.chunk % CHUNK_UNIT !== 0) throw new Error('chunkBytes must be a multiple of 320 KiB');
  }

  private get http(): GraphHttp {
    return this.site.http;
  }

  private folder(reference: string): string {
    if (!/^[A-Z0-9-]+$/.test(reference)) throw new Error('bad reference for a folder name');
    return reference;
  }

  async put(doc: { reference: string; name: string; type: string; bytes: Buffer; storedBy: string; at: Date }): Promise<StoredDocument> {
    this.site.guard('documents');
    const drive = `/drives/${await this.site.driveId('documents')}`;
    const folder = this.folder(doc.reference);
    const wanted = safeFileName(doc.name);
    for (let n = 1; n < 1000; n++) {
      const name = n === 1 ? wanted : numbered(wanted, n);
      const path = `${drive}/root:/${enc(folder)}/${enc(name)}:`;
      const uploaded = doc.bytes.length > this.simpleMax ? await this.uploadSession(path, doc.bytes) : await this.simpleUpload(path, doc.bytes);
      let itemId: string;
      if (uploaded === 'conflict') {
        const existing = await this.http.send<{ id: string; size: number }>('GET', `${path}?$select=id,size`);
        if (existing.status !== 200) continue;
        const fields = await this.http.call<Record<string, unknown>>('GET', `${drive}/items/${existing.body.id}/listItem/fields`);
        if (existing.body.size !== doc.bytes.length) continue; // someone else's file
        const mine = { reference: doc.reference, name, type: doc.type, size: doc.bytes.length, storedAt: doc.at.toISOString(), storedBy: doc.storedBy };
        if (str(fields['DocumentReference'])) {
          const theirs = docOf({ id: existing.body.id, eTag: '', fields: { ...fields, FileLeafRef: name } });
          if (JSON.stringify(theirs) === JSON.stringify(mine)) return mine; // this very put, finished by an attempt whose answer was lost
          continue; // someone else's file
        }
        itemId = existing.body.id; // ours, from an attempt that stopped before its columns: finish it
      } else itemId = uploaded;
      const stored: StoredDocument = { reference: doc.reference, name, type: doc.type, size: doc.bytes.length, storedAt: doc.at.toISOString(), storedBy: doc.storedBy };
      await this.http.call('PATCH', `${drive}/items/${itemId}/listItem/fields`, {
        DocumentReference: stored.reference,
        DocumentType: stored.type,
        DocumentSize: stored.size,
        StoredAt: stored.storedAt,
        StoredBy: stored.storedBy,
      });
      return stored;
    }
    throw new Error('too many documents with the same name');
  }

  private async simpleUpload(path: string, bytes: Buffer): Promise<string | 'conflict'> {
    const r = await this.http.send<{ id: string }>('PUT', `${path}/content?@microsoft.graph.conflictBehavior=fail`, bytes, { 'Content-Type': 'application/octet-stream' });
    if (r.status === 201 || r.status === 200) return r.body.id;
    if (r.status === 409) return 'conflict';
    throw errorOf(r.status, r.body);
  }

  /** Upload session: chunks of a multiple of 320 KiB, sent without Authorization; a failed chunk resumes where the server says. */
  private async uploadSession(path: string, bytes: Buffer): Promise<string | 'conflict'> {
    for (let session = 0; session < 3; session++) {
      const s = await this.http.send<{ uploadUrl: string }>('POST', `${path}/createUploadSession`, { item: { '@microsoft.graph.conflictBehavior': 'fail' } });
      if (s.status === 409) return 'conflict';
      if (s.status !== 200) throw errorOf(s.status, s.body);
      const url = s.body.uploadUrl;
      let offset = 0;
      let failures = 0;
      while (offset < bytes.length) {
        const end = Math.min(offset + this.chunk, bytes.length);
        let res: Response | undefined;
        try {
          res = await fetch(url, { method: 'PUT', headers: { 'Content-Range': `bytes ${offset}-${end - 1}/${bytes.length}`, 'Content-Length': String(end - offset) }, body: bytes.subarray(offset, end) });
        } catch (e) {
          if (!isNetworkError(e)) throw e;
        }
        const body = res ? await res.json().catch(() => undefined) as { id?: string; nextExpectedRanges?: string[]; error?: { code?: string } } | undefined : undefined;
        if (res && (res.status === 200 || res.status === 201) && body?.id) return body.id;
        if (res && res.status === 202) {
          offset = nextOffset(body?.nextExpectedRanges) ?? end;
          failures = 0;
          continue;
        }
        if (res?.status === 409) return 'conflict';
        if (res?.status === 404) break; // session expired: start a new one
        if (res && res.status < 500 && res.status !== 429 && res.status !== 416) throw errorOf(res.status, body);
        if (++failures > this.http.retry.maxAttempts) throw new GraphRequestError(res?.status ?? 0, 'uploadFailed', true);
        await this.http.waiter.sleep(retryDelay(this.http.retry, failures, res?.headers.get('retry-after')));
        const status = await fetch(url).catch(() => undefined);
        if (status?.status === 404) break;
        const st = status ? ((await status.json().catch(() => undefined)) as { nextExpectedRanges?: string[] } | undefined) : undefined;
        offset = nextOffset(st?.nextExpectedRanges) ?? offset;
      }
    }
    throw new GraphRequestError(404, 'uploadSessionExpired', true);
  }

  async list(reference: string): Promise<StoredDocument[]> {
    const items = await this.site.query('documents', `fields/DocumentReference eq ${lit(reference)}`);
    return items.map(docOf).sort((a, b) => a.storedAt.localeCompare(b.storedAt) || a.name.localeCompare(b.name));
  }

  async read(reference: string, name: string): Promise<Buffer | undefined> {
    const drive = `/drives/${await this.site.driveId('documents')}`;
    const r = await this.http.send<Buffer>('GET', `${drive}/root:/${enc(this.folder(reference))}/${enc(safeFileName(name))}:/content`);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw errorOf(r.status, r.body);
    return Buffer.isBuffer(r.body) ? r.body : Buffer.from(JSON.stringify(r.body));
  }
}

function nextOffset(ranges: string[] | undefined): number | undefined {
  const first = ranges?.[0];
  if (!first) return undefined;
  const n = Number(first.split('-')[0]);
  return Number.isFinite(n) ? n : undefined;
}

export function docOf(i: Item): StoredDocument {
  const f = i.fields;
  return {
    reference: String(f['DocumentReference']),
    name: String(f['FileLeafRef']),
    type: String(f['DocumentType'] ?? ''),
    size: Number(f['DocumentSize'] ?? 0),
    storedAt: String(f['StoredAt'] ?? ''),
    storedBy: String(f['StoredBy'] ?? ''),
  };
}
