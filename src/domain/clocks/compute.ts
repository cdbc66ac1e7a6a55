import { addDays, isIsoDate, type IsoDate } from '../dates';
import { err, ok, type Result } from '../result';
import type { Country } from '../routes';
import { bankHolidayOn, nonWorkingDayReason, type NonWorkingReason } from '../calendar/bank-holidays';
import { classifyDay } from '../calendar/calendar';
import type { CalendarOrigin, CalendarRange, SchoolCalendar } from '../calendar/types';
import { CLOCK_IDS, CLOCKS, isClockId, type Citation, type ClockDefinition, type ClockId, type ClockKind, type StartEvent } from './definitions';
import { addMonthsClamped } from './period-math';

export type { NonWorkingReason };

/** One step of how a due date was counted: codes and numbers only, rendered in English or Welsh by an adapter. */
export type ClockStep =
  | { readonly code: 'STARTED'; readonly event: StartEvent; readonly date: IsoDate }
  | { readonly code: 'SKIPPED_HOLIDAY'; readonly from: IsoDate; readonly to: IsoDate; readonly label: string }
  | { readonly code: 'SKIPPED_OUTSIDE_TERM'; readonly from: IsoDate; readonly to: IsoDate }
  | { readonly code: 'SKIPPED_BANK_HOLIDAY'; readonly date: IsoDate; readonly name: string; readonly key: string }
  | { readonly code: 'SKIPPED_INSET'; readonly date: IsoDate; readonly label: string; readonly origin: CalendarOrigin }
  | { readonly code: 'COUNTED_INSET'; readonly date: IsoDate; readonly label: string; readonly origin: CalendarOrigin }
  | { readonly code: 'SCHOOL_DAYS_COUNTED'; readonly n: number; readonly from: IsoDate; readonly to: IsoDate }
  | { readonly code: 'ADDED_DAYS'; readonly n: number; readonly from: IsoDate; readonly to: IsoDate; readonly startDayCounts: boolean }
  | { readonly code: 'ADDED_WEEKS'; readonly n: number; readonly from: IsoDate; readonly to: IsoDate }
  | { readonly code: 'ADDED_MONTHS'; readonly n: number; readonly from: IsoDate; readonly to: IsoDate }
  | { readonly code: 'MONTH_END_CLAMPED'; readonly year: number; readonly month: number; readonly day: number; readonly to: IsoDate }
  | { readonly code: 'ROLLED_FORWARD'; readonly from: IsoDate; readonly to: IsoDate; readonly reason: NonWorkingReason }
  | { readonly code: 'NOT_ROLLED_FORWARD'; readonly date: IsoDate; readonly reason: NonWorkingReason; readonly country: Country }
  | { readonly code: 'DUE'; readonly date: IsoDate };

export type ClockError =
  | { readonly code: 'CLOCK.UNKNOWN'; readonly clockId: string; readonly validIds: readonly ClockId[] }
  | { readonly code: 'CLOCK.BAD_DATE'; readonly value: string }
  | { readonly code: 'CLOCK.WRONG_START_EVENT'; readonly clockId: ClockId; readonly event: string; readonly allowed: readonly StartEvent[] }
  | { readonly code: 'CLOCK.NO_CALENDAR'; readonly clockId: ClockId }
  | { readonly code: 'CLOCK.COUNTRY_MISMATCH'; readonly clockId: ClockId; readonly clockCountry: Country; readonly calendarCountry: Country }
  | { readonly code: 'CLOCK.BEFORE_CALENDAR'; readonly clockId: ClockId; readonly firstConfiguredDate: IsoDate }
  | {
      readonly code: 'CLOCK.BEYOND_CALENDAR';
      readonly clockId: ClockId;
      readonly lastConfiguredDate: IsoDate;
      /** School days found before the configuration ran out, of `needed`. */
      readonly counted: number;
      readonly needed: number;
    };

export interface ClockContext {
  /** The school's (or authority's) term calendar; needed by school-day clocks only. */
  readonly calendar?: SchoolCalendar;
  /** Which event started the clock, when not the default (e.g. `young-person-consented`). */
  readonly startEvent?: StartEvent;
}

export interface ClockDue {
  readonly clockId: ClockId;
  readonly country: Country;
  readonly kind: ClockKind;
  readonly amount: number;
  readonly startEvent: StartEvent;
  readonly start: IsoDate;
  readonly due: IsoDate;
  readonly citation: Citation;
  readonly steps: readonly ClockStep[];
}

/**
 * Wales: a period ending on a day that is not a working day runs on to the next working day (ALN (Wales) Regulations
 * 2021, reg. 2(4); DOMAIN.md). England's periods and the IDP review period do not move; the step says the day is not a working day.
 */
export function settleOnWorkingDay(country: Country, rollForward: boolean, date: IsoDate, steps: ClockStep[]): IsoDate {
  const reason = nonWorkingDayReason(country, date);
  if (!reason) return date;
  if (!rollForward) {
    steps.push({ code: 'NOT_ROLLED_FORWARD', date, reason, country });
    return date;
  }
  let d = date;
  while (nonWorkingDayReason(country, d)) {
    const bank = bankHolidayOn(country, d);
    if (bank) steps.push({ code: 'SKIPPED_BANK_HOLIDAY', date: d, name: bank.name, key: bank.key });
    d = addDays(d, 1);
  }
  steps.push({ code: 'ROLLED_FORWARD', from: date, to: d, reason });
  return d;
}

function countSchoolDays(def: ClockDefinition, start: IsoDate, cal: SchoolCalendar, steps: ClockStep[]): Result<IsoDate, ClockError> {
  let d = addDays(start, 1);
  if (d < cal.firstDate) return err({ code: 'CLOCK.BEFORE_CALENDAR', clockId: def.id, firstConfiguredDate: cal.firstDate });
  const n = def.amount;
  let counted = 0;
  let first: IsoDate | undefined;
  const shownHolidays = new Set<CalendarRange>();
  let gap: { from: IsoDate; to: IsoDate } | undefined;
  const flushGap = () => {
    if (gap) steps.push({ code: 'SKIPPED_OUTSIDE_TERM', from: gap.from, to: gap.to });
    gap = undefined;
  };
  for (;;) {
    const c = classifyDay(cal, d);
    if (c.kind === 'not-configured') {
      flushGap();
      return err({ code: 'CLOCK.BEYOND_CALENDAR', clockId: def.id, lastConfiguredDate: cal.lastDate, counted, needed: n });
    }
    if (c.kind === 'outside-term') gap = gap ? { from: gap.from, to: d } : { from: d, to: d };
    else if (c.kind !== 'weekend') flushGap();
    let counts = false;
    switch (c.kind) {
      case 'holiday':
        if (!shownHolidays.has(c.range)) {
          shownHolidays.add(c.range);
          steps.push({ code: 'SKIPPED_HOLIDAY', from: c.range.from, to: c.range.to, label: c.range.label });
        }
        break;
      case 'bank-holiday':
        steps.push({ code: 'SKIPPED_BANK_HOLIDAY', date: d, name: c.holiday.name, key: c.holiday.key });
        break;
      case 'inset':
        steps.push({ code: c.counted ? 'COUNTED_INSET' : 'SKIPPED_INSET', date: d, label: c.inset.label, origin: c.inset.origin });
        counts = c.counted;
        break;
      case 'school-day':
        counts = true;
        break;
      default:
        break;
    }
    if (counts) {
      counted++;
      first ??= d;
      if (counted === n) {
        steps.push({ code: 'SCHOOL_DAYS_COUNTED', n, from: first, to: d });
        return ok(d);
      }
    }
    d = addDays(d, 1);
  }
}

/**
 * The due date of a statutory clock started on `start`, with the steps of how it was counted (DOMAIN.md "Clocks the
 * product must compute"; rules in docs/clocks.md). School-day clocks count from the first school day after the start and
 * are due on the Nth; week and day clocks are calendar periods; Wales periods ending on a non-working day run on.
 */
export function computeDue(clockId: string, start: string, ctx: ClockContext = {}): Result<ClockDue, ClockError> {
  if (!isClockId(clockId)) return err({ code: 'CLOCK.UNKNOWN', clockId, validIds: CLOCK_IDS });
  if (!isIsoDate(start)) return err({ code: 'CLOCK.BAD_DATE', value: start });
  const def = CLOCKS[clockId];
  const allowed = [def.startEvent, ...(def.youngPersonStartEvent ? [def.youngPersonStartEvent] : [])];
  const event = ctx.startEvent ?? def.startEvent;
  if (!allowed.includes(event)) return err({ code: 'CLOCK.WRONG_START_EVENT', clockId, event, allowed });

  const steps: ClockStep[] = [{ code: 'STARTED', event, date: start }];
  let due: IsoDate;
  switch (def.kind) {
    case 'school-days': {
      const cal = ctx.calendar;
      if (!cal) return err({ code: 'CLOCK.NO_CALENDAR', clockId });
      if (cal.country !== def.country) {
        return err({ code: 'CLOCK.COUNTRY_MISMATCH', clockId, clockCountry: def.country, calendarCountry: cal.country });
      }
      const counted = countSchoolDays(def, start, cal, steps);
      if (!counted.ok) return counted;
      due = counted.value;
      break;
    }
    case 'days': {
      const startDayCounts = def.startDayCounts === true;
      const to = addDays(start, startDayCounts ? def.amount - 1 : def.amount);
      steps.push({ code: 'ADDED_DAYS', n: def.amount, from: start, to, startDayCounts });
      due = settleOnWorkingDay(def.country, def.rollForward, to, steps);
      break;
    }
    case 'weeks': {
      const to = addDays(start, 7 * def.amount);
      steps.push({ code: 'ADDED_WEEKS', n: def.amount, from: start, to });
      due = settleOnWorkingDay(def.country, def.rollForward, to, steps);
      break;
    }
    case 'months': {
      const added = addMonthsClamped(start, def.amount);
      steps.push({ code: 'ADDED_MONTHS', n: def.amount, from: start, to: added.date });
      if (added.clamped) steps.push({ code: 'MONTH_END_CLAMPED', ...added.wanted, to: added.date });
      due = settleOnWorkingDay(def.country, def.rollForward, added.date, steps);
      break;
    }
  }
  steps.push({ code: 'DUE', date: due });
  return ok({
    clockId,
    country: def.country,
    kind: def.kind,
    amount: def.amount,
    startEvent: event,
    start,
    due,
    citation: def.citation,
    steps,
  });
}
