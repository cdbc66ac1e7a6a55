import { GraphSimulator, type SiteInfo } from '../graph-simulator';
import { provision } from '../../src/adapters/graph/provision';
import { createGraphStores, type GraphStores, type GraphStoresOptions } from '../../src/adapters/graph/stores';
import { SharePointSite } from '../../src/adapters/graph/site';
import { GraphHttp, type Waiter } from '../../src/adapters/graph/graph-http';

export const HOST = 'contoso.sharepoint.com';
export const SITE_PATH = '/sites/InclusionTrainingPortal';
export const SITE = `${HOST}:${SITE_PATH}`;
export const TOKEN = 'bot-token';
export const ADMIN_PRINCIPAL = 7;

/** A fake clock for the client's waits: sleeping advances it and returns at once. */
export class FakeWaiter implements Waiter {
  slept = 0;
  sleeps = 0;
  async sleep(ms: number): Promise<void> {
    this.slept += ms;
    this.sleeps++;
  }
}

export interface SimEnv {
  sim: GraphSimulator;
  site: SiteInfo;
  waiter: FakeWaiter;
  stores(extra?: Partial<GraphStoresOptions>): GraphStores;
}

/** A running simulator with the bot's token and an empty site. */
export async function startSim(): Promise<SimEnv & { stop(): Promise<void>; reset(): SiteInfo }> {
  const sim = new GraphSimulator();
  await sim.start();
  const waiter = new FakeWaiter();
  const env = {
    sim,
    waiter,
    site: undefined as unknown as SiteInfo,
    reset() {
      sim.reset();
      sim.addToken(TOKEN, { appId: 'bot-app', roles: ['Sites.Selected'] });
      sim.requireSiteGrant('bot-app');
      env.site = sim.addSite(HOST, SITE_PATH, { displayName: 'Inclusion Training Portal' });
      sim.grantSite(env.site.id, 'bot-app', ['fullcontrol']);
      waiter.slept = 0;
      waiter.sleeps = 0;
      return env.site;
    },
    stores(extra: Partial<GraphStoresOptions> = {}) {
      return createGraphStores({ baseUrl: sim.baseUrl, site: SITE, graphToken: async () => TOKEN, sharePointToken: async () => TOKEN, waiter, ...extra });
    },
    stop: () => sim.stop(),
  };
  env.reset();
  return env;
}

/** Provision the site as the provisioning script does. */
export async function provisionSite(env: SimEnv) {
  const site = new SharePointSite(new GraphHttp({ baseUrl: env.sim.baseUrl, getToken: async () => TOKEN, waiter: env.waiter }), SITE);
  return provision(site, { adminPrincipalId: ADMIN_PRINCIPAL, sharePointToken: async () => TOKEN });
}

/**
 * A user action retried the way a user does when the bot says "try again": until it succeeds, counting attempts and
 * failures; after `limit` attempts the test gives up.
 */
export async function untilDone<T>(action: () => Promise<T>, tries: { n: number; failures: number }, limit: number): Promise<T> {
  for (;;) {
    tries.n++;
    try {
      return await action();
    } catch {
      tries.failures++;
      if (tries.n > limit) throw new Error('gave up');
    }
  }
}
