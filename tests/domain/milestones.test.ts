import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchoolCalendar, parseCalendarCsv, type SchoolCalendar } from '../../src/domain/calendar';
import { YEAR_GROUPS, academicYearOf, academicYearOfDate, transitionMilestones, type Milestone } from '../../src/domain/clocks/milestones';

const rows = parseCalendarCsv(readFileSync(join(__dirname, '..', 'fixtures', 'calendar', 'monmouthshire-2025-2028.csv'), 'utf8'));
if (!rows.ok) throw new Error('fixture invalid');
const built = buildSchoolCalendar({ country: 'wales', authority: rows.value });
if (!built.ok) throw new Error('fixture invalid');
const cal: SchoolCalendar = built.value;

const milestones = (yearGroup: string, academicYear: number, calendar?: SchoolCalendar, schoolEntry?: 'nursery' | 'reception'): Milestone[] => {
  const r = transitionMilestones({ yearGroup, academicYear, ...(calendar ? { calendar } : {}), ...(schoolEntry ? { schoolEntry } : {}) });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};
const windows = (ms: Milestone[]) => ms.map((m) => [m.id, m.from, m.to, m.windowBasis]);

describe('transitionMilestones (Monmouthshire ALN policy)', () => {
  // [year group, academic year, with calendar?, expected [id, from, to, basis] — term dates from config/calendar.csv]
  it.each([
    ['year-5', 2025, true, [['y5-spring-transition-review', '2026-01-05', '2026-03-27', 'calendar']]], // spring term 2026
    ['year-6', 2025, true, [
      ['y6-autumn-annual-review', '2025-09-01', '2025-12-19', 'calendar'], // autumn term 2025
      ['y6-enhanced-transition-meetings', '2026-03-01', '2026-03-27', 'calendar'], // places offered 1 March → end of spring term
    ]],
    ['year-6', 2025, false, [
      ['y6-autumn-annual-review', '2025-09-01', '2025-12-31', 'conventional'],
      ['y6-enhanced-transition-meetings', '2026-03-01', '2026-04-05', 'conventional'], // spring ends Easter Sunday 5 Apr 2026
    ]],
    ['year-7', 2026, true, [['y7-autumn-transition-review', '2026-09-01', '2026-12-18', 'calendar']]],
    ['year-7', 2028, true, [['y7-autumn-transition-review', '2028-09-01', '2028-12-31', 'conventional']]], // 2028-29 not configured
    ['year-9', 2027, true, [['y9-annual-review-ks4-post16', '2027-09-01', '2028-07-20', 'calendar']]], // whole year 2027-28
    ['year-9', 2027, false, [['y9-annual-review-ks4-post16', '2027-09-01', '2028-08-31', 'conventional']]],
    ['year-10', 2026, true, [['y10-autumn-annual-review', '2026-09-01', '2026-12-18', 'calendar']]],
    ['year-11', 2026, true, [
      ['y11-autumn-annual-review', '2026-09-01', '2026-12-18', 'calendar'],
      ['y11-spring-enhanced-transition-meeting', '2027-01-04', '2027-03-19', 'calendar'],
    ]],
    ['year-11', 2026, false, [
      ['y11-autumn-annual-review', '2026-09-01', '2026-12-31', 'conventional'],
      ['y11-spring-enhanced-transition-meeting', '2027-01-01', '2027-03-28', 'conventional'], // Easter Sunday 28 Mar 2027
    ]],
    ['nursery', 2025, true, [['school-entry-planning', '2026-01-05', '2026-07-20', 'calendar']]], // spring + summer before reception
    ['reception', 2026, true, [['school-entry-review', '2026-09-01', '2026-12-18', 'calendar']]], // autumn term of entry
    ['year-12', 2025, true, [['post16-annual-review', '2025-09-01', '2026-07-20', 'calendar']]],
    ['further-education', 2025, false, [['post16-annual-review', '2025-09-01', '2026-08-31', 'conventional']]],
    ['year-3', 2025, true, []],
    ['year-8', 2025, true, []],
    ['pre-school', 2025, true, []], // entry at reception: planning is the nursery year
  ] as const)('%s in %s (calendar: %s)', (yearGroup, year, withCal, expected) => {
    expect(windows(milestones(yearGroup, year, withCal ? cal : undefined))).toEqual(expected);
  });

  it('where children start in the nursery class, planning is the pre-school year and the review the nursery year', () => {
    expect(windows(milestones('pre-school', 2025, cal, 'nursery'))).toEqual([['school-entry-planning', '2026-01-05', '2026-07-20', 'calendar']]);
    expect(windows(milestones('nursery', 2026, cal, 'nursery'))).toEqual([['school-entry-review', '2026-09-01', '2026-12-18', 'calendar']]);
  });

  it('says who is invited and what is done, as codes', () => {
    const [y5] = milestones('year-5', 2025, cal);
    expect(y5).toMatchObject({ invite: ['secondary-alnco'], actions: ['consent-to-share-idp', 'update-professional-advice'], terms: ['spring'] });
    const [y10] = milestones('year-10', 2026, cal);
    expect(y10?.invite).toEqual(['careers-wales', 'college-providers', 'relevant-professionals']);
    const [y11] = milestones('year-11', 2026, cal);
    expect(y11?.actions).toEqual(['consent-to-transfer-idp', 'funding-request-to-inclusion-panel', 'review-independence-outcomes']);
    const y6 = milestones('year-6', 2025, cal)[1];
    expect(y6).toMatchObject({ fixedStart: '2026-03-01', source: { en: 'Monmouthshire ALN policy: transition timelines', cy: 'Polisi ADY Sir Fynwy: amserlenni pontio' } });
  });

  it('rejects an unknown year group and a bad academic year', () => {
    expect(transitionMilestones({ yearGroup: 'year-14', academicYear: 2025 })).toEqual({
      ok: false,
      error: { code: 'MILESTONE.UNKNOWN_YEAR_GROUP', value: 'year-14', validYearGroups: YEAR_GROUPS },
    });
    expect(transitionMilestones({ yearGroup: 'year-6', academicYear: 2025.5 })).toEqual({ ok: false, error: { code: 'MILESTONE.BAD_ACADEMIC_YEAR', value: 2025.5 } });
  });
});

describe('academicYearOf (the academic year starts on 1 September)', () => {
  it.each([
    ['2026-03-10', 2025],
    ['2026-08-31', 2025],
    ['2026-09-01', 2026],
    ['2026-12-31', 2026],
  ])('%s → %s', (date, year) => expect(academicYearOf(date)).toBe(year));

  it('validates its input', () => {
    expect(academicYearOfDate('2026-02-30')).toEqual({ ok: false, error: { code: 'MILESTONE.BAD_DATE', value: '2026-02-30' } });
    expect(academicYearOfDate('2026-09-01')).toEqual({ ok: true, value: 2026 });
  });
});
