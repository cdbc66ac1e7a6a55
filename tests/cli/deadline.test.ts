import { execFile } from 'node:child_process';
import { join } from 'node:path';

// Every case runs the CLI's own entry function in-process (fast); two cases also run the real CLI
// (`npm run deadline` = `tsx scripts/deadline.ts`) as a child process, to prove the wiring, output and exit codes.
const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const FIXTURES = join('tests', 'fixtures', 'calendar');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  lastLine: string;
}

import { runDeadline } from '../../scripts/deadline';

function inProcess(args: string[]): Run {
  const r = runDeadline(args);
  const lines = r.stdout.trimEnd().split('\n');
  return { ...r, lastLine: lines[lines.length - 1] ?? '' };
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(TSX, ['scripts/deadline.ts', ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      const lines = stdout.trimEnd().split('\n');
      resolve({ code, stdout, stderr, lastLine: lines[lines.length - 1] ?? '' });
    });
  });
}

const CASES = {
  halfTerm: ['--clock', 'wales-school-35sd', '--from', '2025-10-01'],
  schoolInset: ['--clock', 'wales-school-35sd', '--from', '2025-10-01', '--school', 'w-6784021'],
  schoolInsetCounted: ['--clock', 'wales-school-35sd', '--from', '2025-10-01', '--school', 'w-6784021', '--inset-counts'],
  schoolWithoutFile: ['--clock', 'wales-school-35sd', '--from', '2025-10-01', '--school', 'w-6784050', '--country', 'wales'],
  ics: ['--clock', 'wales-school-35sd', '--from', '2025-10-01', '--calendar', join(FIXTURES, 'term-dates-2025-26.ics')],
  bankHolidayMonday: ['--clock', 'wales-la-12w', '--from', '2026-03-02'],
  england: ['--clock', 'england-ehc-final-20w', '--from', '2026-01-05', '--country', 'england'],
  leapYear: ['--clock', 'idp-review-12m', '--from', '2028-02-29'],
  unknownClock: ['--clock', 'wales-school-36sd', '--from', '2025-10-01'],
  badDate: ['--clock', 'wales-la-12w', '--from', '2026-02-30'],
  beyond: ['--clock', 'wales-school-35sd', '--from', '2028-06-20'],
  badCalendar: ['--clock', 'wales-school-35sd', '--from', '2025-10-01', '--calendar', join(FIXTURES, 'bad-term-dates.csv')],
  wrongCountry: ['--clock', 'wales-school-35sd', '--from', '2025-10-01', '--country', 'england'],
  unknownOption: ['--clock', 'wales-la-12w', '--from', '2026-03-02', '--frm', 'x'],
} satisfies Record<string, string[]>;

const results: Partial<Record<keyof typeof CASES, Run>> = {};
const result = (k: keyof typeof CASES): Run => {
  const r = results[k];
  if (!r) throw new Error(`no run for ${k}`);
  return r;
};

const SPAWNED: (keyof typeof CASES)[] = ['halfTerm', 'unknownClock'];

beforeAll(async () => {
  const keys = Object.keys(CASES) as (keyof typeof CASES)[];
  for (const k of keys) if (!SPAWNED.includes(k)) results[k] = inProcess(CASES[k]);
  await Promise.all(SPAWNED.map(async (k) => (results[k] = await run(CASES[k]))));
}, 120_000);

describe('npm run deadline', () => {
  // [case, due date on the last line] — the dates are worked by hand in tests/domain/clocks-*.test.ts
  it.each([
    ['halfTerm', '2025-11-26'], // 35 school days across the October half term
    ['schoolInset', '2025-11-27'], // the school's own INSET day on 3 Nov is skipped
    ['schoolInsetCounted', '2025-11-26'], // … unless the authority counts INSET days
    ['schoolWithoutFile', '2025-11-26'], // no config/calendars/w-6784050.csv: the authority's dates
    ['ics', '2025-11-26'], // the same term dates imported from ICS
    ['bankHolidayMonday', '2026-05-26'], // 12 weeks end on Spring bank holiday Mon 25 May → Tue 26 May
    ['england', '2026-05-25'], // England: no roll-forward off the bank holiday
    ['leapYear', '2029-02-28'], // 29 Feb 2028 + 12 months
  ] as const)('%s → last line %s, exit 0', (k, due) => {
    const r = result(k);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.lastLine).toBe(due);
  });

  it('prints the rule, the citation in both languages and how the date was counted', () => {
    const out = result('schoolInset').stdout;
    expect(out).toContain('Rule:      35 school days (Wales)');
    expect(out).toContain('Citation:  ALNET Act 2018 s.11; ALN Code 2021');
    expect(out).toContain('Dyfyniad:  Deddf ADYTA 2018 a.11; Cod ADY 2021');
    expect(out).toContain('config/calendar.csv + config/calendars/w-6784021.csv');
    expect(out).toContain('skipped Autumn half term 2025 (2025-10-27 to 2025-10-31)');
    expect(out).toContain("skipped 2025-11-03 (Mon): School INSET day (cluster training) (the school's own file)");
    expect(out).toContain('counted 35 school days: 2025-10-02 (Thu) to 2025-11-27 (Thu)');
    expect(result('schoolWithoutFile').stdout).toContain("no file config/calendars/w-6784050.csv: the authority's dates only");
    expect(result('bankHolidayMonday').stdout).toContain('runs on to the next working day in Wales, 2026-05-26 (Tue)');
  });

  it('an unknown clock: exit 2, the valid ids on stderr, nothing on stdout', () => {
    const r = result('unknownClock');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown clock "wales-school-36sd"');
    expect(r.stderr).toContain('wales-school-35sd, wales-la-12w, wales-la-reconsider-7w, wales-nhs-6w, idp-review-12m');
  });

  it('a bad date: exit 2', () => {
    expect(result('badDate')).toMatchObject({ code: 2, stdout: '' });
    expect(result('badDate').stderr).toContain('bad date "2026-02-30"');
  });

  it('a date beyond the configured term dates: exit 4 with the last configured date, no guess', () => {
    const r = result('beyond');
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('needs school days after 2028-08-31');
  });

  it('a bad calendar file: exit 3 with every fault and its line', () => {
    const r = result('badCalendar');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    const f = join(FIXTURES, 'bad-term-dates.csv');
    expect(r.stderr).toContain('(3 problems)');
    expect(r.stderr).toContain(`${f}:3 (field type): "half-term" is not a type: use term, holiday or inset`);
    expect(r.stderr).toContain(`${f}:4 (field date_to): the range ends before it starts (2025-12-22 > 2025-12-01)`);
    expect(r.stderr).toContain(`${f}:5 (field date_from): "2026-02-30" is not a date written YYYY-MM-DD`);
  });

  it('a Welsh clock with --country england, and an unknown option: exit 2', () => {
    expect(result('wrongCountry').code).toBe(2);
    expect(result('wrongCountry').stderr).toContain('wales-school-35sd is a clock for Wales');
    expect(result('unknownOption').code).toBe(2);
    expect(result('unknownOption').stderr).toContain('Usage: npm run deadline');
  });
});
