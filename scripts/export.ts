/**
 * npm run export -- [--site <host:/path>] [--sqlite <file>] [--documents <dir>]
 * Copies every record and document from SharePoint to the embedded store (SQLITE_PATH, DOCUMENTS_DIR by default).
 * Resumable: run it again after any failure; what is already there is skipped. Counts are compared at the end.
 */
import { openDatabase } from '../src/adapters/sqlite/database';
import { exportFromSharePoint, formatCounts } from './lib/transfer';
import { arg, fail, scriptConfig, storesFor } from './lib/sharepoint';

async function run(): Promise<void> {
  const config = scriptConfig();
  const { stores } = storesFor(config);
  const db = openDatabase(arg('sqlite') ?? config.SQLITE_PATH);
  const result = await exportFromSharePoint(stores, db, arg('documents') ?? config.DOCUMENTS_DIR, (l) => process.stdout.write(`${l}\n`));
  db.close();
  process.stdout.write(`${formatCounts(result, 'SharePoint', 'embedded')}\n`);
  process.exit(result.ok ? 0 : 1);
}

run().catch(fail);
