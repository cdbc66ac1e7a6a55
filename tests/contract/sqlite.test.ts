import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDocumentStore } from '../../src/adapters/localfs/document-store';
import { openEmbeddedStores } from '../../src/adapters/sqlite/stores';
import { contract } from './contract';

let dir: string;
let stores: ReturnType<typeof openEmbeddedStores>;
contract(
  'SQLite',
  async () => {
    dir = mkdtempSync(join(tmpdir(), 'contract-sqlite-'));
    // The same bundle the composition root opens with STORE=sqlite.
    stores = openEmbeddedStores(join(dir, 'c.db'), { eps: [] });
    return { ...stores, documents: new LocalDocumentStore(join(dir, 'docs')) };
  },
  async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  },
);
