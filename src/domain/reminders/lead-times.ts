import { addDays, toUtcDate, type IsoDate } from '../dates';
import { classifyDay } from '../calendar/calendar';
import { isWorkingDay } from '../calendar/bank-holidays';
import type { Country, SchoolCalendar } from '../calendar/types';

/** Which reminder of a due date this is: N school days before, on the day, or the Nth week overdue. */
export type Lead = { readonly kind: 'before'; readonly days: number } | { readonly kind: 'on-the-day' } | { readonly kind: 'overdue'; readonly weeks: number };

export interface LeadPolicy {
  /** School days before the due date, e.g. [10, 3] (DESIGN.md "Reminder"). */
  readonly beforeSchoolDays: readonly number[];
  /** Remind weekly while overdue. */
  readonly weeklyWhileOverdue: boolean;
}

export const DEFAULT_LEAD_POLICY: LeadPolicy = { beforeSchoolDays: [10, 3], weeklyWhileOverdue: true };

export function leadCode(lead: Lead): string {
  return lead.kind === 'before' ? `sd-${lead.days}` : lead.kind === 'on-the-day' ? 'day' : `late-w${lead.weeks}`;
}

// Day numbers of ISO dates, memoised: the sweep compares the same few hundred dates hundreds of thousands of times.
const dayNumbers = new Map<IsoDate, number>();
function dayNumber(d: IsoDate): number {
  let n = dayNumbers.get(d);
  if (n === undefined) {
    if (dayNumbers.size > 100_000) dayNumbers.clear();
    n = Math.round(toUtcDate(d).getTime() / 86_400_000);
    dayNumbers.set(d, n);
  }
  return n;
}
const daysBetween = (a: IsoDate, b: IsoDate): number => dayNumber(b) - dayNumber(a);

/**
 * The date `n` school days before `due`: days the school's calendar says are school days, or working days (not a
 * weekend or bank holiday) where the calendar does not reach, so a reminder is never lost to missing term dates.
 */
export function schoolDaysBefore(due: IsoDate, n: number, country: Country, calendar?: SchoolCalendar): IsoDate {
  let d = due;
  let counted = 0;
  while (counted < n) {
    d = addDays(d, -1);
    const c = calendar ? classifyDay(calendar, d) : undefined;
    const counts = !c || c.kind === 'not-configured' ? isWorkingDay(country, d) : c.kind === 'school-day' || (c.kind === 'inset' && c.counted);
    if (counts) counted++;
  }
  return d;
}

// Many learners share a due date and a calendar: the walk back over the calendar is done once per (calendar, policy, due).
const NO_CALENDAR = {};
const scheduleMemo = new WeakMap<object, Map<string, { lead: Lead; on: IsoDate }[]>>();

/** Every reminder date of a due date, in order (the policy's school-day leads, then the day itself). Memoised. */
export function leadSchedule(due: IsoDate, policy: LeadPolicy, country: Country, calendar?: SchoolCalendar): { lead: Lead; on: IsoDate }[] {
  const owner = calendar ?? NO_CALENDAR;
  let memo = scheduleMemo.get(owner);
  if (!memo) scheduleMemo.set(owner, (memo = new Map()));
  const key = `${country}|${policy.beforeSchoolDays.join(',')}|${due}`;
  const hit = memo.get(key);
  if (hit) return hit;
  if (memo.size > 20_000) memo.clear();
  const computed = computeSchedule(due, policy, country, calendar);
  memo.set(key, computed);
  return computed;
}

function computeSchedule(due: IsoDate, policy: LeadPolicy, country: Country, calendar?: SchoolCalendar): { lead: Lead; on: IsoDate }[] {
  const out = [...policy.beforeSchoolDays]
    .sort((a, b) => b - a)
    .filter((n) => n > 0)
    .map((days) => ({ lead: { kind: 'before', days } as Lead, on: schoolDaysBefore(due, days, country, calendar) }));
  out.push({ lead: { kind: 'on-the-day' }, on: due });
  return out;
}

/** The latest due date any lead of the policy can apply to on `today` (a cheap filter for the sweep). */
export function leadHorizon(today: IsoDate, policy: LeadPolicy): IsoDate {
  return addDays(today, Math.max(0, ...policy.beforeSchoolDays) * 3 + 21);
}

/**
 * The one reminder that applies on `today`: the latest lead whose date has come. After downtime this is only the
 * latest, so a restart catches up with one message instead of a burst of stale ones.
 */
export function currentLead(due: IsoDate, today: IsoDate, policy: LeadPolicy, country: Country, calendar?: SchoolCalendar): { lead: Lead; on: IsoDate } | undefined {
  const late = daysBetween(due, today);
  if (late >= 7 && policy.weeklyWhileOverdue) {
    const weeks = Math.floor(late / 7);
    return { lead: { kind: 'overdue', weeks }, on: addDays(due, weeks * 7) };
  }
  if (late >= 0) return { lead: { kind: 'on-the-day' }, on: due };
  // Far from the due date nothing applies: skip the calendar walk (the sweep visits every learner).
  const maxLead = Math.max(0, ...policy.beforeSchoolDays);
  if (-late > maxLead * 3 + 21) return undefined;
  let found: { lead: Lead; on: IsoDate } | undefined;
  for (const s of leadSchedule(due, policy, country, calendar)) if (s.on <= today) found = s;
  return found;
}
