/**
 * Keyed, batched writes for the transfer (transfer.ts): items are created only when their unique key column is not on
 * the list yet, in Graph $batch envelopes of 20, and a 409 (the key is already there: a replay, or an earlier run whose
 * answer was lost) counts as done. So an interrupted transfer is simply run again.
 */
import { expectOk, type BatchRequest, type BatchResponse } from '../../src/adapters/graph/graph-http';
import type { ListKey } from '../../src/adapters/graph/schema';
import { clean, type Fields, type SharePointSite } from '../../src/adapters/graph/site';

/** SharePoint compares text case-insensitively, unique columns included: keys are matched folded. */
export const fold = (key: string): string => key.toLowerCase();

export interface Keyed {
  readonly id: string;
  /** The key as stored on the list (it may differ in case from the one looked up). */
  readonly key: string;
  readonly fields: Fields;
}

/** Every item of a list by its folded key, with the key column and `select`ed columns (every page). */
export async function keyIndex(site: SharePointSite, list: ListKey, keyColumn: string, select: readonly string[] = [], filter = ''): Promise<Map<string, Keyed>> {
  const out = new Map<string, Keyed>();
  for (const item of await site.query(list, filter, { select: [keyColumn, ...select] })) {
    const key = String(item.fields[keyColumn] ?? '');
    if (key) out.set(fold(key), { id: item.id, key, fields: item.fields });
  }
  return out;
}

export interface KeyedRow {
  readonly key: string;
  readonly fields: Fields;
}

export interface CreateOptions {
  /** Extra columns kept in the returned index. */
  readonly select?: readonly string[];
  /** Create in the rows' order (each request depends on the one before), so item ids follow that order. */
  readonly ordered?: boolean;
  /** An index read just before (saves reading the list again). */
  readonly index?: Map<string, Keyed>;
}

export interface CreateResult {
  /** Items this call created. */
  readonly created: number;
  /** Their folded keys. */
  readonly createdKeys: ReadonlySet<string>;
  /** The list's items by folded key after the writes. */
  readonly index: Map<string, Keyed>;
}

const ROUNDS = 4;
/** Requests per batch() call when order does not matter; a few calls run at once. */
const SLICE = 100;
const PARALLEL = 4;

/**
 * Create the rows whose key is not on the list, answering how many this call created and the list's index by folded
 * key afterwards (existing items and the new ones; empty when there are no rows). Rows with a key seen before in `rows` are not sent twice.
 * Requests that fail their dependency (424) or get no answer are sent again after re-reading the list; any other
 * failure throws (the transfer stops; running it again resumes).
 */
export async function createMissing(site: SharePointSite, list: ListKey, keyColumn: string, rows: readonly KeyedRow[], o: CreateOptions = {}): Promise<CreateResult> {
  let created = 0;
  const createdKeys = new Set<string>();
  if (rows.length === 0) return { created, createdKeys, index: o.index ?? new Map() };
  let index = o.index ?? (await keyIndex(site, list, keyColumn, o.select));
  site.guard(list);
  const path = await site.listPath(list);
  for (let round = 0; ; round++) {
    const wanted = new Map<string, KeyedRow>();
    for (const r of rows) if (!index.has(fold(r.key)) && !wanted.has(fold(r.key))) wanted.set(fold(r.key), r);
    if (wanted.size === 0) return { created, createdKeys, index };
    if (round >= ROUNDS) throw new Error(`${list}: ${wanted.size} item(s) could not be written; run again`);
    const requests: BatchRequest[] = [...wanted.values()].map((r, i) => ({
      id: `r${i}`,
      method: 'POST',
      url: `${path}/items`,
      body: { fields: clean({ Title: r.key.slice(0, 255), ...r.fields, [keyColumn]: r.key }) },
      ...(o.ordered && i > 0 ? { dependsOn: [`r${i - 1}`] } : {}),
    }));
    const answers = new Map<string, BatchResponse>();
    if (o.ordered) for (const [k, v] of await site.http.batch(requests)) answers.set(k, v);
    else {
      const slices: BatchRequest[][] = [];
      for (let i = 0; i < requests.length; i += SLICE) slices.push(requests.slice(i, i + SLICE));
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(PARALLEL, slices.length) }, async () => {
        while (next < slices.length) for (const [k, v] of await site.http.batch(slices[next++]!)) answers.set(k, v);
      }));
    }
    let again = false;
    const keys = [...wanted.values()];
    requests.forEach((r, i) => {
      const a = answers.get(r.id);
      if (!a || a.status === 424) {
        again = true;
        return;
      }
      const ok = expectOk(a, [409]);
      if (ok.status === 409) {
        again = true; // already there: re-read to learn its id
        return;
      }
      const body = ok.body as { id: string | number; fields?: Fields };
      const key = keys[i]!.key;
      index.set(fold(key), { id: String(body.id), key, fields: body.fields ?? {} });
      createdKeys.add(fold(key));
      created++;
    });
    if (!again) return { created, createdKeys, index };
    index = await keyIndex(site, list, keyColumn, o.select);
  }
}
