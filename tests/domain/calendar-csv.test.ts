import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { calendarRowsToCsv, parseCalendarCsv, splitCsvLine, type CalendarError } from '../../src/domain/calendar';

const H = 'date_from,date_to,type,label';
const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'calendar', name), 'utf8');

const errorsOf = (text: string): CalendarError[] => {
  const r = parseCalendarCsv(text);
  if (r.ok) throw new Error('expected errors');
  return r.error;
};

describe('parseCalendarCsv', () => {
  it('reads the sample Monmouthshire term dates (39 rows, first and last as written)', () => {
    const r = parseCalendarCsv(fixture('monmouthshire-2025-2028.csv'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toHaveLength(39);
    expect(r.value[0]).toEqual({ from: '2025-09-01', to: '2025-12-19', type: 'term', label: 'Autumn term 2025', line: 2 });
    expect(r.value[38]).toEqual({ from: '2028-07-21', to: '2028-08-31', type: 'holiday', label: 'Summer holiday 2028', line: 40 });
  });

  it('accepts CRLF line ends, a BOM, blank lines, a trailing newline, any-case types and quoted labels with commas', () => {
    const text = `\uFEFF${H}\r\n2026-01-05,2026-03-27,Term,"Spring term, 2026"\r\n\r\n2026-02-16,2026-02-20,HOLIDAY,"Half term ""February"""\r\n`;
    const r = parseCalendarCsv(text);
    expect(r).toEqual({
      ok: true,
      value: [
        { from: '2026-01-05', to: '2026-03-27', type: 'term', label: 'Spring term, 2026', line: 2 },
        { from: '2026-02-16', to: '2026-02-20', type: 'holiday', label: 'Half term "February"', line: 4 },
      ],
    });
  });

  it('a one-day range (date_from = date_to) is fine', () => {
    expect(parseCalendarCsv(`${H}\n2026-01-05,2026-01-05,inset,INSET day\n`).ok).toBe(true);
  });

  // Each row: the file, then the single error expected (code, line, field). Lines are 1-based and count the header.
  const cases: [string, string, Partial<CalendarError>][] = [
    ['bad date (30 February does not exist)', `${H}\n2026-01-05,2026-03-27,term,Spring\n2026-02-30,2026-03-01,holiday,Oops\n`,
      { code: 'CALENDAR.BAD_DATE', line: 3, field: 'date_from', value: '2026-02-30' }],
    ['bad date (UK order)', `${H}\n05/01/2026,2026-03-27,term,Spring\n`, { code: 'CALENDAR.BAD_DATE', line: 2, field: 'date_from', value: '05/01/2026' }],
    ['bad date_to', `${H}\n2026-01-05,2026-3-27,term,Spring\n`, { code: 'CALENDAR.BAD_DATE', line: 2, field: 'date_to', value: '2026-3-27' }],
    ['unknown type', `${H}\n2026-01-05,2026-03-27,term,Spring\n2026-02-16,2026-02-20,halfterm,Half term\n`,
      { code: 'CALENDAR.UNKNOWN_TYPE', line: 3, field: 'type', value: 'halfterm' }],
    ['date_to before date_from', `${H}\n2026-03-27,2026-01-05,term,Spring\n`,
      { code: 'CALENDAR.DATE_ORDER', line: 2, field: 'date_to', value: '2026-03-27 > 2026-01-05' }],
    ['missing header', `2026-01-05,2026-03-27,term,Spring\n`, { code: 'CALENDAR.MISSING_HEADER', line: 1, field: 'header' }],
    ['wrong header', `from,to,type,label\n2026-01-05,2026-03-27,term,Spring\n`, { code: 'CALENDAR.MISSING_HEADER', line: 1, value: 'from,to,type,label' }],
    ['empty file', '', { code: 'CALENDAR.MISSING_HEADER', line: 1 }],
    ['too few fields', `${H}\n2026-01-05,2026-03-27,term\n`, { code: 'CALENDAR.FIELD_COUNT', line: 2, value: '3' }],
    ['comment line', `${H}\n# Monmouthshire 2025-26\n2026-01-05,2026-03-27,term,Spring\n`, { code: 'CALENDAR.COMMENT_NOT_ALLOWED', line: 2 }],
    ['empty label', `${H}\n2026-01-05,2026-03-27,term,  \n`, { code: 'CALENDAR.MISSING_LABEL', line: 2, field: 'label' }],
    ['unclosed quote', `${H}\n2026-01-05,2026-03-27,term,"Spring\n`, { code: 'CALENDAR.UNCLOSED_QUOTE', line: 2 }],
  ];
  it.each(cases)('rejects %s with the line at fault', (_name, text, expected) => {
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject(expected);
  });

  it('reports every fault at once, each with its line, and returns no rows', () => {
    const text = [
      H,
      '2026-01-05,2026-03-27,term,Spring term', // 2 fine
      '2026-13-01,2026-03-27,term,Bad month', // 3 bad date_from
      '2026-02-16,2026-02-20,vacation,Half term', // 4 unknown type
      '2026-04-10,2026-03-30,holiday,Easter', // 5 reversed
      '2026-04-13,nope,bogus,', // 6 bad date_to + unknown type + empty label: three fields at fault
    ].join('\n');
    const r = parseCalendarCsv(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.map((e) => [e.line, e.code, e.field])).toEqual([
      [3, 'CALENDAR.BAD_DATE', 'date_from'],
      [4, 'CALENDAR.UNKNOWN_TYPE', 'type'],
      [5, 'CALENDAR.DATE_ORDER', 'date_to'],
      [6, 'CALENDAR.BAD_DATE', 'date_to'],
      [6, 'CALENDAR.UNKNOWN_TYPE', 'type'],
      [6, 'CALENDAR.MISSING_LABEL', 'label'],
    ]);
  });

  it('a file without a header still has its first data line checked', () => {
    const errors = errorsOf('2026-02-30,2026-03-27,term,Spring\n');
    expect(errors.map((e) => [e.line, e.code])).toEqual([
      [1, 'CALENDAR.MISSING_HEADER'],
      [1, 'CALENDAR.BAD_DATE'],
    ]);
  });
});

describe('calendarRowsToCsv', () => {
  it('round-trips through parseCalendarCsv, quoting labels that need it', () => {
    const rows = [
      { from: '2026-01-05', to: '2026-03-27', type: 'term' as const, label: 'Spring term, 2026' },
      { from: '2026-02-16', to: '2026-02-20', type: 'holiday' as const, label: 'Half term "Feb"' },
    ];
    const csv = calendarRowsToCsv(rows);
    expect(csv).toBe(`${H}\n2026-01-05,2026-03-27,term,"Spring term, 2026"\n2026-02-16,2026-02-20,holiday,"Half term ""Feb"""\n`);
    const back = parseCalendarCsv(csv);
    expect(back.ok && back.value.map(({ line: _line, ...r }) => r)).toEqual(rows);
  });
});

describe('splitCsvLine', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,"b,c",d', ['a', 'b,c', 'd']],
    ['a,"say ""hi""",', ['a', 'say "hi"', '']],
    ['"open', undefined],
  ])('%s', (line, fields) => expect(splitCsvLine(line)).toEqual(fields));
});
