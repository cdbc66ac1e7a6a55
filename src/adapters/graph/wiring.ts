import type { Config } from '../../config';
import type { Logger } from '../log';
import type { Clock } from '../../ports/clock';
import { tokensFromSettings } from './credential';
import { GraphRequestError } from './graph-http';
import { startReconciler } from './reconciler';
import { createGraphStores } from './stores';
import type { EpsFile } from '../sqlite/ep-directory';

export class SharePointNotReadyError extends Error {
  override readonly name = 'SharePointNotReadyError';
}

const HOUR = 3600_000;

/**
 * STORE=sharepoint: the stores on the configured site, checked at start (lists present; personal-data lists with
 * their own permissions, else writes to them are refused), and the reconciler running now and every 5 minutes.
 */
export async function openSharePointStores(config: Config, log: Logger, clock: Clock, epsFile: EpsFile) {
  const tokens = tokensFromSettings(config);
  const stores = createGraphStores({
    baseUrl: config.GRAPH_BASE_URL,
    site: config.SHAREPOINT_SITE!,
    graphToken: tokens.graph,
    sharePointToken: tokens.sharePoint,
    now: () => clock.now(),
    epsFile,
    onRetry: (status) => log.debug({ event: 'graph.retry', status }, 'Graph request retried'),
  });
  let check;
  try {
    check = await stores.check();
  } catch (e) {
    if (e instanceof GraphRequestError) throw new SharePointNotReadyError(`SharePoint site ${config.SHAREPOINT_SITE} not reachable: Graph ${e.status} ${e.code} (check the Sites.Selected grant, docs/deploy.md step 9)`);
    throw e;
  }
  if (check.missing.length > 0) throw new SharePointNotReadyError(`SharePoint lists missing: ${check.missing.join(', ')}. Run: npm run provision -- --site ${config.SHAREPOINT_SITE}`);
  if (check.inheriting.length > 0) {
    log.error({ event: 'sharepoint.permissions.inherited', lists: check.inheriting }, 'these lists still inherit the site permissions: the bot will not write personal data to them (npm run provision -- --verify)');
  }
  if (check.unknown.length > 0) log.warn({ event: 'sharepoint.permissions.unverified', lists: check.unknown }, 'list permissions could not be checked with this credential: verify them with npm run provision -- --verify');
  const reconciler = startReconciler(stores.site, {
    intervalMs: 5 * 60_000,
    windowMs: 48 * HOUR,
    firstWindowMs: 30 * 24 * HOUR,
    now: () => clock.now(),
    onResult: (r) => {
      if (r.completed > 0 || (r.decisions ?? 0) > 0) log.warn({ event: 'reconciler.completed', checked: r.checked, completed: r.completed, decisions: r.decisions ?? 0 }, 'finished half-done submits and decisions');
    },
    onError: (e) => log.warn({ event: 'reconciler.failed', status: (e as GraphRequestError).status, code: (e as GraphRequestError).code }, 'reconciler run failed; next run will retry'),
  });
  log.info({ event: 'sharepoint.ready', site: config.SHAREPOINT_SITE }, 'SharePoint stores ready');
  return {
    ...stores,
    kind: 'sharepoint' as const,
    reconciler,
    close: async () => reconciler.stop(),
  };
}
