import ICAL from 'ical.js';
import { addDays, londonDate, type IsoDate } from '../dates';
import { err, ok, type Result } from '../result';
import { calendarRowsToCsv } from './csv';
import type { CalendarEntryType, CalendarError, CalendarRow } from './types';

type IcalTime = InstanceType<typeof ICAL.Time>;
type IcalComponent = InstanceType<typeof ICAL.Component>;

// Checked in this order: "INSET training day" is INSET, "half term holiday" is a holiday, not a term.
const INSET = /\binset\b|training day|staff development|professional (learning|development) day/i;
const HOLIDAY = /holiday|half[\s-]?term|\bbreak\b|\bclosed\b/i;
const TERM = /\bterm\b/i;
// One-day "Term starts" / "Term ends" markers are not the term itself: guessing its extent would be wrong.
const TERM_MARKER = /\b(starts?|begins?|ends?|finish(es)?|opens?|closes?|returns?)\b/i;

/** Classifies an event by its SUMMARY keywords: INSET / training day → inset; holiday, half term, break → holiday; term → term. */
export function classifyIcsSummary(summary: string): CalendarEntryType | undefined {
  if (INSET.test(summary)) return 'inset';
  if (HOLIDAY.test(summary)) return 'holiday';
  if (TERM.test(summary) && !TERM_MARKER.test(summary)) return 'term';
  return undefined;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The local (Europe/London) calendar date of an ICS time: UTC times are converted, floating and TZID times are taken as written. */
function dateOf(t: IcalTime): IsoDate {
  if (!t.isDate && t.zone?.tzid === 'UTC') return londonDate(t.toJSDate());
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
}

const isMidnight = (t: IcalTime): boolean => !t.isDate && t.hour === 0 && t.minute === 0 && t.second === 0;

function veventLines(text: string): number[] {
  const lines = text.split(/\r\n|\n|\r/);
  const found: number[] = [];
  lines.forEach((l, i) => {
    if (/^BEGIN:VEVENT\s*$/i.test(l)) found.push(i + 1);
  });
  return found;
}

function vevents(text: string): Result<IcalComponent[], CalendarError[]> {
  let parsed: unknown;
  try {
    parsed = ICAL.parse(text);
  } catch (e) {
    return err([{ code: 'CALENDAR.ICS_SYNTAX', detail: e instanceof Error ? e.message : String(e) }]);
  }
  const roots = (Array.isArray(parsed) && typeof parsed[0] === 'string' ? [parsed] : (parsed as unknown[])) as unknown[];
  const events: IcalComponent[] = [];
  for (const root of roots) {
    const c = new ICAL.Component(root as ConstructorParameters<typeof ICAL.Component>[0]);
    if (c.name === 'vevent') events.push(c);
    else events.push(...c.getAllSubcomponents('vevent'));
  }
  return ok(events);
}

/**
 * Converts an ICS calendar (as councils publish term dates) to calendar rows: each VEVENT is classified by its SUMMARY,
 * all-day DTEND is exclusive (RFC 5545, 3.6.1), so the row ends the day before. Events that cannot be classified,
 * recur, or lack a start are errors with the line of their BEGIN:VEVENT; any error means no rows.
 */
export function parseCalendarIcs(text: string): Result<CalendarRow[], CalendarError[]> {
  const found = vevents(text);
  if (!found.ok) return found;
  if (found.value.length === 0) return err([{ code: 'CALENDAR.ICS_NO_EVENTS' }]);
  const lines = veventLines(text);
  const rows: CalendarRow[] = [];
  const errors: CalendarError[] = [];

  found.value.forEach((vevent, i) => {
    const line = lines[i] ?? 0;
    const summary = String(vevent.getFirstPropertyValue('summary') ?? '').trim();
    const start = vevent.getFirstPropertyValue('dtstart') as IcalTime | null;
    if (!start) {
      errors.push({ code: 'CALENDAR.ICS_MISSING_DATE', line, field: 'DTSTART', summary });
      return;
    }
    if (vevent.hasProperty('rrule') || vevent.hasProperty('rdate')) {
      errors.push({ code: 'CALENDAR.ICS_RECURRING', line, field: 'RRULE', summary });
      return;
    }
    const type = classifyIcsSummary(summary);
    if (!type) {
      errors.push({ code: 'CALENDAR.ICS_UNCLASSIFIED', line, field: 'SUMMARY', summary, value: summary.slice(0, 80) });
      return;
    }
    const from = dateOf(start);
    let to: IsoDate;
    const dtend = vevent.getFirstPropertyValue('dtend') as IcalTime | null;
    const end: IcalTime | null = dtend ?? (vevent.hasProperty('duration') ? new ICAL.Event(vevent).endDate : null);
    if (!end) to = from; // RFC 5545: a DATE start with no end lasts one day; a DATE-TIME start with no end is an instant.
    else if (end.isDate) to = addDays(dateOf(end), -1);
    else to = isMidnight(end) ? addDays(dateOf(end), -1) : dateOf(end);
    if (to < from) {
      errors.push({ code: 'CALENDAR.DATE_ORDER', line, field: 'DTEND', summary, value: `${from} > ${to}` });
      return;
    }
    rows.push({ from, to, type, label: summary, line });
  });
  return errors.length > 0 ? err(errors) : ok(rows);
}

/** ICS text → the equivalent term-dates CSV, so an import can be reviewed and kept as configuration (same rows as `parseCalendarIcs`). */
export function icsToCalendarCsv(text: string): Result<string, CalendarError[]> {
  const rows = parseCalendarIcs(text);
  return rows.ok ? ok(calendarRowsToCsv(rows.value)) : rows;
}
