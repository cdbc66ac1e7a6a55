/**
 * Import a school's learners with IDPs from CSV (columns in docs/reminders.md).
 *   npm run import:learners -- --school <id> <file.csv>
 * Every row is checked first; any bad row is reported by line and nothing is kept. Running it again with the same file
 * changes nothing (rows are matched by school + local reference). With STORE=sharepoint (and the GRAPH_* settings) the
 * learners go to the SharePoint site, in batches.
 * Exit codes: 0 imported · 2 bad arguments or unknown school · 3 the file has bad rows.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { importLearners } from '../src/app/import-learners';
import { loadConfig } from '../src/config';
import { loadSchoolsFile } from '../src/adapters/files/schools-file';
import { HmacHasher, localHashKey } from '../src/adapters/localfs/hmac-hasher';
import { SqliteAuditLog } from '../src/adapters/sqlite/audit-log';
import { openDatabase } from '../src/adapters/sqlite/database';
import { SqliteLearnerStore } from '../src/adapters/sqlite/learner-store';
import type { AuditLog } from '../src/ports/audit';
import type { LearnerStore } from '../src/ports/learners';
import { storesFor } from './lib/sharepoint';

const USAGE = 'Usage: npm run import:learners -- --school <id> <file.csv>';

type Out = { write(text: string): unknown };

export async function run(argv: readonly string[], env: Record<string, string | undefined> = process.env, out: Out = process.stdout, errOut: Out = process.stderr): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { school: { type: 'string' } }, allowPositionals: true });
  } catch (e) {
    errOut.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const school = parsed.values.school;
  const file = parsed.positionals[0];
  if (!school || !file || parsed.positionals.length !== 1) {
    errOut.write(`${USAGE}\n`);
    return 2;
  }
  let csv: string;
  try {
    csv = readFileSync(file, 'utf8');
  } catch {
    errOut.write(`Cannot read ${file}\n`);
    return 2;
  }
  const config = loadConfig(env);
  const directory = loadSchoolsFile(config.SCHOOLS_FILE, config.ADMINS);
  let stores: { learners: LearnerStore; audit: AuditLog; close(): void };
  if (config.STORE === 'sharepoint') {
    // The bot's SharePoint site, with the same UPN key as the bot (else the hashes would not match its referrals').
    if (!config.UPN_HASH_KEY) {
      errOut.write('UPN_HASH_KEY is required with STORE=sharepoint: use the same key as the bot\n');
      return 2;
    }
    const sp = storesFor(config).stores;
    const check = await sp.check();
    if (check.missing.length > 0) {
      errOut.write(`SharePoint lists missing: ${check.missing.join(', ')}. Run: npm run provision -- --site ${config.SHAREPOINT_SITE}\n`);
      return 2;
    }
    stores = { learners: sp.learners, audit: sp.audit, close: () => undefined };
  } else {
    const db = openDatabase(config.SQLITE_PATH);
    stores = { learners: new SqliteLearnerStore(db), audit: new SqliteAuditLog(db), close: () => db.close() };
  }
  try {
    const hasher = new HmacHasher(config.UPN_HASH_KEY ?? localHashKey(join(dirname(config.SQLITE_PATH), 'upn-hash.key')));
    const result = await importLearners(
      { learners: stores.learners, directory, hasher, audit: stores.audit, clock: { now: () => new Date() } },
      { schoolId: school, csv, by: 'import-learners-cli' },
    );
    if (!result.ok) {
      if (result.error.code === 'LEARNERS.UNKNOWN_SCHOOL') {
        errOut.write(`Unknown school id ${school}: see ${config.SCHOOLS_FILE}\n`);
        return 2;
      }
      errOut.write(`${file}: nothing imported; fix these rows and run again:\n`);
      for (const e of result.error.errors) errOut.write(`  line ${e.line}${e.field ? `, ${e.field}` : ''}: ${e.message}\n`);
      return 3;
    }
    out.write(`Imported ${result.value.created + result.value.updated} learner(s) for ${school}: ${result.value.created} new, ${result.value.updated} already known (updated).\n`);
    return 0;
  } finally {
    stores.close();
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => process.exit(code));
}
