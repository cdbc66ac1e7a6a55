import type { IsoDate } from '../../domain/dates';
import type { YearGroup } from '../../domain/clocks/milestones';
import type { IdpMaintainer, Learner, LearnerStore, NewLearner } from '../../ports/learners';
import { expectOk, type BatchRequest } from './graph-http';
import { clean, lit, str, type Fields, type Item, type SharePointSite } from './site';

/** The unique key of a learner item: school + the school's local reference. */
export const learnerKey = (schoolId: string, localRef: string): string => `${schoolId}|${localRef}`;

/** SharePoint compares text case-insensitively, unique columns included: so do we when matching keys. */
const fold = (key: string): string => key.toLowerCase();

/** A learner item as the port's Learner (its id is the item id). */
export function learnerOf(item: Item): Learner {
  const f = item.fields;
  const l: { -readonly [K in keyof Learner]: Learner[K] } = {
    id: Number(item.id), schoolId: String(f['SchoolId']), localRef: String(f['LocalRef']), initials: String(f['Initials']),
    dateOfBirth: String(f['DateOfBirth']), yearGroup: String(f['YearGroup']) as YearGroup, yearGroupAcademicYear: Number(f['YearGroupAcademicYear']),
    idpMaintainedBy: String(f['IdpMaintainedBy']) as IdpMaintainer, alncoAadId: String(f['AlncoAadId']),
  };
  const upn = str(f['UpnHash']);
  if (upn) l.upnHash = upn;
  const issued = str(f['IdpIssuedOn']);
  if (issued) l.idpIssuedOn = issued;
  return l;
}

/** The columns an import sets on an existing item (identity columns are left alone); UPN hash and IDP date as COALESCE. */
function wantedFields(l: NewLearner, current: Fields | undefined): Fields {
  return {
    Initials: l.initials,
    UpnHash: l.upnHash ?? str(current?.['UpnHash']),
    DateOfBirth: l.dateOfBirth,
    YearGroup: l.yearGroup,
    YearGroupAcademicYear: l.yearGroupAcademicYear,
    IdpIssuedOn: l.idpIssuedOn ?? str(current?.['IdpIssuedOn']),
    IdpMaintainedBy: l.idpMaintainedBy,
    AlncoAadId: l.alncoAadId,
  };
}

/** The columns of a new learner item (keyed by LearnerKey), UpdatedAt = `at`. */
export function learnerFields(l: NewLearner, at: Date): Fields {
  const key = learnerKey(l.schoolId, l.localRef);
  return clean({ Title: key.slice(0, 255), LearnerKey: key, SchoolId: l.schoolId, LocalRef: l.localRef, ...wantedFields(l, undefined), UpdatedAt: at.toISOString() });
}

const same = (a: unknown, b: unknown): boolean => (a ?? '') === (b ?? '') || String(a ?? '') === String(b ?? '');

/** The PATCH that brings an item to the imported row, or undefined when it already matches (nothing is sent then). */
function changeFor(l: NewLearner, current: Fields, at: Date): Fields | undefined {
  const wanted = wantedFields(l, current);
  const patch = Object.fromEntries(Object.entries(wanted).filter(([k, v]) => v !== undefined && !same(current[k], v)));
  return Object.keys(patch).length > 0 ? { ...patch, UpdatedAt: at.toISOString() } : undefined;
}

/** A later row for the same learner in one import updates the earlier one, as in one SQLite transaction. */
function merge(earlier: NewLearner, later: NewLearner): NewLearner {
  const upnHash = later.upnHash ?? earlier.upnHash;
  const idpIssuedOn = later.idpIssuedOn ?? earlier.idpIssuedOn;
  const { upnHash: _u, idpIssuedOn: _i, ...rest } = later;
  return { ...rest, schoolId: earlier.schoolId, localRef: earlier.localRef, ...(upnHash ? { upnHash } : {}), ...(idpIssuedOn ? { idpIssuedOn } : {}) };
}

interface Cursor {
  /** Graph's next page (absolute @odata.nextLink), absent when the list is read to the end. */
  next: string | undefined;
  /** Items read from Graph but not yet handed out. */
  buffer: Learner[];
  readonly at: number;
}

export interface GraphLearnerStoreOptions {
  /** Items per Graph page when scanning (at most 999, Graph's largest). Tests make it small. */
  readonly pageSize?: number;
  /** How long a scan cursor is kept between calls. */
  readonly cursorTtlMs?: number;
}

/**
 * Learners on the "Inclusion Learners" list. A learner's id is its list item id; LearnerKey (`school|localRef`) is
 * unique, so a create replayed or raced gets 409 instead of a duplicate.
 *
 * Paging (`scan`): Graph documents `$filter`/`$orderby` on list items only for `fields/…` columns, and SharePoint's
 * ID is not reliably filterable through Graph; so `scan` does not ask Graph for "id > afterId". It reads the list in
 * Graph's own order (item id order when no $orderby is given) following @odata.nextLink, and keeps the cursor (the
 * nextLink and any items read past the page it returned) keyed by the last id it returned. The sweep's next call,
 * `scan(lastId, limit)`, continues from there: a full sweep reads each item once. A call with an afterId no cursor
 * is kept for (another instance, or after `cursorTtlMs`) reads from the start and skips ids ≤ afterId: slower,
 * never wrong. Ids are filtered (> afterId) and each page sorted, so the answer is the port's either way.
 */
export class GraphLearnerStore implements LearnerStore {
  private readonly pageSize: number;
  private readonly cursorTtlMs: number;
  private readonly cursors = new Map<number, Cursor>();

  constructor(private readonly site: SharePointSite, options: GraphLearnerStoreOptions = {}) {
    this.pageSize = Math.max(1, Math.min(options.pageSize ?? 999, 999));
    this.cursorTtlMs = options.cursorTtlMs ?? 10 * 60_000;
  }

  /**
   * One indexed read of the schools involved, then creates and changed items in $batch envelopes of 20. Creates are
   * keyed by LearnerKey: a re-run after a failure, or a replayed envelope, gets 409 for what is already there and
   * treats it as an update (an item already exactly as this import writes it, UpdatedAt included, was this import's).
   * Unchanged learners are not written (their UpdatedAt stays); they still count as updated, as in SQLite.
   */
  async upsertMany(learners: readonly NewLearner[], at: Date): Promise<{ created: number; updated: number }> {
    if (learners.length === 0) return { created: 0, updated: 0 };
    this.site.guard('learners');
    const wanted = new Map<string, NewLearner>();
    for (const l of learners) {
      const k = fold(learnerKey(l.schoolId, l.localRef));
      const earlier = wanted.get(k);
      wanted.set(k, earlier ? merge(earlier, l) : l);
    }
    const existing = await this.readSchools([...new Set(learners.map((l) => l.schoolId))]);
    const toCreate: [string, NewLearner][] = [];
    const toPatch: { row: NewLearner; item: Item; patch: Fields }[] = [];
    for (const [k, row] of wanted) {
      const item = existing.get(k);
      if (!item) toCreate.push([k, row]);
      else {
        const patch = changeFor(row, item.fields, at);
        if (patch) toPatch.push({ row, item, patch });
      }
    }
    let created = toCreate.length;
    const path = await this.site.listPath('learners');

    const conflicts: [string, NewLearner][] = [];
    if (toCreate.length > 0) {
      const requests: BatchRequest[] = toCreate.map(([, row], i) => ({ id: `c${i}`, method: 'POST', url: `${path}/items`, body: { fields: learnerFields(row, at) } }));
      const answers = await this.site.http.batch(requests);
      toCreate.forEach((entry, i) => {
        const a = expectOk(answers.get(`c${i}`), [409]);
        if (a.status === 409) conflicts.push(entry);
      });
    }
    if (conflicts.length > 0) {
      // Already there: our own earlier write whose answer was lost, or another import's. Read those schools again.
      const now = await this.readSchools([...new Set(conflicts.map(([, row]) => row.schoolId))]);
      for (const [k, row] of conflicts) {
        const item = now.get(k);
        if (!item) throw new Error(`learner ${learnerKey(row.schoolId, row.localRef)} conflicted on create but cannot be read`);
        const patch = changeFor(row, item.fields, at);
        const ours = !patch && item.fields['UpdatedAt'] === at.toISOString();
        if (!ours) created--;
        if (patch) toPatch.push({ row, item, patch });
      }
    }

    if (toPatch.length > 0) {
      const requests: BatchRequest[] = toPatch.map((p, i) => ({
        id: `p${i}`, method: 'PATCH', url: `${path}/items/${p.item.id}/fields`, body: p.patch, headers: { 'If-Match': p.item.eTag },
      }));
      const answers = await this.site.http.batch(requests);
      for (let i = 0; i < toPatch.length; i++) {
        const a = expectOk(answers.get(`p${i}`), [412, 404]);
        const { row, item } = toPatch[i]!;
        if (a.status === 412) {
          // Changed since we read it: re-read and re-apply on top of the newer version.
          await this.site.update('learners', item.id, (current) => changeFor(row, current, at));
        } else if (a.status === 404) {
          // Deleted since we read it: write it again (keyed, so still no duplicate).
          await this.site.createKeyed('learners', 'LearnerKey', learnerFields(row, at));
        }
      }
    }
    return { created, updated: learners.length - created };
  }

  /** The learners of some schools by folded key (one indexed query per school, every page). */
  private async readSchools(schoolIds: readonly string[]): Promise<Map<string, Item>> {
    const out = new Map<string, Item>();
    const pages = await Promise.all(schoolIds.map((s) => this.site.query('learners', `fields/SchoolId eq ${lit(s)}`)));
    for (const items of pages) for (const item of items) out.set(fold(String(item.fields['LearnerKey'])), item);
    return out;
  }

  async get(schoolId: string, localRef: string): Promise<Learner | undefined> {
    const item = await this.site.one('learners', 'LearnerKey', learnerKey(schoolId, localRef));
    return item ? learnerOf(item) : undefined;
  }

  async byId(id: number): Promise<Learner | undefined> {
    if (!Number.isSafeInteger(id) || id <= 0) return undefined;
    const item = await this.site.get('learners', String(id));
    return item ? learnerOf(item) : undefined;
  }

  async setIdpIssued(id: number, issuedOn: IsoDate, at: Date): Promise<void> {
    if (!Number.isSafeInteger(id) || id <= 0) return;
    await this.site.update('learners', String(id), (current) => (current['IdpIssuedOn'] === issuedOn ? undefined : { IdpIssuedOn: issuedOn, UpdatedAt: at.toISOString() }));
  }

  async byAlnco(aadObjectId: string): Promise<Learner[]> {
    const items = await this.site.query('learners', `fields/AlncoAadId eq ${lit(aadObjectId)}`);
    // SharePoint matches text case-insensitively; the port (like SQLite) matches exactly.
    return items.map(learnerOf).filter((l) => l.alncoAadId === aadObjectId).sort((a, b) => a.id - b.id);
  }

  async scan(afterId: number, limit: number): Promise<Learner[]> {
    if (limit <= 0) return [];
    const nowMs = Date.now();
    for (const [k, c] of this.cursors) if (nowMs - c.at > this.cursorTtlMs) this.cursors.delete(k);
    let cursor = this.cursors.get(afterId);
    this.cursors.delete(afterId);
    if (!cursor) cursor = { next: `${await this.site.listPath('learners')}/items?$expand=fields&$top=${this.pageSize}`, buffer: [], at: nowMs };
    const out: Learner[] = [];
    while (out.length < limit) {
      if (cursor.buffer.length === 0) {
        if (!cursor.next) break;
        const page: { value: { id: string; eTag?: string; fields?: Fields }[]; '@odata.nextLink'?: string } = await this.site.http.call('GET', cursor.next);
        cursor.buffer = page.value.map((r) => learnerOf({ id: String(r.id), eTag: String(r.eTag ?? ''), fields: r.fields ?? {} })).sort((a, b) => a.id - b.id);
        cursor.next = page['@odata.nextLink'];
        continue;
      }
      const l = cursor.buffer.shift()!;
      if (l.id > afterId && (out.length === 0 || l.id > out[out.length - 1]!.id)) out.push(l);
    }
    const last = out[out.length - 1];
    if (last) {
      // Also kept when the list is read to the end, so the sweep's closing call answers [] without reading again.
      this.cursors.set(last.id, { next: cursor.next, buffer: cursor.buffer, at: nowMs });
      while (this.cursors.size > 8) this.cursors.delete(this.cursors.keys().next().value!);
    }
    return out;
  }
}
