/**
 * npm run provision -- --site <host:/path> [--dry-run] [--verify] [--admin-principal <id>]
 *
 * Creates what is missing on the site — lists, typed columns, indexes, the document library, unique permissions
 * (admin group only) — and leaves everything else untouched. Idempotent. --dry-run says what it would do;
 * --verify changes nothing and exits 1 unless everything is in place. Credentials: the GRAPH_* settings.
 * Unique permissions need SharePoint REST, i.e. a certificate (or managed identity) with "fullcontrol" on the site;
 * otherwise the exact steps for an administrator are printed.
 */
import { formatReport, GrantMissingError, provision } from '../src/adapters/graph/provision';
import { arg, fail, flag, scriptConfig, storesFor } from './lib/sharepoint';

async function run(): Promise<void> {
  const config = scriptConfig();
  const { tokens, stores } = storesFor(config);
  const verify = flag('verify');
  const dryRun = verify || flag('dry-run');
  const admin = arg('admin-principal');
  const started = performance.now();
  const report = await provision(stores.site, { dryRun, ...(admin ? { adminPrincipalId: Number(admin) } : {}), sharePointToken: tokens.sharePoint });
  process.stdout.write(`${formatReport(report, dryRun)}\n`);
  if (!admin && !dryRun && report.manual.length > 0) process.stdout.write('\n(Give --admin-principal <SharePoint id of the service admin group> to let provisioning set the permissions itself.)\n');
  process.stdout.write(`Took ${Math.round(performance.now() - started)} ms.\n`);
  if (verify) {
    const wrong = report.steps.filter((s) => s.action === 'create' || s.action === 'index' || (s.kind === 'column' && (s.action === 'unique' || s.action === 'conflict')) || (s.kind === 'permissions' && s.action !== 'unique'));
    process.stdout.write(wrong.length === 0 ? 'Verified: every list, column, index and permission is in place.\n' : `NOT verified: ${wrong.length} thing(s) missing or wrong (above).\n`);
    process.exit(wrong.length === 0 ? 0 : 1);
  }
  process.exit(report.complete ? 0 : 2);
}

run().catch((e: unknown) => (e instanceof GrantMissingError ? fail(e) : fail(e)));
