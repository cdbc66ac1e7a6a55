import { GraphHttp, GraphRequestError, errorOf } from './graph-http';
import { ALL_LISTS, LISTS, type ListKey, type ListSpec } from './schema';

export type Fields = Record<string, unknown>;

export interface Item {
  readonly id: string;
  readonly eTag: string;
  readonly fields: Fields;
}

/** Raised instead of writing personal data to a list that still inherits the site's (wide) permissions. */
export class PermissionsNotUniqueError extends Error {
  override readonly name = 'PermissionsNotUniqueError';
  constructor(readonly list: string) {
    super(`The list "${list}" still inherits the site's permissions: run npm run provision -- --verify and follow its steps`);
  }
}

export class ListMissingError extends Error {
  override readonly name = 'ListMissingError';
  constructor(readonly list: string) {
    super(`The list "${list}" does not exist on the site: run npm run provision`);
  }
}

/** Prefer header: lets a filter on a non-indexed column run on a small list (never needed for our indexed queries). */
const NO_HEADERS: Record<string, string> = {};

/**
 * One SharePoint site: resolved once by hostname and path, its lists' ids cached. Everything the stores do with
 * list items goes through here.
 */
export class SharePointSite {
  private siteId: Promise<string> | undefined;
  private lists: Promise<Map<string, { id: string; driveId?: string }>> | undefined;
  /** Lists known to still inherit the site's permissions (personal data must not be written there). */
  readonly inheriting = new Set<string>();

  constructor(readonly http: GraphHttp, readonly site: string) {}

  /** `host:/sites/x` → Graph's site id (one request, cached; a failure is not cached). */
  id(): Promise<string> {
    if (!this.siteId) {
      this.siteId = this.http
        .call<{ id: string }>('GET', `/sites/${sitePath(this.site)}?$select=id`)
        .then((s) => s.id)
        .catch((e: unknown) => {
          this.siteId = undefined;
          throw e;
        });
    }
    return this.siteId;
  }

  async base(): Promise<string> {
    return `/sites/${await this.id()}`;
  }

  /** The lists on the site by display name (one request, cached). */
  private async listIndex(): Promise<Map<string, { id: string; driveId?: string }>> {
    if (!this.lists) {
      this.lists = (async () => {
        const base = await this.base();
        const all = await this.http.all<{ id: string; displayName: string }>(`${base}/lists?$select=id,displayName`);
        return new Map(all.map((l) => [l.displayName.toLowerCase(), { id: l.id }]));
      })().catch((e: unknown) => {
        this.lists = undefined;
        throw e;
      });
    }
    return this.lists;
  }

  forgetLists(): void {
    this.lists = undefined;
  }

  async listId(key: ListKey): Promise<string> {
    const spec = LISTS[key];
    const found = (await this.listIndex()).get(spec.displayName.toLowerCase());
    if (!found) throw new ListMissingError(spec.displayName);
    return found.id;
  }

  async listPath(key: ListKey): Promise<string> {
    return `${await this.base()}/lists/${await this.listId(key)}`;
  }

  async driveId(key: ListKey): Promise<string> {
    const index = await this.listIndex();
    const entry = index.get(LISTS[key].displayName.toLowerCase());
    if (!entry) throw new ListMissingError(LISTS[key].displayName);
    if (!entry.driveId) {
      const d = await this.http.call<{ id: string }>('GET', `${await this.listPath(key)}/drive?$select=id`);
      (entry as { driveId?: string }).driveId = d.id;
    }
    return entry.driveId!;
  }

  guard(key: ListKey): void {
    const spec: ListSpec = LISTS[key];
    if (spec.personal && this.inheriting.has(spec.displayName)) throw new PermissionsNotUniqueError(spec.displayName);
  }

  /** Items matching a filter on indexed columns, every page. */
  async query(key: ListKey, filter: string, opts: { orderby?: string; top?: number; select?: readonly string[] } = {}): Promise<Item[]> {
    const q = [`$expand=fields${opts.select ? `($select=${opts.select.join(',')})` : ''}`];
    if (filter) q.push(`$filter=${encodeURIComponent(filter)}`);
    if (opts.orderby) q.push(`$orderby=${encodeURIComponent(opts.orderby)}`);
    q.push(`$top=${opts.top ?? 999}`);
    const path = `${await this.listPath(key)}/items?${q.join('&')}`;
    if (opts.top !== undefined) {
      const page = await this.http.call<{ value: RawItem[] }>('GET', path, undefined, NO_HEADERS);
      return page.value.map(toItem);
    }
    return (await this.http.all<RawItem>(path, NO_HEADERS)).map(toItem);
  }

  async one(key: ListKey, column: string, value: string): Promise<Item | undefined> {
    const found = await this.query(key, `fields/${column} eq ${lit(value)}`, { top: 2 });
    return found[0];
  }

  async get(key: ListKey, id: string): Promise<Item | undefined> {
    const r = await this.http.send<RawItem>('GET', `${await this.listPath(key)}/items/${id}?$expand=fields`);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw errorOf(r.status, r.body);
    return toItem(r.body);
  }

  /** Create an item keyed by a unique column: a replay or a concurrent twin answers with the existing item. */
  async createKeyed(key: ListKey, keyColumn: string, fields: Fields): Promise<{ item: Item; created: boolean }> {
    this.guard(key);
    const r = await this.http.send<RawItem>('POST', `${await this.listPath(key)}/items`, { fields: clean(fields) });
    if (r.status === 201 || r.status === 200) return { item: toItem(r.body), created: true };
    if (r.status === 409) {
      const existing = await this.one(key, keyColumn, String(fields[keyColumn]));
      if (existing) return { item: existing, created: false };
    }
    throw errorOf(r.status, r.body);
  }

  /**
   * Change an item only if nobody changed it since we read it (If-Match). On 412 read it again and re-apply the
   * change to the newer version; `change` returning undefined means nothing (more) to do.
   */
  async update(key: ListKey, id: string, change: (current: Fields) => Fields | undefined, known?: Item): Promise<Item | undefined> {
    this.guard(key);
    let current = known ?? (await this.get(key, id));
    let sent: Fields | undefined;
    for (let attempt = 0; attempt < 10; attempt++) {
      if (!current) return undefined;
      // Our previous PATCH may have been applied with its answer lost (the replay then got 412): don't apply it twice.
      if (sent && Object.entries(sent).every(([k, v]) => sameValue(current!.fields[k], v))) return current;
      const patch = change(current.fields);
      if (!patch) return current;
      sent = patch;
      const r = await this.http.send<Fields>('PATCH', `${await this.listPath(key)}/items/${id}/fields`, patch, { 'If-Match': current.eTag });
      // The answer leaves out the columns the patch cleared (null): the patch itself says so.
      if (r.status === 200) return { id, eTag: String(r.body['@odata.etag'] ?? current.eTag), fields: { ...current.fields, ...patch, ...r.body } };
      if (r.status === 412) {
        current = await this.get(key, id);
        continue;
      }
      if (r.status === 404) return undefined;
      throw errorOf(r.status, r.body);
    }
    throw new GraphRequestError(412, 'resourceModified', true);
  }
}

export interface RawItem {
  id: string;
  eTag?: string;
  fields?: Fields;
}

export function toItem(r: RawItem): Item {
  return { id: String(r.id), eTag: String(r.eTag ?? r.fields?.['@odata.etag'] ?? '*'), fields: r.fields ?? {} };
}

function sameValue(a: unknown, b: unknown): boolean {
  if ((a === undefined || a === null || a === '') && (b === undefined || b === null || b === '')) return true;
  return a === b || String(a) === String(b);
}

/** Drop undefined values (Graph refuses them) and keep nulls (which clear a column). */
export function clean(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export function sitePath(site: string): string {
  const i = site.indexOf(':');
  return `${site.slice(0, i)}:${encodeURI(site.slice(i + 1))}`;
}

export const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export { ALL_LISTS };
