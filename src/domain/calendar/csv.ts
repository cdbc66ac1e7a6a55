import { z } from 'zod';
import { isIsoDate } from '../dates';
import { err, ok, type Result } from '../result';
import {
  CALENDAR_CSV_FIELDS,
  CALENDAR_CSV_HEADER,
  CALENDAR_ENTRY_TYPES,
  type CalendarError,
  type CalendarErrorCode,
  type CalendarRow,
} from './types';

const isoDate = z.string().trim().refine(isIsoDate);

/** One CSV record of a term-dates file; `type` is accepted in any case and stored lower-case. */
const CalendarCsvRecord = z.object({
  date_from: isoDate,
  date_to: isoDate,
  type: z.string().trim().toLowerCase().pipe(z.enum(CALENDAR_ENTRY_TYPES)),
  label: z.string().trim().min(1),
});

const FIELD_CODE: Record<(typeof CALENDAR_CSV_FIELDS)[number], CalendarErrorCode> = {
  date_from: 'CALENDAR.BAD_DATE',
  date_to: 'CALENDAR.BAD_DATE',
  type: 'CALENDAR.UNKNOWN_TYPE',
  label: 'CALENDAR.MISSING_LABEL',
};

const clip = (s: string): string => {
  const t = s.trim();
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
};

/** Splits one CSV line into fields (RFC 4180 quoting, no line breaks inside quotes); `undefined` when a quote is left open. */
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) return undefined;
  fields.push(cur);
  return fields;
}

const normaliseHeader = (line: string): string => line.replace(/\s+/g, '').toLowerCase();

/**
 * Parses a term-dates CSV (`date_from,date_to,type,label`, inclusive YYYY-MM-DD dates) into rows.
 * Every fault is reported with its line; any fault means no rows at all (a half-read calendar is never used).
 * Rule source: DOMAIN.md "School days" — term dates are configuration, not code.
 */
export function parseCalendarCsv(text: string): Result<CalendarRow[], CalendarError[]> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const errors: CalendarError[] = [];
  const rows: CalendarRow[] = [];

  const headerLine = lines[0] ?? '';
  let firstDataIndex = 1;
  if (normaliseHeader(headerLine) !== CALENDAR_CSV_HEADER) {
    errors.push({ code: 'CALENDAR.MISSING_HEADER', line: 1, field: 'header', value: clip(headerLine) });
    // A file that starts straight with data still gets its first line checked, so every fault is listed at once.
    if (/^\s*"?\d{4}-/.test(headerLine)) firstDataIndex = 0;
  }

  for (let i = firstDataIndex; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    if (raw.trim() === '') continue;
    if (raw.trimStart().startsWith('#')) {
      errors.push({ code: 'CALENDAR.COMMENT_NOT_ALLOWED', line, value: clip(raw) });
      continue;
    }
    const fields = splitCsvLine(raw);
    if (!fields) {
      errors.push({ code: 'CALENDAR.UNCLOSED_QUOTE', line, value: clip(raw) });
      continue;
    }
    if (fields.length !== CALENDAR_CSV_FIELDS.length) {
      errors.push({ code: 'CALENDAR.FIELD_COUNT', line, value: String(fields.length) });
      continue;
    }
    const record = Object.fromEntries(CALENDAR_CSV_FIELDS.map((f, k) => [f, fields[k]!]));
    const parsed = CalendarCsvRecord.safeParse(record);
    if (!parsed.success) {
      const seen = new Set<string>();
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0]) as (typeof CALENDAR_CSV_FIELDS)[number];
        if (seen.has(field)) continue;
        seen.add(field);
        errors.push({ code: FIELD_CODE[field], line, field, value: clip(record[field] ?? '') });
      }
      continue;
    }
    const { date_from, date_to, type, label } = parsed.data;
    if (date_to < date_from) {
      errors.push({ code: 'CALENDAR.DATE_ORDER', line, field: 'date_to', value: `${date_from} > ${date_to}` });
      continue;
    }
    rows.push({ from: date_from, to: date_to, type, label, line });
  }
  return errors.length > 0 ? err(errors) : ok(rows);
}

const quoteIfNeeded = (s: string): string => (/[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s);

/** Writes rows in the CSV format `parseCalendarCsv` reads (e.g. to keep an ICS import as reviewable configuration). */
export function calendarRowsToCsv(rows: readonly Pick<CalendarRow, 'from' | 'to' | 'type' | 'label'>[]): string {
  const body = rows.map((r) => [r.from, r.to, r.type, quoteIfNeeded(r.label)].join(','));
  return [CALENDAR_CSV_HEADER, ...body].join('\n') + '\n';
}
