import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCalendarFileProblem, loadCalendarFile } from '../../src/adapters/files/calendar-file';

// The file loader the CLI uses (src/adapters/files/calendar-file.ts), against real files in a temporary folder.
const FIXTURES = join(__dirname, '..', 'fixtures', 'calendar');
const H = 'date_from,date_to,type,label';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'calendar-file-'));
  mkdirSync(join(dir, 'calendars'));
  writeFileSync(join(dir, 'calendar.csv'), `${H}\n2025-09-01,2025-12-19,term,Autumn term 2025\n2025-10-27,2025-10-31,holiday,Half term\n`);
  writeFileSync(join(dir, 'calendars', 'w-1.csv'), `${H}\n2025-11-03,2025-11-03,inset,School INSET\n`);
  writeFileSync(join(dir, 'calendars', 'w-2.csv'), `${H}\n2025-11-03,2025-11-07,holiday,Extra week\n2025-11-10,2025-11-10,inset,School INSET\n`);
  writeFileSync(join(dir, 'calendars', 'w-3.csv'), `${H}\n2025-11-31,2025-11-31,inset,No such day\n`);
  writeFileSync(join(dir, 'terms.txt'), 'whatever');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadCalendarFile', () => {
  it('loads the authority file and a school override from calendars/ next to it', () => {
    const r = loadCalendarFile(join(dir, 'calendar.csv'), { country: 'wales', schoolId: 'w-1' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.schoolOverride).toBe('loaded');
    expect(r.value.files).toEqual({ authority: join(dir, 'calendar.csv'), school: join(dir, 'calendars', 'w-1.csv') });
    expect(r.value.calendar.insetDays.get('2025-11-03')).toEqual({ date: '2025-11-03', label: 'School INSET', origin: 'school' });
    expect(r.value.calendar.schoolId).toBe('w-1');
  });

  it('a school without a file has no extra INSET days; no school asked, none read', () => {
    const none = loadCalendarFile(join(dir, 'calendar.csv'), { country: 'wales', schoolId: 'w-9' });
    expect(none.ok && none.value.schoolOverride).toBe('none-found');
    const notAsked = loadCalendarFile(join(dir, 'calendar.csv'), { country: 'wales' });
    expect(notAsked.ok && notAsked.value.schoolOverride).toBe('not-requested');
  });

  it('reads an ICS file as the authority calendar, with the setting for INSET days', () => {
    const r = loadCalendarFile(join(FIXTURES, 'term-dates-2025-26.ics'), { country: 'wales', insetCountsAsSchoolDays: true });
    expect(r.ok && [r.value.calendar.firstDate, r.value.calendar.lastDate, r.value.calendar.insetCountsAsSchoolDays]).toEqual(['2025-09-01', '2026-08-31', true]);
  });

  it("puts a fault in the school's file on that file and line", () => {
    const r = loadCalendarFile(join(dir, 'calendar.csv'), { country: 'wales', schoolId: 'w-2' });
    expect(!r.ok && r.error).toEqual([
      { code: 'CALENDAR.OVERRIDE_TYPE_NOT_ALLOWED', line: 2, field: 'type', value: 'holiday', origin: 'school', file: join(dir, 'calendars', 'w-2.csv') },
    ]);
    const bad = loadCalendarFile(join(dir, 'calendar.csv'), { country: 'wales', schoolId: 'w-3' });
    expect(!bad.ok && bad.error.map(describeCalendarFileProblem)).toEqual([
      `${join(dir, 'calendars', 'w-3.csv')}:2 (field date_from): "2025-11-31" is not a date written YYYY-MM-DD`,
      `${join(dir, 'calendars', 'w-3.csv')}:2 (field date_to): "2025-11-31" is not a date written YYYY-MM-DD`,
    ]);
  });

  it('refuses a missing file, another file type and a school id that would leave the folder', () => {
    const missing = loadCalendarFile(join(dir, 'nope.csv'), { country: 'wales' });
    expect(!missing.ok && missing.error).toEqual([{ code: 'CALENDAR.FILE_UNREADABLE', file: join(dir, 'nope.csv'), detail: 'ENOENT' }]);
    const txt = loadCalendarFile(join(dir, 'terms.txt'), { country: 'wales' });
    expect(!txt.ok && txt.error[0]).toMatchObject({ code: 'CALENDAR.UNSUPPORTED_FILE_TYPE', value: '.txt' });
    const traversal = loadCalendarFile(join(dir, 'calendar.csv'), { country: 'wales', schoolId: '../calendar' });
    expect(!traversal.ok && traversal.error[0]).toMatchObject({ code: 'CALENDAR.BAD_OPTIONS', field: 'schoolId' });
  });
});
