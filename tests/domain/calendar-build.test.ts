import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bankHolidayOn,
  bankHolidaysOf,
  buildSchoolCalendar,
  classifyDay,
  isSchoolDay,
  isWorkingDay,
  parseCalendarCsv,
  termWindowsOf,
  type CalendarRow,
  type SchoolCalendar,
} from '../../src/domain/calendar';

const rowsOf = (text: string): CalendarRow[] => {
  const r = parseCalendarCsv(text);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};
const authority = rowsOf(readFileSync(join(__dirname, '..', 'fixtures', 'calendar', 'monmouthshire-2025-2028.csv'), 'utf8'));
const H = 'date_from,date_to,type,label';

const build = (opts: Partial<Parameters<typeof buildSchoolCalendar>[0]> = {}): SchoolCalendar => {
  const r = buildSchoolCalendar({ country: 'wales', authority, ...opts });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

describe('buildSchoolCalendar', () => {
  it('knows the configured span: 2025-09-01 to 2028-08-31', () => {
    const cal = build();
    expect([cal.firstDate, cal.lastDate]).toEqual(['2025-09-01', '2028-08-31']);
    expect(cal.terms).toHaveLength(9);
    expect(cal.insetCountsAsSchoolDays).toBe(false);
  });

  it('rejects overlapping terms, naming both lines', () => {
    const r = buildSchoolCalendar({ country: 'wales', authority: rowsOf(`${H}\n2026-01-05,2026-03-27,term,Spring\n2026-03-20,2026-07-20,term,Summer\n`) });
    expect(!r.ok && r.error).toEqual([{ code: 'CALENDAR.OVERLAPPING_TERMS', line: 3, otherLine: 2, value: '2026-03-20..2026-07-20', origin: 'authority' }]);
  });

  it('rejects an INSET day outside every term, and a file with no terms', () => {
    const r = buildSchoolCalendar({ country: 'wales', authority: rowsOf(`${H}\n2026-01-05,2026-03-27,term,Spring\n2026-04-01,2026-04-01,inset,INSET in Easter\n`) });
    expect(!r.ok && r.error).toEqual([{ code: 'CALENDAR.INSET_OUTSIDE_TERM', line: 3, field: 'date_from', value: '2026-04-01', origin: 'authority' }]);
    const none = buildSchoolCalendar({ country: 'wales', authority: rowsOf(`${H}\n2026-02-16,2026-02-20,holiday,Half term\n`) });
    expect(!none.ok && none.error).toEqual([{ code: 'CALENDAR.NO_TERMS', origin: 'authority' }]);
  });

  it("a school's file may hold only inset rows inside a term", () => {
    const school = rowsOf(`${H}\n2025-11-03,2025-11-03,inset,School INSET\n2025-11-10,2025-11-14,holiday,Extra week off\n2025-12-24,2025-12-24,inset,In the Christmas holiday but not in a term\n`);
    const r = buildSchoolCalendar({ country: 'wales', authority, school, schoolId: 'w-6784021' });
    expect(!r.ok && r.error).toEqual([
      { code: 'CALENDAR.OVERRIDE_TYPE_NOT_ALLOWED', line: 3, field: 'type', value: 'holiday', origin: 'school' },
      { code: 'CALENDAR.INSET_OUTSIDE_TERM', line: 4, field: 'date_from', value: '2025-12-24', origin: 'school' },
    ]);
  });
});

describe('classifyDay (Wales sample calendar)', () => {
  const cal = build();
  // date, what it is, and why (worked from config/calendar.csv and the Welsh bank holidays)
  it.each([
    ['2025-08-31', 'not-configured'], // before the first configured date
    ['2028-09-01', 'not-configured'], // after the last configured date
    ['2025-09-01', 'inset'], // Mon, first day of autumn term 2025, INSET
    ['2025-09-03', 'school-day'], // Wed, first day with pupils
    ['2025-09-06', 'weekend'], // Sat
    ['2025-10-29', 'holiday'], // Wed in the autumn half term
    ['2025-12-25', 'holiday'], // Christmas Day is inside the Christmas holiday range, reported as the holiday
    ['2026-05-04', 'bank-holiday'], // Mon, Early May bank holiday, in summer term
    ['2026-07-20', 'inset'], // Mon, last day of summer term, INSET
    ['2026-07-21', 'holiday'], // summer holiday
    ['2028-05-01', 'bank-holiday'], // Mon, Early May bank holiday 2028
  ])('%s is %s', (date, kind) => expect(classifyDay(cal, date).kind).toBe(kind));

  it('a weekday between terms with no holiday row is outside term', () => {
    const c = build({ authority: rowsOf(`${H}\n2026-01-05,2026-03-27,term,Spring\n2026-04-13,2026-07-20,term,Summer\n`) });
    expect(classifyDay(c, '2026-04-01').kind).toBe('outside-term');
  });

  it('INSET days are school days only where the authority counts them', () => {
    expect(isSchoolDay(cal, '2025-09-01')).toBe(false);
    expect(isSchoolDay(build({ insetCountsAsSchoolDays: true }), '2025-09-01')).toBe(true);
    expect(isSchoolDay(cal, '2025-09-03')).toBe(true);
  });
});

describe('bank holidays (date-holidays, Wales and England)', () => {
  it('Wales 2026 public holidays, including the Boxing Day substitute on Monday 28 December', () => {
    expect([...bankHolidaysOf('wales', 2026).keys()]).toEqual([
      '2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-26', '2026-12-28',
    ]);
    expect(bankHolidayOn('wales', '2026-12-28')).toEqual({ date: '2026-12-28', name: 'Boxing Day (substitute day)', key: 'boxing-day', substitute: true });
  });

  it('2027 has two Christmas substitutes (27 and 28 Dec) and 2028 a New Year substitute (3 Jan)', () => {
    expect(bankHolidayOn('wales', '2027-12-27')?.key).toBe('christmas-day');
    expect(bankHolidayOn('wales', '2027-12-28')?.key).toBe('boxing-day');
    expect(bankHolidayOn('england', '2028-01-03')).toMatchObject({ key: 'new-years-day', substitute: true });
  });

  it('Wales and England have the same bank holidays 2025–2028 (only Scotland and Northern Ireland differ)', () => {
    for (const y of [2025, 2026, 2027, 2028]) expect([...bankHolidaysOf('wales', y).keys()]).toEqual([...bankHolidaysOf('england', y).keys()]);
  });

  it('observances (Mother’s Day, Easter Sunday) are not bank holidays; the cache returns the same map', () => {
    expect(bankHolidayOn('wales', '2026-04-05')).toBeUndefined(); // Easter Sunday
    expect(bankHolidaysOf('wales', 2026)).toBe(bankHolidaysOf('wales', 2026));
  });

  it.each([
    ['2026-05-25', false], // Spring bank holiday
    ['2026-05-26', true], // Tuesday
    ['2026-05-23', false], // Saturday
  ])('isWorkingDay(wales, %s) = %s', (date, expected) => expect(isWorkingDay('wales', date)).toBe(expected));
});

describe('termWindowsOf', () => {
  it('gives each term of an academic year from the configured rows', () => {
    expect(termWindowsOf(build(), 2026)).toEqual({
      autumn: { from: '2026-09-01', to: '2026-12-18' },
      spring: { from: '2027-01-04', to: '2027-03-19' },
      summer: { from: '2027-04-05', to: '2027-07-20' },
    });
    expect(termWindowsOf(build(), 2030)).toEqual({});
  });

  it('a term split into half-term rows is one window', () => {
    const c = build({ authority: rowsOf(`${H}\n2025-09-01,2025-10-24,term,Autumn 1\n2025-11-03,2025-12-19,term,Autumn 2\n`) });
    expect(termWindowsOf(c, 2025)).toEqual({ autumn: { from: '2025-09-01', to: '2025-12-19' } });
  });
});
