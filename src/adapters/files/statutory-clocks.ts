import { existsSync } from 'node:fs';
import type { SchoolCalendar } from '../../domain/calendar';
import { computeDue } from '../../domain/clocks/compute';
import { CLOCKS, isClockId } from '../../domain/clocks/definitions';
import type { Country } from '../../domain/routes';
import type { Citation, DueResult, StatutoryClocks } from '../../ports/statutory-clocks';
import { describeCalendarFileProblem, loadCalendarFile, type CalendarFileProblem } from './calendar-file';

export class CalendarFileError extends Error {
  constructor(readonly problems: readonly CalendarFileProblem[]) {
    super(`The term-dates configuration is not valid:\n${problems.slice(0, 20).map((p) => `  - ${describeCalendarFileProblem(p)}`).join('\n')}`);
  }
}

/**
 * Statutory clocks over the authority's term dates (CALENDAR_FILE) and per-school INSET overrides
 * (SCHOOL_CALENDARS_DIR/<school-id>.csv). Every calendar is read and checked at start: a bad file stops start-up,
 * so a half-read calendar is never used. Calendars never change while running, so due dates are memoised.
 */
export class CalendarClocks implements StatutoryClocks {
  private readonly calendars = new Map<string, SchoolCalendar>();
  private readonly memo = new Map<string, DueResult>();
  readonly configured: boolean;

  constructor(opts: { country: Country; calendarFile: string; schoolCalendarsDir: string; insetCountsAsSchoolDays: boolean; schoolIds: readonly string[] }) {
    this.configured = existsSync(opts.calendarFile);
    if (!this.configured) return;
    const problems: CalendarFileProblem[] = [];
    for (const schoolId of opts.schoolIds) {
      const loaded = loadCalendarFile(opts.calendarFile, {
        country: opts.country,
        schoolId,
        overridesDir: opts.schoolCalendarsDir,
        insetCountsAsSchoolDays: opts.insetCountsAsSchoolDays,
      });
      if (loaded.ok) this.calendars.set(schoolId, loaded.value.calendar);
      else problems.push(...loaded.error);
    }
    if (problems.length > 0) throw new CalendarFileError(problems);
  }

  calendarFor(schoolId: string): SchoolCalendar | undefined {
    return this.calendars.get(schoolId);
  }

  due(clockId: string, start: string, schoolId: string): DueResult {
    const key = `${clockId}|${start}|${schoolId}`;
    const known = this.memo.get(key);
    if (known) return known;
    const result = this.compute(clockId, start, schoolId);
    if (this.memo.size > 10_000) this.memo.clear();
    this.memo.set(key, result);
    return result;
  }

  private compute(clockId: string, start: string, schoolId: string): DueResult {
    if (!isClockId(clockId)) return { ok: false, problem: 'unknown-clock' };
    const calendar = this.calendars.get(schoolId);
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
