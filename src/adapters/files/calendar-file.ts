import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { z } from 'zod';
import {
  buildSchoolCalendar,
  parseCalendarCsv,
  parseCalendarIcs,
  type CalendarError,
  type CalendarRow,
  type SchoolCalendar,
} from '../../domain/calendar';
import { err, ok, type Result } from '../../domain/result';

/** Options checked at the edge: a school id becomes part of a file path, so it is held to a safe pattern. */
const LoadCalendarOptionsSchema = z.strictObject({
  country: z.enum(['wales', 'england']),
  schoolId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/).optional(),
  /** Folder of per-school override files `<school-id>.csv`; default: `calendars/` next to the authority file. */
  overridesDir: z.string().min(1).optional(),
  insetCountsAsSchoolDays: z.boolean().default(false),
});
export type LoadCalendarOptions = z.input<typeof LoadCalendarOptionsSchema>;

export type CalendarFileProblem =
  | (CalendarError & { readonly file: string })
  | { readonly code: 'CALENDAR.FILE_UNREADABLE'; readonly file: string; readonly detail: string }
  | { readonly code: 'CALENDAR.UNSUPPORTED_FILE_TYPE'; readonly file: string; readonly value: string }
  | { readonly code: 'CALENDAR.BAD_OPTIONS'; readonly file: string; readonly field: string; readonly detail: string };

export interface LoadedCalendar {
  readonly calendar: SchoolCalendar;
  readonly files: { readonly authority: string; readonly school?: string };
  /** Whether a per-school file was asked for and found: a school without one simply has no extra INSET days. */
  readonly schoolOverride: 'loaded' | 'none-found' | 'not-requested';
}

function readText(file: string): Result<string, CalendarFileProblem> {
  try {
    return ok(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
    return err({ code: 'CALENDAR.FILE_UNREADABLE', file, detail: code });
  }
}

function readRows(file: string, allowIcs: boolean): Result<CalendarRow[], CalendarFileProblem[]> {
  const ext = extname(file).toLowerCase();
  if (ext !== '.csv' && !(allowIcs && ext === '.ics')) return err([{ code: 'CALENDAR.UNSUPPORTED_FILE_TYPE', file, value: ext || '(none)' }]);
  const text = readText(file);
  if (!text.ok) return err([text.error]);
  const parsed = ext === '.ics' ? parseCalendarIcs(text.value) : parseCalendarCsv(text.value);
  return parsed.ok ? parsed : err(parsed.error.map((e) => ({ ...e, file })));
}

/**
 * Reads an authority's term dates (CSV or ICS) and, for a school, its INSET override file `<overridesDir>/<school-id>.csv`,
 * and returns the checked calendar or every fault found in either file (with its file and line). Nothing half-read is returned.
 */
export function loadCalendarFile(path: string, options: LoadCalendarOptions): Result<LoadedCalendar, CalendarFileProblem[]> {
  const opts = LoadCalendarOptionsSchema.safeParse(options);
  if (!opts.success) {
    return err(opts.error.issues.map((i) => ({ code: 'CALENDAR.BAD_OPTIONS' as const, file: path, field: i.path.join('.'), detail: i.message })));
  }
  const { country, schoolId, insetCountsAsSchoolDays } = opts.data;
  const problems: CalendarFileProblem[] = [];

  const authority = readRows(path, true);
  if (!authority.ok) problems.push(...authority.error);

  let schoolFile: string | undefined;
  let schoolRows: CalendarRow[] | undefined;
  if (schoolId !== undefined) {
    const candidate = join(opts.data.overridesDir ?? join(dirname(path), 'calendars'), `${schoolId}.csv`);
    if (existsSync(candidate)) {
      schoolFile = candidate;
      const school = readRows(candidate, false);
      if (school.ok) schoolRows = school.value;
      else problems.push(...school.error);
    }
  }
  if (problems.length > 0 || !authority.ok) return err(problems);

  const built = buildSchoolCalendar({
    country,
    authority: authority.value,
    ...(schoolRows ? { school: schoolRows } : {}),
    ...(schoolId !== undefined ? { schoolId } : {}),
    insetCountsAsSchoolDays,
  });
  if (!built.ok) return err(built.error.map((e) => ({ ...e, file: e.origin === 'school' && schoolFile ? schoolFile : path })));
  return ok({
    calendar: built.value,
    files: { authority: path, ...(schoolFile ? { school: schoolFile } : {}) },
    schoolOverride: schoolId === undefined ? 'not-requested' : schoolFile ? 'loaded' : 'none-found',
  });
}

const q = (s: string | undefined): string => `"${s ?? ''}"`;

/** An English sentence for a calendar file problem, for the CLI and logs (`file:line: what is wrong`). */
export function describeCalendarFileProblem(p: CalendarFileProblem): string {
  const where = `${p.file}${'line' in p && p.line !== undefined ? `:${p.line}` : ''}`;
  const field = 'field' in p && p.field && p.code !== 'CALENDAR.BAD_OPTIONS' ? ` (field ${p.field})` : '';
  const what = ((): string => {
    switch (p.code) {
      case 'CALENDAR.FILE_UNREADABLE': return `cannot read the file (${p.detail})`;
      case 'CALENDAR.UNSUPPORTED_FILE_TYPE': return `unsupported file type ${p.value}: use .csv (or .ics for the authority's term dates)`;
      case 'CALENDAR.BAD_OPTIONS': return `bad option ${p.field}: ${p.detail}`;
      case 'CALENDAR.MISSING_HEADER': return `the first line must be the header date_from,date_to,type,label (found ${q(p.value)})`;
      case 'CALENDAR.COMMENT_NOT_ALLOWED': return 'comment lines are not allowed; explain the dates in docs/clocks.md instead';
      case 'CALENDAR.UNCLOSED_QUOTE': return 'a quoted field is not closed';
      case 'CALENDAR.FIELD_COUNT': return `expected 4 fields (date_from,date_to,type,label), found ${p.value}`;
      case 'CALENDAR.BAD_DATE': return `${q(p.value)} is not a date written YYYY-MM-DD`;
      case 'CALENDAR.UNKNOWN_TYPE': return `${q(p.value)} is not a type: use term, holiday or inset`;
      case 'CALENDAR.MISSING_LABEL': return 'the label is empty';
      case 'CALENDAR.DATE_ORDER': return `the range ends before it starts (${p.value})`;
      case 'CALENDAR.ICS_SYNTAX': return `not a valid iCalendar file (${p.detail ?? 'parse error'})`;
      case 'CALENDAR.ICS_NO_EVENTS': return 'the calendar has no events';
      case 'CALENDAR.ICS_MISSING_DATE': return `event ${q(p.summary)} has no DTSTART`;
      case 'CALENDAR.ICS_RECURRING': return `event ${q(p.summary)} repeats (RRULE/RDATE); list each term or holiday as its own event`;
      case 'CALENDAR.ICS_UNCLASSIFIED': return `cannot tell whether event ${q(p.summary)} is a term, a holiday or an INSET day: its SUMMARY needs "term", "holiday", "half term", "break", "INSET" or "training day"`;
      case 'CALENDAR.NO_TERMS': return 'there are no term rows';
      case 'CALENDAR.OVERLAPPING_TERMS': return `this term (${p.value}) overlaps the term on line ${p.otherLine}`;
      case 'CALENDAR.INSET_OUTSIDE_TERM': return `INSET day ${p.value} is not inside any term`;
      case 'CALENDAR.OVERRIDE_TYPE_NOT_ALLOWED': return `a school's file may hold only inset rows (found ${q(p.value)})`;
    }
  })();
  return `${where}${field}: ${what}`;
}
