import { addDays, weekday, type IsoDate } from '../dates';
import { err, ok, type Result } from '../result';
import { bankHolidayOn } from './bank-holidays';
import type {
  CalendarError,
  CalendarOrigin,
  CalendarRange,
  CalendarRow,
  Country,
  DayClass,
  InsetDay,
  SchoolCalendar,
} from './types';

export interface BuildCalendarInput {
  readonly country: Country;
  /** The authority's term dates (terms, holidays, INSET days). */
  readonly authority: readonly CalendarRow[];
  /** One school's override file: `inset` rows only. */
  readonly school?: readonly CalendarRow[];
  readonly schoolId?: string;
  /** Per-authority setting: whether INSET days count as school days (default false). */
  readonly insetCountsAsSchoolDays?: boolean;
}

const range = (r: CalendarRow, origin: CalendarOrigin): CalendarRange => ({ from: r.from, to: r.to, label: r.label, origin, line: r.line });
const within = (date: IsoDate, r: { from: IsoDate; to: IsoDate }): boolean => r.from <= date && date <= r.to;

function* daysOf(from: IsoDate, to: IsoDate): Generator<IsoDate> {
  for (let d = from; d <= to; d = addDays(d, 1)) yield d;
}

/**
 * Puts an authority's term dates and a school's INSET overrides together into one calendar, or lists every fault:
 * no term rows, overlapping terms, INSET days outside any term, override rows other than `inset`.
 * School days: weekdays in a term that are not a holiday, an INSET day (unless the authority counts them) or a bank holiday (DOMAIN.md "School days").
 */
export function buildSchoolCalendar(input: BuildCalendarInput): Result<SchoolCalendar, CalendarError[]> {
  const errors: CalendarError[] = [];
  const terms: CalendarRange[] = [];
  const holidays: CalendarRange[] = [];
  const insetRows: { row: CalendarRow; origin: CalendarOrigin }[] = [];

  for (const row of input.authority) {
    if (row.type === 'term') terms.push(range(row, 'authority'));
    else if (row.type === 'holiday') holidays.push(range(row, 'authority'));
    else insetRows.push({ row, origin: 'authority' });
  }
  for (const row of input.school ?? []) {
    if (row.type !== 'inset') {
      errors.push({ code: 'CALENDAR.OVERRIDE_TYPE_NOT_ALLOWED', line: row.line, field: 'type', value: row.type, origin: 'school' });
    } else insetRows.push({ row, origin: 'school' });
  }
  if (terms.length === 0) errors.push({ code: 'CALENDAR.NO_TERMS', origin: 'authority' });

  terms.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.line - b.line));
  holidays.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.line - b.line));
  for (let i = 1; i < terms.length; i++) {
    const prev = terms[i - 1]!;
    const cur = terms[i]!;
    if (cur.from <= prev.to) {
      errors.push({ code: 'CALENDAR.OVERLAPPING_TERMS', line: cur.line, otherLine: prev.line, value: `${cur.from}..${cur.to}`, origin: 'authority' });
    }
  }

  const insetDays = new Map<IsoDate, InsetDay>();
  for (const { row, origin } of insetRows) {
    for (const date of daysOf(row.from, row.to)) {
      if (!terms.some((t) => within(date, t))) {
        errors.push({ code: 'CALENDAR.INSET_OUTSIDE_TERM', line: row.line, field: 'date_from', value: date, origin });
        break;
      }
      // A school's own file wins over the authority's row for the same day (its label is the one to show).
      if (origin === 'school' || !insetDays.has(date)) insetDays.set(date, { date, label: row.label, origin });
    }
  }
  if (errors.length > 0) return err(errors);

  const all = [...input.authority, ...(input.school ?? [])];
  const firstDate = all.reduce((m, r) => (r.from < m ? r.from : m), all[0]!.from);
  const lastDate = all.reduce((m, r) => (r.to > m ? r.to : m), all[0]!.to);
  return ok({
    country: input.country,
    insetCountsAsSchoolDays: input.insetCountsAsSchoolDays ?? false,
    ...(input.schoolId !== undefined ? { schoolId: input.schoolId } : {}),
    terms,
    holidays,
    insetDays,
    firstDate,
    lastDate,
  });
}

/** What a date is in this calendar: outside the configured dates, a weekend, outside term, a holiday, a bank holiday, an INSET day or a school day (DOMAIN.md "School days"). */
export function classifyDay(cal: SchoolCalendar, date: IsoDate): DayClass {
  if (date < cal.firstDate || date > cal.lastDate) return { kind: 'not-configured' };
  const wd = weekday(date);
  if (wd === 0 || wd === 6) return { kind: 'weekend' };
  // A holiday row names the days it covers even between terms (Christmas, summer), which explains a count better than "outside term".
  const holiday = cal.holidays.find((h) => within(date, h));
  if (holiday) return { kind: 'holiday', range: holiday };
  if (!cal.terms.some((t) => within(date, t))) return { kind: 'outside-term' };
  const bank = bankHolidayOn(cal.country, date);
  if (bank) return { kind: 'bank-holiday', holiday: bank };
  const inset = cal.insetDays.get(date);
  if (inset) return { kind: 'inset', inset, counted: cal.insetCountsAsSchoolDays };
  return { kind: 'school-day' };
}

/** True when the date is a school day in this calendar (INSET days count only where the authority says so). */
export function isSchoolDay(cal: SchoolCalendar, date: IsoDate): boolean {
  const c = classifyDay(cal, date);
  return c.kind === 'school-day' || (c.kind === 'inset' && c.counted);
}

export type TermName = 'autumn' | 'spring' | 'summer';

/**
 * The autumn, spring and summer term windows of an academic year (starting 1 September of `academicYear`) from the
 * configured term rows; a term split into halves is one window. A term is named by the month it starts:
 * Aug–Dec autumn, Jan–Feb spring, Mar–Jul summer.
 */
export function termWindowsOf(cal: SchoolCalendar, academicYear: number): Partial<Record<TermName, { from: IsoDate; to: IsoDate }>> {
  const lo = `${academicYear}-08-01`;
  const hi = `${academicYear + 1}-07-31`;
  const out: Partial<Record<TermName, { from: IsoDate; to: IsoDate }>> = {};
  for (const t of cal.terms) {
    if (t.from < lo || t.from > hi) continue;
    const month = Number(t.from.slice(5, 7));
    const name: TermName = month >= 8 ? 'autumn' : month <= 2 ? 'spring' : 'summer';
    const cur = out[name];
    out[name] = cur ? { from: cur.from < t.from ? cur.from : t.from, to: cur.to > t.to ? cur.to : t.to } : { from: t.from, to: t.to };
  }
  return out;
}
