import { GraphAuditLog } from './audit-log';
import { GraphDocumentStore, type DocumentStoreOptions } from './document-store';
import { GraphHttp, type RetryPolicy, type Waiter } from './graph-http';
import { GraphOutboxAdmin, GraphOutboxStore } from './outbox-store';
import { checkAtStart } from './provision';
import { GraphReferralFeed, GraphReferralStore } from './referral-store';
import { SharePointSite } from './site';
import { GraphConversationStore, GraphUserStore } from './user-store';
import { GraphPanelStore } from './panel-store';
import { GraphLearnerStore } from './learner-store';
import { GraphReminderStore } from './reminder-store';
import { GraphEpDirectory } from './ep-directory';
import { GraphJobStore, GraphLeaseStore } from './schedule-store';
import type { EpsFile } from '../sqlite/ep-directory';

export interface GraphStoresOptions {
  readonly baseUrl: string;
  /** host:/server-relative-path */
  readonly site: string;
  readonly graphToken: () => Promise<string>;
  readonly sharePointToken?: (() => Promise<string>) | undefined;
  readonly waiter?: Waiter;
  readonly retry?: RetryPolicy;
  readonly documents?: DocumentStoreOptions;
  readonly now?: () => Date;
  readonly onRetry?: (status: number | 'network') => void;
  /** Who the EPs are (the EPs file); their own link-school choices and answers are on the site. */
  readonly epsFile?: EpsFile;
}

/** Every store on one SharePoint site, sharing one client, one retry policy and one cached site resolution. */
export function createGraphStores(o: GraphStoresOptions) {
  const http = new GraphHttp({ baseUrl: o.baseUrl, getToken: o.graphToken, ...(o.waiter ? { waiter: o.waiter } : {}), ...(o.retry ? { retry: o.retry } : {}), ...(o.onRetry ? { onRetry: o.onRetry } : {}) });
  const site = new SharePointSite(http, o.site);
  return {
    http,
    site,
    referrals: new GraphReferralStore(site),
    audit: new GraphAuditLog(site),
    outbox: new GraphOutboxStore(site),
    outboxAdmin: new GraphOutboxAdmin(site),
    referralFeed: new GraphReferralFeed(site),
    users: new GraphUserStore(site),
    conversations: new GraphConversationStore(site, o.now),
    documents: new GraphDocumentStore(site, o.documents),
    panels: new GraphPanelStore(site, o.now ? { now: o.now } : {}),
    learners: new GraphLearnerStore(site),
    reminders: new GraphReminderStore(site),
    eps: new GraphEpDirectory(site, o.epsFile ?? { eps: [] }, o.now),
    jobs: new GraphJobStore(site),
    leases: new GraphLeaseStore(site),
    /** Lists missing, and personal-data lists that still inherit site permissions (writes to those are refused). */
    check: () => checkAtStart(site, o.sharePointToken),
    /** Health: the site answers a real (one-item) read of the Referrals list with this credential. */
    ping: async () => {
      try {
        await http.call('GET', `${await site.listPath('referrals')}/items?$top=1&$select=id`);
        return true;
      } catch {
        return false;
      }
    },
  };
}

export type GraphStores = ReturnType<typeof createGraphStores>;
