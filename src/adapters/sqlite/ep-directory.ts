import { readFileSync, existsSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { EpDirectory } from '../../ports/ep-directory';
import { statement, type Db } from './database';

const aadId = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9-]+$/, 'an AAD object id (letters, digits and dashes)');
const epsFileSchema = z.strictObject({
  eps: z.array(z.strictObject({ aadObjectId: aadId, name: z.string().trim().max(100).optional(), schools: z.array(z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,63}$/)).default([]) })).default([]),
});
export type EpsFile = z.infer<typeof epsFileSchema>;

/** Read config/eps.yaml (EPS_FILE): who the EPs are and their link schools. A missing file means no EPs; a bad one stops start-up. */
export function loadEpsFile(path: string, knownSchools: ReadonlySet<string>): EpsFile {
  if (!existsSync(path)) return { eps: [] };
  const parsed = epsFileSchema.safeParse(parse(readFileSync(path, 'utf8')) ?? {});
  if (!parsed.success) throw new Error(`${path} is not valid:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  const unknown = parsed.data.eps.flatMap((e) => e.schools.filter((s) => !knownSchools.has(s)));
  if (unknown.length > 0) throw new Error(`${path}: unknown school id(s) ${[...new Set(unknown)].join(', ')}`);
  return parsed.data;
}

/** EPs from the file; link schools are the file's plus any an EP set with /ep schools (which replace the file's for that EP). */
export class SqliteEpDirectory implements EpDirectory {
  private readonly eps: Map<string, readonly string[]>;
  private readonly names: Map<string, string>;

  constructor(private readonly db: Db, file: EpsFile) {
    this.eps = new Map(file.eps.map((e) => [e.aadObjectId, e.schools]));
    this.names = new Map(file.eps.flatMap((e) => (e.name ? [[e.aadObjectId, e.name] as const] : [])));
  }

  async answers(reference: string): Promise<{ epAadId: string; name?: string; answer: 'known' | 'not-known'; at: string }[]> {
    const rows = statement(this.db, 'SELECT ep_aad_id, answer, at FROM ep_answers WHERE reference = ? ORDER BY at').all(reference) as { ep_aad_id: string; answer: 'known' | 'not-known'; at: string }[];
    return rows.map((r) => ({ epAadId: r.ep_aad_id, ...(this.names.has(r.ep_aad_id) ? { name: this.names.get(r.ep_aad_id)! } : {}), answer: r.answer, at: r.at }));
  }

  isEp(aadObjectId: string): boolean {
    return this.eps.has(aadObjectId);
  }

  private own(aadObjectId: string): string[] | undefined {
    const rows = statement(this.db, 'SELECT school_id FROM ep_links WHERE ep_aad_id = ?').all(aadObjectId) as { school_id: string }[];
    const set = statement(this.db, "SELECT 1 AS x FROM ep_links WHERE ep_aad_id = ? AND school_id = ''").get(aadObjectId);
    return rows.length > 0 || set ? rows.map((r) => r.school_id).filter(Boolean) : undefined;
  }

  async schoolsOf(aadObjectId: string): Promise<readonly string[]> {
    return this.own(aadObjectId) ?? this.eps.get(aadObjectId) ?? [];
  }

  async epsForSchool(schoolId: string): Promise<readonly string[]> {
    const out: string[] = [];
    for (const ep of this.eps.keys()) if ((await this.schoolsOf(ep)).includes(schoolId)) out.push(ep);
    return out;
  }

  async epsInvolvedWith(l: { schoolId: string; localRef: string; upnHash?: string }): Promise<readonly string[]> {
    const rows = statement(
      this.db,
      "SELECT DISTINCT ep_aad_id FROM ep_answers WHERE answer = 'known' AND ((school_id = ? AND local_ref = ?) OR (upn_hash IS NOT NULL AND upn_hash = ?))",
    ).all(l.schoolId, l.localRef, l.upnHash ?? null) as { ep_aad_id: string }[];
    return rows.map((r) => r.ep_aad_id).filter((id) => this.isEp(id));
  }

  async setOwnSchools(aadObjectId: string, schoolIds: readonly string[]): Promise<void> {
    this.db.transaction(() => {
      statement(this.db, 'DELETE FROM ep_links WHERE ep_aad_id = ?').run(aadObjectId);
      // '' marks "set by the EP" so an empty choice is kept instead of falling back to the file.
      for (const s of ['', ...schoolIds]) statement(this.db, 'INSERT OR IGNORE INTO ep_links (ep_aad_id, school_id) VALUES (?, ?)').run(aadObjectId, s);
    })();
  }

  async recordAnswer(a: { reference: string; epAadId: string; answer: 'known' | 'not-known'; schoolId: string; localRef: string; upnHash?: string; at: Date }): Promise<void> {
    statement(
      this.db,
      'INSERT INTO ep_answers (reference, ep_aad_id, answer, school_id, local_ref, upn_hash, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reference, ep_aad_id) DO UPDATE SET answer = excluded.answer, at = excluded.at',
    ).run(a.reference, a.epAadId, a.answer, a.schoolId, a.localRef, a.upnHash ?? null, a.at.toISOString());
  }
}
