import { loadConfig, type Config } from '../../src/config';
import { tokensFromSettings } from '../../src/adapters/graph/credential';
import { createGraphStores } from '../../src/adapters/graph/stores';
import { BATCH_JOB_RETRY } from '../../src/adapters/graph/graph-http';

export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  return v && !v.startsWith('--') ? v : undefined;
}
export const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** Settings from the environment (as the bot reads them), with --site overriding SHAREPOINT_SITE. */
export function scriptConfig(): Config {
  const site = arg('site');
  return loadConfig({ ...process.env, ...(site ? { SHAREPOINT_SITE: site } : {}) });
}

export function storesFor(config: Config) {
  if (!config.SHAREPOINT_SITE) throw new Error('Give the site: --site contoso.sharepoint.com:/sites/InclusionTrainingPortal (or set SHAREPOINT_SITE)');
  const tokens = tokensFromSettings(config);
  return { tokens, stores: createGraphStores({ baseUrl: config.GRAPH_BASE_URL, site: config.SHAREPOINT_SITE, graphToken: tokens.graph, sharePointToken: tokens.sharePoint, retry: BATCH_JOB_RETRY }) };
}

export function fail(e: unknown): never {
  const err = e as { name?: string; message?: string; status?: number; code?: string };
  process.stderr.write(`${err.name === 'GraphRequestError' ? `Graph answered ${err.status} ${err.code}` : (err.message ?? String(e))}\n`);
  process.exit(1);
}
