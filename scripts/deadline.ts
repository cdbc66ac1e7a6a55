/**
 * Statutory deadline calculator.
 *   npm run deadline -- --clock <id> --from <YYYY-MM-DD> [--calendar <file.csv|.ics>] [--school <id>] [--country wales|england] [--inset-counts]
 * Prints the rule, its citation and how the date was counted; the due date alone is the LAST line of stdout.
 * Exit codes: 0 ok · 2 bad arguments (unknown clock, bad date, unknown option) · 3 calendar file unreadable or invalid ·
 * 4 the date needs term dates that are not configured.
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeCalendarFileProblem, loadCalendarFile, type LoadedCalendar } from '../src/adapters/files/calendar-file';
import { weekday } from '../src/domain/dates';
import { CLOCK_IDS, CLOCKS, computeDue, isClockId, type ClockDefinition, type ClockStep } from '../src/domain/clocks';

const USAGE =
  'Usage: npm run deadline -- --clock <id> --from <YYYY-MM-DD> [--calendar <file.csv|.ics>] [--school <id>] [--country wales|england] [--inset-counts]';
const ROOT = resolve(__dirname, '..');
const DEFAULT_CALENDAR = resolve(ROOT, 'config', 'calendar.csv');
const OVERRIDES_DIR = resolve(ROOT, 'config', 'calendars');

const EXIT = { usage: 2, calendar: 3, beyond: 4 } as const;

class CliExit extends Error {
  constructor(readonly code: number, readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

function fail(code: number, ...lines: string[]): never {
  throw new CliExit(code, lines);
}

const DAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const d = (iso: string): string => `${iso} (${DAY[weekday(iso)]})`;
const show = (p: string): string => (p.startsWith(ROOT) ? relative(ROOT, p) : p);

function ruleOf(def: ClockDefinition): string {
  const country = def.country === 'wales' ? 'Wales' : 'England';
  switch (def.kind) {
    case 'school-days':
      return `${def.amount} school days (${country}): counted from the first school day after the start date; due on the ${def.amount}th school day`;
    case 'days':
      return def.startDayCounts
        ? `${def.amount} days (${country}) beginning with the start day (the start day is day 1); a calendar period`
        : `${def.amount} days (${country}) from the start date; a calendar period`;
    case 'weeks':
      return def.rollForward
        ? `${def.amount} weeks (${country}) from the start date; a period ending on a weekend or Welsh bank holiday runs on to the next working day`
        : `${def.amount} weeks (${country}) from the start date; a calendar period, not moved off weekends or bank holidays`;
    case 'months':
      return `${def.amount} months (${country}): the same day of the month a year later (29 February → 28 February)${def.rollForward ? '' : '; not moved off weekends or bank holidays'}`;
  }
}

function stepText(s: ClockStep): string {
  switch (s.code) {
    case 'STARTED': return `started ${d(s.date)}: ${s.event}`;
    case 'SKIPPED_HOLIDAY': return `skipped ${s.label} (${s.from} to ${s.to})`;
    case 'SKIPPED_OUTSIDE_TERM': return `skipped ${s.from} to ${s.to}: outside term`;
    case 'SKIPPED_BANK_HOLIDAY': return `skipped ${d(s.date)}: bank holiday, ${s.name}`;
    case 'SKIPPED_INSET': return `skipped ${d(s.date)}: ${s.label}${s.origin === 'school' ? " (the school's own file)" : ''}; INSET days are not counted`;
    case 'COUNTED_INSET': return `counted ${d(s.date)}: ${s.label}; this authority counts INSET days as school days`;
    case 'SCHOOL_DAYS_COUNTED': return `counted ${s.n} school days: ${d(s.from)} to ${d(s.to)}`;
    case 'ADDED_DAYS': return s.startDayCounts ? `${s.from} is day 1, so day ${s.n} is ${d(s.to)}` : `${s.from} + ${s.n} days = ${d(s.to)}`;
    case 'ADDED_WEEKS': return `${s.from} + ${s.n} weeks = ${d(s.to)}`;
    case 'ADDED_MONTHS': return `${s.from} + ${s.n} months = ${d(s.to)}`;
    case 'MONTH_END_CLAMPED': return `${s.year}-${String(s.month).padStart(2, '0')}-${String(s.day).padStart(2, '0')} does not exist: the last day of that month, ${s.to}`;
    case 'ROLLED_FORWARD': return `${d(s.from)} is ${s.reason === 'weekend' ? 'a weekend' : 'a bank holiday'}: runs on to the next working day in Wales, ${d(s.to)}`;
    case 'NOT_ROLLED_FORWARD': return `${d(s.date)} is ${s.reason === 'weekend' ? 'a weekend' : 'a bank holiday'}; the date does not move (${s.country === 'england' ? 'England: calendar period' : 'no roll-forward for this period'})`;
    case 'DUE': return `due ${d(s.date)}`;
  }
}

function main(argv: string[], stdout: (s: string) => void): void {
  let values: { clock?: string; from?: string; calendar?: string; school?: string; country?: string; 'inset-counts'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        clock: { type: 'string' },
        from: { type: 'string' },
        calendar: { type: 'string' },
        school: { type: 'string' },
        country: { type: 'string' },
        'inset-counts': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
      args: argv,
    }));
  } catch (e) {
    fail(EXIT.usage, `deadline: ${e instanceof Error ? e.message : String(e)}`, USAGE);
  }
  if (values.help) {
    stdout(`${USAGE}\nClocks: ${CLOCK_IDS.join(', ')}\n`);
    return;
  }

  const clockId = values.clock;
  if (!clockId) fail(EXIT.usage, 'deadline: --clock is required.', `Valid clocks: ${CLOCK_IDS.join(', ')}`, USAGE);
  if (!isClockId(clockId)) fail(EXIT.usage, `deadline: unknown clock "${clockId}".`, `Valid clocks: ${CLOCK_IDS.join(', ')}`);
  const def = CLOCKS[clockId];

  if (values.country !== undefined && values.country !== 'wales' && values.country !== 'england') {
    fail(EXIT.usage, `deadline: --country must be wales or england, not "${values.country}".`);
  }
  if (values.country !== undefined && values.country !== def.country) {
    fail(EXIT.usage, `deadline: ${clockId} is a clock for ${def.country === 'wales' ? 'Wales' : 'England'}; it does not apply with --country ${values.country}.`);
  }
  if (values.from === undefined) fail(EXIT.usage, 'deadline: --from <YYYY-MM-DD> is required.', USAGE);

  const notes: string[] = [];
  let loaded: LoadedCalendar | undefined;
  if (def.kind === 'school-days') {
    const file = values.calendar !== undefined ? resolve(values.calendar) : DEFAULT_CALENDAR;
    const result = loadCalendarFile(file, {
      country: def.country,
      ...(values.school !== undefined ? { schoolId: values.school } : {}),
      overridesDir: OVERRIDES_DIR,
      insetCountsAsSchoolDays: values['inset-counts'] === true,
    });
    if (!result.ok) {
      fail(EXIT.calendar, `deadline: the calendar cannot be used (${result.error.length} problem${result.error.length === 1 ? '' : 's'}):`, ...result.error.map((p) => `  ${describeCalendarFileProblem({ ...p, file: show(p.file) })}`));
    }
    loaded = result.value;
    if (loaded.schoolOverride === 'none-found') notes.push(`no file ${show(resolve(OVERRIDES_DIR, `${values.school}.csv`))}: the authority's dates only`);
  } else if (values.calendar !== undefined || values.school !== undefined || values['inset-counts']) {
    notes.push('a calendar-period clock: term dates, school and INSET options are not used');
  }

  const result = computeDue(clockId, values.from, loaded ? { calendar: loaded.calendar } : {});
  if (!result.ok) {
    const e = result.error;
    switch (e.code) {
      case 'CLOCK.BAD_DATE':
        fail(EXIT.usage, `deadline: bad date "${e.value}": write it YYYY-MM-DD (a real calendar date).`);
      case 'CLOCK.BEYOND_CALENDAR':
        fail(
          EXIT.beyond,
          `deadline: ${clockId} from ${values.from} needs school days after ${e.lastConfiguredDate}, the last date in the configured term dates (${e.counted} of ${e.needed} school days counted).`,
          `Add the next academic year's term dates to ${show(loaded?.files.authority ?? DEFAULT_CALENDAR)}; the date is not guessed.`,
        );
      case 'CLOCK.BEFORE_CALENDAR':
        fail(EXIT.beyond, `deadline: the configured term dates start on ${e.firstConfiguredDate}; ${values.from} is before them.`);
      default:
        fail(EXIT.usage, `deadline: ${e.code}`);
    }
  }

  const due = result.value;
  const out: string[] = [
    `Clock:     ${clockId}`,
    `Rule:      ${ruleOf(def)}`,
    `Starts:    ${due.startEvent}`,
    `Citation:  ${due.citation.en}`,
    `Dyfyniad:  ${due.citation.cy}`,
  ];
  if (loaded) {
    const files = [show(loaded.files.authority), ...(loaded.files.school ? [show(loaded.files.school)] : [])].join(' + ');
    out.push(`Calendar:  ${files}; INSET days ${loaded.calendar.insetCountsAsSchoolDays ? 'counted' : 'not counted'}; bank holidays: ${def.country === 'wales' ? 'Wales' : 'England'}`);
  }
  for (const n of notes) out.push(`Note:      ${n}`);
  out.push('How it was counted:', ...due.steps.map((s) => `  - ${stepText(s)}`), 'Due date:', due.due);
  stdout(`${out.join('\n')}\n`);
}

/** Run the calculator on these arguments; returns the exit code and what it printed (tests call this in-process). */
export function runDeadline(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  try {
    main(argv, (s) => (stdout += s));
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    if (e instanceof CliExit) return { code: e.code, stdout, stderr: e.lines.map((l) => `${l}\n`).join('') };
    throw e;
  }
}

if (require.main === module) {
  const r = runDeadline(process.argv.slice(2));
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
}
