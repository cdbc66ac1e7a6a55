import { mkdir, readdir, readFile, rename, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { DocumentStore, StoredDocument } from '../../ports/documents';

const META = '.meta.json';

/** A file name safe on every file system: no path, no control characters, bounded length. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '').trim();
  const limited = cleaned.length > 150 ? cleaned.slice(0, 120) + cleaned.slice(cleaned.lastIndexOf('.')) : cleaned;
  return limited.length > 0 && limited !== META ? limited : 'document';
}

function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/** Documents in a local folder per referral: `<root>/<reference>/<file>` with a metadata file beside each. */
export class LocalDocumentStore implements DocumentStore {
  constructor(private readonly root: string) {}

  private folder(reference: string): string {
    if (!/^[A-Z0-9-]+$/.test(reference)) throw new Error('bad reference for a folder name');
    return join(this.root, reference);
  }

  async put(doc: { reference: string; name: string; type: string; bytes: Buffer; storedBy: string; at: Date }): Promise<StoredDocument> {
    const dir = this.folder(doc.reference);
    await mkdir(dir, { recursive: true });
    const wanted = safeFileName(doc.name);
    for (let n = 1; n < 1000; n++) {
      const name = n === 1 ? wanted : numbered(wanted, n);
      let handle;
      try {
        handle = await open(join(dir, name), 'wx'); // claim the name; never overwrite a stored document
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
      try {
        await handle.writeFile(doc.bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      const stored: StoredDocument = { reference: doc.reference, name, type: doc.type, size: doc.bytes.length, storedAt: doc.at.toISOString(), storedBy: doc.storedBy };
      const tmp = join(dir, `.${name}${META}.tmp`);
      await writeFile(tmp, JSON.stringify(stored));
      await rename(tmp, join(dir, `${name}${META}`));
      return stored;
    }
    throw new Error('too many documents with the same name');
  }

  async list(reference: string): Promise<StoredDocument[]> {
    let names: string[];
    try {
      names = await readdir(this.folder(reference));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const metas = names.filter((n) => n.endsWith(META) && !n.startsWith('.'));
    const docs = await Promise.all(metas.map(async (m) => JSON.parse(await readFile(join(this.folder(reference), m), 'utf8')) as StoredDocument));
    return docs.sort((a, b) => a.storedAt.localeCompare(b.storedAt) || a.name.localeCompare(b.name));
  }

  async read(reference: string, name: string): Promise<Buffer | undefined> {
    try {
      return await readFile(join(this.folder(reference), safeFileName(name)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
}
