import { z } from 'zod';
import { isIsoDate, type IsoDate } from '../dates';
import { splitCsvLine } from '../calendar/csv';
import { YEAR_GROUPS, type YearGroup } from '../clocks/milestones';
import { err, ok, type Result } from '../result';

/** The learners CSV header, in order (docs/reminders.md). */
export const LEARNER_CSV_FIELDS = ['local_ref', 'initials', 'upn', 'date_of_birth', 'year_group', 'idp_issue_date', 'idp_maintained_by', 'alnco'] as const;

const date = z.string().trim().refine(isIsoDate, 'a date written YYYY-MM-DD');
const rowSchema = z.strictObject({
  local_ref: z.string().trim().min(1, 'required').max(40),
  initials: z.string().transform((s) => s.replace(/[\s.]/g, '').toUpperCase()).pipe(z.string().regex(/^\p{Lu}{1,4}$/u, '1–4 capital letters')),
  upn: z.string().transform((s) => s.replace(/\s/g, '').toUpperCase()).pipe(z.union([z.literal(''), z.string().regex(/^[A-Z]\d{11}[0-9A-Z]$/, 'a 13-character UPN')])),
  date_of_birth: date,
  year_group: z.enum(YEAR_GROUPS, { error: `one of ${YEAR_GROUPS.join(', ')}` }),
  idp_issue_date: z.union([z.literal(''), date]),
  idp_maintained_by: z.string().trim().toLowerCase().pipe(z.enum(['school', 'la'], { error: 'school or la' })),
  alnco: z.string().trim().regex(/^[A-Za-z0-9-]{1,64}$/, "the ALNCo's AAD object id"),
});

export interface LearnerCsvRow {
  readonly line: number;
  readonly localRef: string;
  readonly initials: string;
  readonly upn?: string;
  readonly dateOfBirth: IsoDate;
  readonly yearGroup: YearGroup;
  readonly idpIssuedOn?: IsoDate;
  readonly idpMaintainedBy: 'school' | 'la';
  readonly alnco: string;
}

export interface LearnerCsvError {
  readonly line: number;
  readonly field?: string;
  readonly message: string;
}

/** Parse a learners CSV, every row checked; any bad row fails the whole file so nothing is half-imported. */
export function parseLearnersCsv(text: string, today: IsoDate): Result<LearnerCsvRow[], LearnerCsvError[]> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerCells = (splitCsvLine(lines[0] ?? '') ?? []).map((h) => h.trim().toLowerCase());
  if (headerCells.join(',') !== LEARNER_CSV_FIELDS.join(',')) return err([{ line: 1, message: `the header must be exactly: ${LEARNER_CSV_FIELDS.join(',')}` }]);
  const errors: LearnerCsvError[] = [];
  const rows: LearnerCsvRow[] = [];
  const seen = new Map<string, number>();
  lines.slice(1).forEach((raw, i) => {
    const line = i + 2;
    if (raw.trim() === '') return;
    const cells = splitCsvLine(raw);
    if (!cells || cells.length !== LEARNER_CSV_FIELDS.length) return void errors.push({ line, message: `expected ${LEARNER_CSV_FIELDS.length} fields, found ${cells?.length ?? 0}` });
    const parsed = rowSchema.safeParse(Object.fromEntries(LEARNER_CSV_FIELDS.map((f, k) => [f, cells[k] ?? ''])));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push({ line, field: String(issue.path[0] ?? ''), message: issue.message });
      return;
    }
    const r = parsed.data;
    if (r.date_of_birth >= today) errors.push({ line, field: 'date_of_birth', message: 'must be in the past' });
    if (r.idp_issue_date && r.idp_issue_date > today) errors.push({ line, field: 'idp_issue_date', message: 'cannot be in the future' });
    const dup = seen.get(r.local_ref);
    if (dup) errors.push({ line, field: 'local_ref', message: `repeats line ${dup}` });
    seen.set(r.local_ref, line);
    rows.push({
      line, localRef: r.local_ref, initials: r.initials, ...(r.upn ? { upn: r.upn } : {}), dateOfBirth: r.date_of_birth, yearGroup: r.year_group,
      ...(r.idp_issue_date ? { idpIssuedOn: r.idp_issue_date } : {}), idpMaintainedBy: r.idp_maintained_by, alnco: r.alnco,
    });
  });
  if (rows.length === 0 && errors.length === 0) errors.push({ line: 1, message: 'no learners in the file' });
  return errors.length > 0 ? err(errors) : ok(rows);
}
