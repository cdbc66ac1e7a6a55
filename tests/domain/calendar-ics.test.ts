import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchoolCalendar, classifyIcsSummary, icsToCalendarCsv, parseCalendarCsv, parseCalendarIcs, type CalendarRow } from '../../src/domain/calendar';
import { computeDue } from '../../src/domain/clocks';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'calendar', name), 'utf8');
const ics = fixture('term-dates-2025-26.ics');
const strip = (rows: CalendarRow[]) => rows.map(({ from, to, type }) => ({ from, to, type }));

const cal = (...events: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...events.flatMap((e) => e.split('\n')), 'END:VCALENDAR'].join('\r\n');
const ev = (summary: string, start: string, end?: string, extra: string[] = []) =>
  ['BEGIN:VEVENT', `UID:${summary}-${start}`, `SUMMARY:${summary}`, start.includes('T') ? `DTSTART:${start}` : `DTSTART;VALUE=DATE:${start}`,
    ...(end ? [end.includes('T') ? `DTEND:${end}` : `DTEND;VALUE=DATE:${end}`] : []), ...extra, 'END:VEVENT'].join('\n');

describe('parseCalendarIcs', () => {
  it('maps a council ICS to the same ranges as the CSV (DTEND exclusive: 20251220 → to 2025-12-19)', () => {
    const r = parseCalendarIcs(ics);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // The fixture holds 2025-26 only: the first 13 rows of the sample CSV.
    const csv = parseCalendarCsv(fixture('monmouthshire-2025-2028.csv'));
    if (!csv.ok) throw new Error('fixture CSV invalid');
    expect(strip(r.value)).toEqual(strip(csv.value.slice(0, 13)));
    expect(r.value[0]).toEqual({ from: '2025-09-01', to: '2025-12-19', type: 'term', label: 'Autumn Term 2025', line: 6 });
    expect(r.value[6]).toMatchObject({ from: '2026-02-13', to: '2026-02-13', type: 'inset', label: 'Teacher Training Day' });
  });

  it('converts to CSV text that parseCalendarCsv reads back to the same rows', () => {
    const fromIcs = parseCalendarIcs(ics);
    const text = icsToCalendarCsv(ics);
    expect(text.ok).toBe(true);
    if (!text.ok || !fromIcs.ok) return;
    expect(text.value.split('\n')[0]).toBe('date_from,date_to,type,label');
    expect(text.value.split('\n')[1]).toBe('2025-09-01,2025-12-19,term,Autumn Term 2025');
    const back = parseCalendarCsv(text.value);
    expect(back.ok && back.value.map(({ line: _l, ...rest }) => rest)).toEqual(fromIcs.value.map(({ line: _l, ...rest }) => rest));
  });

  it('a calendar built from the ICS gives the same due date as one built from the CSV', () => {
    const r = parseCalendarIcs(ics);
    if (!r.ok) throw new Error('fixture ICS invalid');
    const built = buildSchoolCalendar({ country: 'wales', authority: r.value });
    if (!built.ok) throw new Error(JSON.stringify(built.error));
    // 2025-10-01 + 35 school days across the October half term = 2025-11-26 (worked in clocks-school-days.test.ts).
    const due = computeDue('wales-school-35sd', '2025-10-01', { calendar: built.value });
    expect(due.ok && due.value.due).toBe('2025-11-26');
  });

  it('handles an event without DTEND (one day), a DURATION, and timed events', () => {
    const text = cal(
      ev('Spring term', '20260105', '20260328'),
      ev('INSET day', '20260105'), // all-day, no DTEND: one day
      ['BEGIN:VEVENT', 'UID:d', 'SUMMARY:Half term', 'DTSTART;VALUE=DATE:20260216', 'DURATION:P5D', 'END:VEVENT'].join('\n'), // 16–20 Feb
      ev('Training day', '20260213T090000', '20260213T153000'), // floating times: the day as written
      ev('School closed (election)', '20260306T000000', '20260307T000000'), // ends at midnight: that day only
      ev('Training day twilight', '20260312T230000Z', '20260313T010000Z'), // UTC: 23:00Z is still 12 March in London (GMT)
    );
    const r = parseCalendarIcs(text);
    expect(r.ok && r.value.map(({ from, to, type }) => [from, to, type])).toEqual([
      ['2026-01-05', '2026-03-27', 'term'],
      ['2026-01-05', '2026-01-05', 'inset'],
      ['2026-02-16', '2026-02-20', 'holiday'],
      ['2026-02-13', '2026-02-13', 'inset'],
      ['2026-03-06', '2026-03-06', 'holiday'],
      ['2026-03-12', '2026-03-13', 'inset'],
    ]);
  });

  it('reports unclassifiable, recurring and reversed events with the line of their BEGIN:VEVENT and their summary', () => {
    const text = cal(
      ev('Autumn term', '20250901', '20251220'), // BEGIN:VEVENT on line 4
      ev('Christmas', '20251222', '20260103'), // line 10: no keyword
      ev('Term starts', '20260105', '20260106'), // line 16: a marker, not the term
      ev('Staff INSET day', '20260105', '20260106', ['RRULE:FREQ=YEARLY;COUNT=3']), // line 22: recurring
      ev('Easter holiday', '20260411', '20260330'), // line 29: ends before it starts
    );
    const r = parseCalendarIcs(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((e) => [e.code, e.line, e.summary])).toEqual([
      ['CALENDAR.ICS_UNCLASSIFIED', 10, 'Christmas'],
      ['CALENDAR.ICS_UNCLASSIFIED', 16, 'Term starts'],
      ['CALENDAR.ICS_RECURRING', 22, 'Staff INSET day'],
      ['CALENDAR.DATE_ORDER', 29, 'Easter holiday'],
    ]);
  });

  it('rejects text that is not iCalendar, and a calendar with no events', () => {
    const bad = parseCalendarIcs('date_from,date_to,type,label\n2026-01-05,2026-03-27,term,Spring\n');
    expect(!bad.ok && bad.error[0]?.code).toBe('CALENDAR.ICS_SYNTAX');
    const empty = parseCalendarIcs(cal());
    expect(!empty.ok && empty.error).toEqual([{ code: 'CALENDAR.ICS_NO_EVENTS' }]);
  });
});

describe('classifyIcsSummary', () => {
  it.each([
    ['Autumn Term 2025', 'term'],
    ['Spring term', 'term'],
    ['Half term', 'holiday'],
    ['October half-term', 'holiday'],
    ['Christmas Holidays', 'holiday'],
    ['Easter break', 'holiday'],
    ['INSET Day', 'inset'],
    ['Teacher training day', 'inset'],
    ['INSET day (half term week)', 'inset'],
    ['Christmas', undefined],
    ['Term starts', undefined],
    ['Last day of term ends', undefined],
  ])('%s → %s', (summary, type) => expect(classifyIcsSummary(summary)).toBe(type));
});
