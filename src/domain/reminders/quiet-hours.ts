import { addDays, weekday, type IsoDate } from '../dates';
import { isWorkingDay } from '../calendar/bank-holidays';
import type { Country } from '../calendar/types';

/** When proactive reminders may be sent: local hours on working days (e.g. 08:00–18:00 Europe/London). */
export interface SendWindow {
  readonly startHour: number;
  readonly endHour: number;
  readonly timeZone: string;
  readonly workingDaysOnly: boolean;
  readonly country: Country;
}

export const DEFAULT_SEND_WINDOW: SendWindow = { startHour: 8, endHour: 18, timeZone: 'Europe/London', workingDaysOnly: true, country: 'wales' };

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallClock(instant: Date, timeZone: string): { date: IsoDate; hour: number; minute: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(instant);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return { date: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')), minute: Number(get('minute')) };
}

/** The instant a local wall-clock time happens in `timeZone` (for whole hours, DST-safe outside the changeover hour). */
export function zonedInstant(date: IsoDate, hour: number, timeZone: string): Date {
  const guess = new Date(`${date}T${String(hour).padStart(2, '0')}:00:00Z`);
  const seen = wallClock(guess, timeZone);
  const seenMs = Date.UTC(+seen.date.slice(0, 4), +seen.date.slice(5, 7) - 1, +seen.date.slice(8, 10), seen.hour, seen.minute);
  return new Date(guess.getTime() - (seenMs - guess.getTime()));
}

const sendDay = (w: SendWindow, d: IsoDate) => !w.workingDaysOnly || isWorkingDay(w.country, d);

/** Whether `now` is inside the send window. */
export function inSendWindow(now: Date, w: SendWindow): boolean {
  const local = wallClock(now, w.timeZone);
  return sendDay(w, local.date) && local.hour >= w.startHour && local.hour < w.endHour;
}

/** `now` when inside the window, else the start of the next window (quiet hours: nothing is sent at night, weekends or bank holidays). */
export function nextSendTime(now: Date, w: SendWindow): Date {
  if (inSendWindow(now, w)) return now;
  const local = wallClock(now, w.timeZone);
  let d = local.hour < w.startHour ? local.date : addDays(local.date, 1);
  for (let i = 0; i < 30 && !sendDay(w, d); i++) d = addDays(d, 1);
  return zonedInstant(d, w.startHour, w.timeZone);
}

/** The next Monday (or today if Monday and before `hour`) at `hour` local time: the weekly digests' slot. */
export function nextWeekly(now: Date, dayOfWeek: number, hour: number, timeZone: string): Date {
  const local = wallClock(now, timeZone);
  let d = local.date;
  let add = (dayOfWeek - weekday(d) + 7) % 7;
  if (add === 0 && local.hour >= hour) add = 7;
  d = addDays(d, add);
  return zonedInstant(d, hour, timeZone);
}

export function localDate(now: Date, timeZone: string): IsoDate {
  return wallClock(now, timeZone).date;
}
