import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { buildSchoolCalendar, parseCalendarCsv, parseCalendarIcs, type CalendarError, type CalendarRow, type SchoolCalendar } from '../../domain/calendar';
import { computeDue } from '../../domain/clocks/compute';
import { CLOCKS, isClockId } from '../../domain/clocks/definitions';
import type { Country } from '../../domain/routes';
import type { Citation, DueResult, StatutoryClocks } from '../../ports/statutory-clocks';

export class CalendarFileError extends Error {
  constructor(readonly file: string, readonly errors: readonly CalendarError[]) {
    super(`${file} is not a valid term-dates file:\n` + errors.slice(0, 20).map((e) => `  - ${describeCalendarError(e)}`).join('\n'));
  }
}

export function describeCalendarError(e: CalendarError): string {
  const where = 'line' in e && e.line !== undefined ? `line ${e.line}` : '';
  const field = 'field' in e && e.field ? ` field ${e.field}` : '';
  const value = 'value' in e && e.value !== undefined ? ` (${String(e.value)})` : '';
  return `${where}${field}${value}: ${e.code}`.replace(/^: /, '');
}

function readRows(file: string): CalendarRow[] {
  const text = readFileSync(file, 'utf8');
  const parsed = extname(file).toLowerCase() === '.ics' ? parseCalendarIcs(text) : parseCalendarCsv(text);
  if (!parsed.ok) throw new CalendarFileError(file, parsed.error);
  return parsed.value;
}

/**
 * Statutory clocks over the authority's term dates (CALENDAR_FILE) and per-school INSET overrides
 * (SCHOOL_CALENDARS_DIR/<school-id>.csv). Files are read and checked once at start: a bad file stops start-up.
 */
export class CalendarClocks implements StatutoryClocks {
  private readonly authorityRows: CalendarRow[] | undefined;
  private readonly calendars = new Map<string, SchoolCalendar>();

  constructor(private readonly opts: { country: Country; calendarFile: string; schoolCalendarsDir: string; insetCountsAsSchoolDays: boolean; schoolIds: readonly string[] }) {
    this.authorityRows = existsSync(opts.calendarFile) ? readRows(opts.calendarFile) : undefined;
    if (this.authorityRows) for (const id of ['', ...opts.schoolIds]) this.calendarFor(id); // fail fast on a bad override
  }

  /** Whether term dates are configured at all (school-day clocks need them). */
  get configured(): boolean {
    return this.authorityRows !== undefined;
  }

  calendarFor(schoolId: string): SchoolCalendar | undefined {
    if (!this.authorityRows) return undefined;
    const cached = this.calendars.get(schoolId);
    if (cached) return cached;
    const overrideFile = schoolId ? join(this.opts.schoolCalendarsDir, `${schoolId}.csv`) : undefined;
    const school = overrideFile && existsSync(overrideFile) ? readRows(overrideFile) : undefined;
    const built = buildSchoolCalendar({
      country: this.opts.country,
      authority: this.authorityRows,
      ...(school ? { school, schoolId } : {}),
      insetCountsAsSchoolDays: this.opts.insetCountsAsSchoolDays,
    });
    if (!built.ok) throw new CalendarFileError(overrideFile && school ? overrideFile : this.opts.calendarFile, built.error);
    this.calendars.set(schoolId, built.value);
    return built.value;
  }

  due(clockId: string, start: string, schoolId: string): DueResult {
    if (!isClockId(clockId)) return { ok: false, problem: 'unknown-clock' };
    const calendar = this.calendarFor(schoolId);
    const result = computeDue(clockId, start, calendar ? { calendar } : {});
    if (result.ok) return { ok: true, due: result.value.due, citation: result.value.citation };
    const e = result.error;
    if (e.code === 'CLOCK.BEYOND_CALENDAR') return { ok: false, problem: 'beyond-calendar', lastConfigured: e.lastConfiguredDate };
    if (e.code === 'CLOCK.NO_CALENDAR' || e.code === 'CLOCK.BEFORE_CALENDAR') return { ok: false, problem: 'no-calendar' };
    return { ok: false, problem: 'unknown-clock' };
  }

  citation(clockId: string): Citation | undefined {
    return isClockId(clockId) ? CLOCKS[clockId].citation : undefined;
  }
}
