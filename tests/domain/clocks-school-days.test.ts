import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchoolCalendar, parseCalendarCsv, type CalendarRow, type SchoolCalendar } from '../../src/domain/calendar';
import { computeDue } from '../../src/domain/clocks';

const rowsOf = (text: string): CalendarRow[] => {
  const r = parseCalendarCsv(text);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};
// The sample Monmouthshire term dates 2025-26 to 2027-28 (same as config/calendar.csv).
const authority = rowsOf(readFileSync(join(__dirname, '..', 'fixtures', 'calendar', 'monmouthshire-2025-2028.csv'), 'utf8'));
// The sample school's own file: one extra INSET day on Monday 3 November 2025 (as config/calendars/w-6784021.csv).
const schoolInset = rowsOf('date_from,date_to,type,label\n2025-11-03,2025-11-03,inset,School INSET day (cluster training)\n');

const calendar = (opts: { inset?: boolean; school?: boolean } = {}): SchoolCalendar => {
  const r = buildSchoolCalendar({
    country: 'wales',
    authority,
    ...(opts.school ? { school: schoolInset, schoolId: 'w-6784021' } : {}),
    insetCountsAsSchoolDays: opts.inset ?? false,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

const due = (start: string, cal: SchoolCalendar) => {
  const r = computeDue('wales-school-35sd', start, { calendar: cal });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

describe('wales-school-35sd: 35 school days from the first school day after the start', () => {
  // [start, options, due, the working by hand]
  const cases: [string, { inset?: boolean; school?: boolean }, string, string][] = [
    ['2025-10-01', {}, '2025-11-26',
      'Thu 2 Oct = 1, Fri 3 = 2; 6–10 Oct = 3–7; 13–17 = 8–12; 20–24 = 13–17; half term 27–31 Oct skipped; 3–7 Nov = 18–22; 10–14 = 23–27; 17–21 = 28–32; Mon 24 = 33, Tue 25 = 34, Wed 26 Nov = 35'],
    ['2025-10-01', { school: true }, '2025-11-27',
      "as above, but the school's INSET day Mon 3 Nov is not counted: 4–7 Nov = 18–21 … Thu 27 Nov = 35"],
    ['2025-10-01', { school: true, inset: true }, '2025-11-26',
      "the authority counts INSET days, so the school's 3 Nov counts again: same as the first row"],
    ['2025-11-28', {}, '2026-02-02',
      'Christmas: 1–5 Dec = 1–5; 8–12 = 6–10; 15–19 = 11–15; holiday 22 Dec–2 Jan; Mon 5 Jan INSET skipped; 6–9 Jan = 16–19; 12–16 = 20–24; 19–23 = 25–29; 26–30 = 30–34; Mon 2 Feb = 35'],
    ['2026-03-16', {}, '2026-05-19',
      'Easter and May Day: 17–20 Mar = 1–4; 23–27 = 5–9; Easter holiday 30 Mar–10 Apr; 13–17 Apr = 10–14; 20–24 = 15–19; 27 Apr–1 May = 20–24; Mon 4 May bank holiday; 5–8 May = 25–28; 11–15 = 29–33; Mon 18 = 34, Tue 19 May = 35'],
    ['2025-12-19', {}, '2026-03-03',
      'INSET not counted: Mon 5 Jan INSET; 6–9 Jan = 1–4; 12–16 = 5–9; 19–23 = 10–14; 26–30 = 15–19; 2–6 Feb = 20–24; 9–12 Feb = 25–28; Fri 13 Feb INSET; half term 16–20; 23–27 Feb = 29–33; Mon 2 Mar = 34; Tue 3 Mar = 35'],
    ['2025-12-19', { inset: true }, '2026-02-27',
      'INSET counted: 5–9 Jan = 1–5; 12–16 = 6–10; 19–23 = 11–15; 26–30 = 16–20; 2–6 Feb = 21–25; 9–13 Feb = 26–30 (13th counted); half term; 23–27 Feb = 31–35'],
    ['2026-02-14', {}, '2026-04-24',
      'starts on a Saturday before half term: half term 16–20 Feb; 23–27 Feb = 1–5; 2–6 Mar = 6–10; 9–13 = 11–15; 16–20 = 16–20; 23–27 = 21–25; Easter 30 Mar–10 Apr; 13–17 Apr = 26–30; 20–24 Apr = 31–35'],
    ['2026-07-01', {}, '2026-10-05',
      'across the summer: 2–3 Jul = 1–2; 6–10 = 3–7; 13–17 = 8–12; Mon 20 Jul INSET; summer holiday 21 Jul–31 Aug; Tue 1 and Wed 2 Sep INSET; Thu 3–Fri 4 Sep = 13–14; 7–11 = 15–19; 14–18 = 20–24; 21–25 = 25–29; 28 Sep–2 Oct = 30–34; Mon 5 Oct = 35'],
    ['2025-08-31', {}, '2025-10-21',
      'first configured day is Mon 1 Sep (INSET, as is Tue 2); 3–5 Sep = 1–3; 8–12 = 4–8; 15–19 = 9–13; 22–26 = 14–18; 29 Sep–3 Oct = 19–23; 6–10 Oct = 24–28; 13–17 = 29–33; Mon 20 = 34; Tue 21 Oct = 35'],
  ];
  it.each(cases)('from %s %j → %s', (start, opts, expected) => {
    expect(due(start, calendar(opts)).due).toBe(expected);
  });

  it('explains the count step by step (codes and numbers, no sentences)', () => {
    expect(due('2026-03-16', calendar()).steps).toEqual([
      { code: 'STARTED', event: 'matter-brought-to-attention', date: '2026-03-16' },
      { code: 'SKIPPED_HOLIDAY', from: '2026-03-30', to: '2026-04-10', label: 'Easter holiday 2026' },
      { code: 'SKIPPED_BANK_HOLIDAY', date: '2026-05-04', name: 'Early May bank holiday', key: 'early-may-bank-holiday' },
      { code: 'SCHOOL_DAYS_COUNTED', n: 35, from: '2026-03-17', to: '2026-05-19' },
      { code: 'DUE', date: '2026-05-19' },
    ]);
  });

  it("shows INSET days skipped or counted, and where the school's own day came from", () => {
    const skipped = due('2025-10-01', calendar({ school: true })).steps.filter((s) => s.code === 'SKIPPED_INSET');
    expect(skipped).toEqual([{ code: 'SKIPPED_INSET', date: '2025-11-03', label: 'School INSET day (cluster training)', origin: 'school' }]);
    const counted = due('2025-12-19', calendar({ inset: true })).steps.filter((s) => s.code === 'COUNTED_INSET').map((s) => 'date' in s && s.date);
    expect(counted).toEqual(['2026-01-05', '2026-02-13']);
  });

  it('reports a gap between terms that no holiday row covers', () => {
    const r = buildSchoolCalendar({ country: 'wales', authority: rowsOf('date_from,date_to,type,label\n2026-01-05,2026-03-27,term,Spring\n2026-04-13,2026-07-20,term,Summer\n') });
    if (!r.ok) throw new Error('bad');
    // From Mon 23 Mar: 24–27 Mar = 1–4; 30 Mar–10 Apr is in no term and no holiday row; counting resumes on 13 Apr.
    const d = computeDue('wales-school-35sd', '2026-03-23', { calendar: r.value });
    expect(d.ok && d.value.steps.find((s) => s.code === 'SKIPPED_OUTSIDE_TERM')).toEqual({ code: 'SKIPPED_OUTSIDE_TERM', from: '2026-03-30', to: '2026-04-10' });
  });

  it('a young person’s clock starts when they consent', () => {
    const r = computeDue('wales-school-35sd', '2025-10-01', { calendar: calendar(), startEvent: 'young-person-consented' });
    expect(r.ok && r.value.steps[0]).toEqual({ code: 'STARTED', event: 'young-person-consented', date: '2025-10-01' });
    expect(computeDue('wales-school-35sd', '2025-10-01', { calendar: calendar(), startEvent: 'meeting-held' })).toEqual({
      ok: false,
      error: { code: 'CLOCK.WRONG_START_EVENT', clockId: 'wales-school-35sd', event: 'meeting-held', allowed: ['matter-brought-to-attention', 'young-person-consented'] },
    });
  });
});

describe('wales-school-35sd when the calendar cannot answer', () => {
  it('beyond the configured term dates: CLOCK.BEYOND_CALENDAR with the last configured date, never a guess', () => {
    // From Tue 20 Jun 2028: 21–23 Jun = 1–3; 26–30 = 4–8; 3–7 Jul = 9–13; 10–14 = 14–18; 17–19 = 19–21; Thu 20 Jul INSET;
    // summer holiday to 31 Aug 2028, the last configured date: 21 of 35 counted.
    expect(computeDue('wales-school-35sd', '2028-06-20', { calendar: calendar() })).toEqual({
      ok: false,
      error: { code: 'CLOCK.BEYOND_CALENDAR', clockId: 'wales-school-35sd', lastConfiguredDate: '2028-08-31', counted: 21, needed: 35 },
    });
  });

  it('before the configured term dates: CLOCK.BEFORE_CALENDAR', () => {
    // Counting would begin on Sun 31 Aug 2025, before the first configured date (Mon 1 Sep 2025).
    expect(computeDue('wales-school-35sd', '2025-08-30', { calendar: calendar() })).toEqual({
      ok: false,
      error: { code: 'CLOCK.BEFORE_CALENDAR', clockId: 'wales-school-35sd', firstConfiguredDate: '2025-09-01' },
    });
  });

  it('no calendar, or an English calendar for a Welsh clock', () => {
    expect(computeDue('wales-school-35sd', '2025-10-01')).toEqual({ ok: false, error: { code: 'CLOCK.NO_CALENDAR', clockId: 'wales-school-35sd' } });
    const eng = buildSchoolCalendar({ country: 'england', authority });
    if (!eng.ok) throw new Error('bad');
    expect(computeDue('wales-school-35sd', '2025-10-01', { calendar: eng.value })).toEqual({
      ok: false,
      error: { code: 'CLOCK.COUNTRY_MISMATCH', clockId: 'wales-school-35sd', clockCountry: 'wales', calendarCountry: 'england' },
    });
  });
});
