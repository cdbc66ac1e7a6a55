import { londonDate } from '../domain/dates';
import { academicYearOf } from '../domain/clocks/milestones';
import { parseLearnersCsv, type LearnerCsvError } from '../domain/reminders';
import { err, ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { Hasher } from '../ports/hasher';
import type { LearnerStore } from '../ports/learners';

export type ImportLearnersError =
  | { readonly code: 'LEARNERS.UNKNOWN_SCHOOL'; readonly schoolId: string }
  | { readonly code: 'LEARNERS.INVALID'; readonly errors: readonly LearnerCsvError[] };

/**
 * Import a school's learners with IDPs from CSV: every row validated, nothing kept unless the whole file is valid,
 * upserted by (school, local reference) so running it again changes nothing. The year group is recorded with the
 * academic year of the import; later years are derived. UPNs are kept only as a keyed hash.
 */
export async function importLearners(
  deps: { learners: LearnerStore; directory: Directory; hasher: Hasher; audit: AuditLog; clock: Clock },
  input: { schoolId: string; csv: string; by: string },
): Promise<Result<{ created: number; updated: number }, ImportLearnersError>> {
  if (!deps.directory.school(input.schoolId)) return err({ code: 'LEARNERS.UNKNOWN_SCHOOL', schoolId: input.schoolId });
  const now = deps.clock.now();
  const today = londonDate(now);
  const parsed = parseLearnersCsv(input.csv, today);
  if (!parsed.ok) return err({ code: 'LEARNERS.INVALID', errors: parsed.error });
  const ay = academicYearOf(today);
  const result = await deps.learners.upsertMany(
    parsed.value.map((r) => ({
      schoolId: input.schoolId, localRef: r.localRef, initials: r.initials, ...(r.upn ? { upnHash: deps.hasher.hash(r.upn) } : {}),
      dateOfBirth: r.dateOfBirth, yearGroup: r.yearGroup, yearGroupAcademicYear: ay, ...(r.idpIssuedOn ? { idpIssuedOn: r.idpIssuedOn } : {}),
      idpMaintainedBy: r.idpMaintainedBy, alncoAadId: r.alnco,
    })),
    now,
  );
  await deps.audit.record({ at: now.toISOString(), actor: input.by, action: 'learners.import', recordType: 'school', recordId: input.schoolId, correlationId: `import-${now.getTime()}`, detail: result });
  return ok(result);
}
