/**
 * npm run import -- [--site <host:/path>] [--sqlite <file>] [--documents <dir>]
 * Copies every record and document from the embedded store (SQLITE_PATH, DOCUMENTS_DIR) to SharePoint.
 * Resumable: run it again after any failure; what is already there is skipped. Counts are compared at the end.
 */
import { openDatabase } from '../src/adapters/sqlite/database';
import { formatCounts, importToSharePoint } from './lib/transfer';
import { arg, fail, scriptConfig, storesFor } from './lib/sharepoint';

async function run(): Promise<void> {
  const config = scriptConfig();
  const { stores } = storesFor(config);
  const check = await stores.check();
  if (check.missing.length > 0) throw new Error(`Lists missing on the site: ${check.missing.join(', ')}. Run npm run provision first.`);
  if (check.inheriting.length > 0) throw new Error(`Lists still inherit the site's permissions: ${check.inheriting.join(', ')}. Run npm run provision -- --verify.`);
  const db = openDatabase(arg('sqlite') ?? config.SQLITE_PATH);
  const result = await importToSharePoint(db, arg('documents') ?? config.DOCUMENTS_DIR, stores, (l) => process.stdout.write(`${l}\n`));
  db.close();
  process.stdout.write(`${formatCounts(result, 'embedded', 'SharePoint')}\n`);
  process.exit(result.ok ? 0 : 1);
}

run().catch(fail);
