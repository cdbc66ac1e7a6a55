import { randomUUID } from 'node:crypto';
import type { JobStore, LeaseStore } from '../../ports/scheduling';
import { errorOf } from './graph-http';
import { clean, str, type Fields, type Item, type SharePointSite } from './site';

/**
 * The sending lease and the scheduled jobs on the "Inclusion Schedule" list, shared by every bot instance on the site.
 *
 * One list item per lease and one per job. The unique, indexed Name column is the key, prefixed by kind
 * (`lease:sender`, `job:reminder-sweep`) so that a lease and a job of the same name stay apart as they do in SQLite's
 * two tables. (SharePoint compares unique text case-insensitively: names differing only in case would collide.)
 *
 * Why If-Match, and why not SharePointSite.update: SharePoint has no transactions, so the only way to say "change this
 * only if it is still what I decided on" is a PATCH carrying the eTag of the version we read. A 412 means someone else
 * wrote the item since: the decision (is the lease free? is NextRunAt still the slot I claim?) may no longer hold, so we
 * read the item again and decide again. SharePointSite.update instead re-applies the same change to the newer version,
 * which for a lease would let two instances each overwrite the other and both answer true.
 *
 * The retry middleware replays a write whose answer was lost (dropped connection, 503) with the same If-Match: if the
 * first attempt had been applied the replay gets 412, and the re-read must recognise our own write rather than count it
 * as someone else's. For a lease, Holder = us is enough (nobody else writes our holder id). For a job, each write carries
 * a fresh claim id in the Holder column, so "the slot moved on" and "we moved it ourselves" can be told apart.
 *
 * Each instance caches the item it last saw (id, eTag, fields). A decision made on the cached copy is still sound when
 * written with If-Match on its eTag (success proves nothing changed since), so a steady-state renewal by the holder is
 * one PATCH; a stale cache costs a 412 and one GET. Only "someone else holds it" is never answered from the cache (they
 * may have released it since), which makes a waiting instance's poll one GET.
 *
 * Clocks: ExpiresAt is the acquiring instance's clock plus the TTL, and other instances compare it with their own
 * clocks. An instance whose clock runs ahead by s sees the lease expire s early, so the TTL must exceed the worst clock
 * skew between instances plus one poll interval (a holder renews at least every poll, and every ttl/3 while it works);
 * otherwise a live holder can lose the lease, or two can briefly both believe they hold it. Hosts synced by NTP are
 * within a second; the default TTL is 30 s against a 2 s poll.
 */

const LIST = 'schedule' as const;
/** Rounds of read-decide-write before giving up; each lost round means another instance wrote in between. */
const MAX_ROUNDS = 8;

const leaseKey = (name: string): string => `lease:${name}`;
/** A job's Name on the schedule list (leases are `lease:<name>`). */
export const jobKey = (name: string): string => `job:${name}`;

/** Item cache of one store instance, and the requests every store here needs. */
class ScheduleItems {
  private readonly seen = new Map<string, Item>();

  constructor(private readonly site: SharePointSite) {}

  cached(key: string): Item | undefined {
    return this.seen.get(key);
  }

  remember(key: string, item: Item | undefined): Item | undefined {
    if (item) this.seen.set(key, item);
    else this.seen.delete(key);
    return item;
  }

  /** The current item: by its cached id (one GET) or, the first time, by Name (one filtered GET). */
  async read(key: string): Promise<Item | undefined> {
    const known = this.seen.get(key);
    if (known) {
      const item = await this.site.get(LIST, known.id);
      if (item) return this.remember(key, item);
    }
    return this.remember(key, await this.site.one(LIST, 'Name', key));
  }

  /** Create keyed by Name: 'created' (with the item), or 'exists' when the Name is taken (maybe by our own lost answer). */
  async create(key: string, fields: Fields): Promise<{ created: true; item: Item } | { created: false }> {
    this.site.guard(LIST);
    const r = await this.site.http.send<RawItem>('POST', `${await this.site.listPath(LIST)}/items`, { fields: clean({ Title: key, Name: key, ...fields }) });
    if (r.status === 201 || r.status === 200) return { created: true, item: this.remember(key, itemOf(r.body))! };
    if (r.status === 409) return { created: false };
    throw errorOf(r.status, r.body);
  }

  /** PATCH with If-Match on the eTag we decided on: 'ok' (with the new version), 'changed' (412) or 'gone' (404). */
  async patch(key: string, item: Item, fields: Fields): Promise<{ outcome: 'ok'; item: Item } | { outcome: 'changed' | 'gone' }> {
    this.site.guard(LIST);
    const r = await this.site.http.send<Fields>('PATCH', `${await this.site.listPath(LIST)}/items/${item.id}/fields`, clean(fields), { 'If-Match': item.eTag });
    if (r.status === 200) {
      const eTag = r.body?.['@odata.etag'];
      // Without an eTag in the answer keep none: the next write then fails its If-Match and re-reads, which is safe.
      const next: Item = { id: item.id, eTag: typeof eTag === 'string' ? eTag : '"unknown"', fields: { ...item.fields, ...fields, ...r.body } };
      return { outcome: 'ok', item: this.remember(key, next)! };
    }
    if (r.status === 412) return { outcome: 'changed' };
    if (r.status === 404) {
      this.remember(key, undefined);
      return { outcome: 'gone' };
    }
    throw errorOf(r.status, r.body);
  }
}

interface RawItem {
  id: string;
  eTag?: string;
  fields?: Fields;
}

function itemOf(r: RawItem): Item {
  return { id: String(r.id), eTag: String(r.eTag ?? r.fields?.['@odata.etag'] ?? '"unknown"'), fields: r.fields ?? {} };
}

const expiresAt = (f: Fields): number => {
  const n = Number(f['ExpiresAt'] ?? 0);
  return Number.isFinite(n) ? n : 0;
};

const timeOf = (v: unknown): number | undefined => {
  const s = str(v);
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
};

/** The lease on SharePoint: Holder + ExpiresAt of one item, only ever written with If-Match on the version decided on. */
export class GraphLeaseStore implements LeaseStore {
  private readonly items: ScheduleItems;

  constructor(site: SharePointSite) {
    this.items = new ScheduleItems(site);
  }

  async acquire(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const key = leaseKey(name);
    const t = now.getTime();
    const until = t + ttlMs;
    let item = this.items.cached(key);
    let fresh = false;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (!item) {
        item = await this.items.read(key);
        fresh = true;
      }
      if (!item) {
        const made = await this.items.create(key, { Kind: 'lease', Holder: holder, ExpiresAt: until });
        if (made.created) return true;
        continue; // 409: someone created it first (or our own create landed and its answer was lost): read and decide
      }
      const current = str(item.fields['Holder']);
      const expires = expiresAt(item.fields);
      if (current && current !== holder && expires > t) {
        if (fresh) return false;
        item = await this.items.read(key); // the cache may be stale: they may have released it since
        fresh = true;
        continue;
      }
      // Ours already, at least as long as asked (e.g. our replayed PATCH landed): nobody else can have written since a fresh read.
      if (fresh && current === holder && expires >= until) return true;
      const r = await this.items.patch(key, item, { Holder: holder, ExpiresAt: until });
      if (r.outcome === 'ok') return true;
      // 412: another instance wrote first, or our own write landed and the replay was refused; 404: deleted by hand.
      item = r.outcome === 'changed' ? await this.items.read(key) : undefined;
      fresh = true;
    }
    return false; // contention every round: someone else keeps winning, so we do not hold it
  }

  async release(name: string, holder: string): Promise<void> {
    const key = leaseKey(name);
    let item = this.items.cached(key);
    let fresh = false;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (!item) {
        item = await this.items.read(key);
        fresh = true;
        if (!item) return;
      }
      if (str(item.fields['Holder']) !== holder) {
        if (fresh) return; // not ours (any more): nothing to give up
        item = await this.items.read(key);
        fresh = true;
        continue;
      }
      const r = await this.items.patch(key, item, { Holder: '', ExpiresAt: 0 });
      if (r.outcome !== 'changed') return;
      item = await this.items.read(key);
      fresh = true;
    }
  }
}

/** Jobs' due times on SharePoint: NextRunAt/LastRunAt of one item per job; advancing a slot is a compare-and-set. */
export class GraphJobStore implements JobStore {
  private readonly items: ScheduleItems;

  constructor(site: SharePointSite) {
    this.items = new ScheduleItems(site);
  }

  async nextRun(name: string): Promise<Date | undefined> {
    const item = await this.items.read(jobKey(name));
    const t = item ? timeOf(item.fields['NextRunAt']) : undefined;
    return t === undefined ? undefined : new Date(t);
  }

  async setNextRun(name: string, next: Date, lastRun: Date | undefined, ifNextRun?: Date): Promise<boolean> {
    const key = jobKey(name);
    // A fresh id per write: after a 412 it tells our own (replayed) write from another instance's.
    const claim = randomUUID();
    const fields: Fields = { NextRunAt: next.toISOString(), LastRunAt: lastRun ? lastRun.toISOString() : null, Holder: claim };
    if (!ifNextRun) {
      // Create only if absent, as the SQLite INSERT … ON CONFLICT DO NOTHING.
      const made = await this.items.create(key, { Kind: 'job', ...fields, LastRunAt: lastRun?.toISOString() });
      if (made.created) return true;
      const existing = await this.items.read(key);
      return str(existing?.fields['Holder']) === claim; // our create landed and only its answer was lost
    }
    const expected = ifNextRun.getTime();
    // The item nextRun() just read: if it still has the expected slot, PATCH on its eTag (a success proves it unchanged).
    let item = this.items.cached(key);
    let fresh = false;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (!item) {
        item = await this.items.read(key);
        fresh = true;
        if (!item) return false;
      }
      if (timeOf(item.fields['NextRunAt']) !== expected) {
        if (fresh) return false;
        item = await this.items.read(key);
        fresh = true;
        continue;
      }
      const r = await this.items.patch(key, item, fields);
      if (r.outcome === 'ok') return true;
      if (r.outcome === 'gone') return false;
      item = await this.items.read(key);
      fresh = true;
      if (item && str(item.fields['Holder']) === claim) return true; // 412 to our own replay: our write is the one stored
    }
    return false;
  }
}
