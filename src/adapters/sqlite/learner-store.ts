import type { IsoDate } from '../../domain/dates';
import type { YearGroup } from '../../domain/clocks/milestones';
import type { IdpMaintainer, Learner, LearnerStore, NewLearner } from '../../ports/learners';
import { statement, type Db } from './database';

interface Row {
  id: number; school_id: string; local_ref: string; initials: string; upn_hash: string | null; date_of_birth: string; year_group: string;
  year_group_academic_year: number; idp_issued_on: string | null; idp_maintained_by: string; alnco_aad_id: string;
}

function fromRow(r: Row): Learner {
  // Built without spreads: the sweep reads every learner.
  const l: { -readonly [K in keyof Learner]: Learner[K] } = {
    id: r.id, schoolId: r.school_id, localRef: r.local_ref, initials: r.initials, dateOfBirth: r.date_of_birth, yearGroup: r.year_group as YearGroup,
    yearGroupAcademicYear: r.year_group_academic_year, idpMaintainedBy: r.idp_maintained_by as IdpMaintainer, alncoAadId: r.alnco_aad_id,
  };
  if (r.upn_hash) l.upnHash = r.upn_hash;
  if (r.idp_issued_on) l.idpIssuedOn = r.idp_issued_on;
  return l;
}

export class SqliteLearnerStore implements LearnerStore {
  constructor(private readonly db: Db) {}

  async upsertMany(learners: readonly NewLearner[], at: Date): Promise<{ created: number; updated: number }> {
    const exists = statement(this.db, 'SELECT 1 AS x FROM learners WHERE school_id = ? AND local_ref = ?');
    const upsert = statement(
      this.db,
      `INSERT INTO learners (school_id, local_ref, initials, upn_hash, date_of_birth, year_group, year_group_academic_year, idp_issued_on, idp_maintained_by, alnco_aad_id, updated_at)
       VALUES (@schoolId, @localRef, @initials, @upnHash, @dateOfBirth, @yearGroup, @yearGroupAcademicYear, @idpIssuedOn, @idpMaintainedBy, @alncoAadId, @at)
       ON CONFLICT (school_id, local_ref) DO UPDATE SET initials = excluded.initials, upn_hash = COALESCE(excluded.upn_hash, upn_hash),
         date_of_birth = excluded.date_of_birth, year_group = excluded.year_group, year_group_academic_year = excluded.year_group_academic_year,
         idp_issued_on = COALESCE(excluded.idp_issued_on, idp_issued_on), idp_maintained_by = excluded.idp_maintained_by,
         alnco_aad_id = excluded.alnco_aad_id, updated_at = excluded.updated_at`,
    );
    let created = 0;
    this.db.transaction(() => {
      for (const l of learners) {
        if (!exists.get(l.schoolId, l.localRef)) created++;
        upsert.run({ ...l, upnHash: l.upnHash ?? null, idpIssuedOn: l.idpIssuedOn ?? null, at: at.toISOString() });
      }
    }).immediate();
    return { created, updated: learners.length - created };
  }

  async get(schoolId: string, localRef: string): Promise<Learner | undefined> {
    const r = statement(this.db, 'SELECT * FROM learners WHERE school_id = ? AND local_ref = ?').get(schoolId, localRef) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  async byId(id: number): Promise<Learner | undefined> {
    const r = statement(this.db, 'SELECT * FROM learners WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  async setIdpIssued(id: number, issuedOn: IsoDate, at: Date): Promise<void> {
    statement(this.db, 'UPDATE learners SET idp_issued_on = ?, updated_at = ? WHERE id = ?').run(issuedOn, at.toISOString(), id);
  }

  async byAlnco(aadObjectId: string): Promise<Learner[]> {
    return (statement(this.db, 'SELECT * FROM learners WHERE alnco_aad_id = ? ORDER BY id').all(aadObjectId) as Row[]).map(fromRow);
  }

  async scan(afterId: number, limit: number): Promise<Learner[]> {
    return (statement(this.db, 'SELECT * FROM learners WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as Row[]).map(fromRow);
  }
}
