import type { IsoDate } from '../dates';
import type { Country } from '../routes';

export type { Country };

/** Row types of a term-dates file: a term, a school holiday inside or between terms, an INSET (training) day. */
export const CALENDAR_ENTRY_TYPES = ['term', 'holiday', 'inset'] as const;
export type CalendarEntryType = (typeof CALENDAR_ENTRY_TYPES)[number];

/** The CSV header, exactly; ICS imports are converted to rows with these fields. */
export const CALENDAR_CSV_HEADER = 'date_from,date_to,type,label';
export const CALENDAR_CSV_FIELDS = ['date_from', 'date_to', 'type', 'label'] as const;

/** One row of a term-dates file: an inclusive date range. `line` is where it came from (CSV line or the ICS BEGIN:VEVENT line). */
export interface CalendarRow {
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly type: CalendarEntryType;
  readonly label: string;
  readonly line: number;
}

/** Which file of a calendar a row or error belongs to: the authority's term dates or a school's override file. */
export type CalendarOrigin = 'authority' | 'school';

export type CalendarErrorCode =
  // reading a CSV file
  | 'CALENDAR.MISSING_HEADER'
  | 'CALENDAR.COMMENT_NOT_ALLOWED'
  | 'CALENDAR.UNCLOSED_QUOTE'
  | 'CALENDAR.FIELD_COUNT'
  | 'CALENDAR.BAD_DATE'
  | 'CALENDAR.UNKNOWN_TYPE'
  | 'CALENDAR.DATE_ORDER'
  | 'CALENDAR.MISSING_LABEL'
  // reading an ICS file
  | 'CALENDAR.ICS_SYNTAX'
  | 'CALENDAR.ICS_NO_EVENTS'
  | 'CALENDAR.ICS_MISSING_DATE'
  | 'CALENDAR.ICS_RECURRING'
  | 'CALENDAR.ICS_UNCLASSIFIED'
  // putting the rows together
  | 'CALENDAR.NO_TERMS'
  | 'CALENDAR.OVERLAPPING_TERMS'
  | 'CALENDAR.INSET_OUTSIDE_TERM'
  | 'CALENDAR.OVERRIDE_TYPE_NOT_ALLOWED';

/** A fault in a calendar file: codes and data only; adapters word it in the user's language. */
export interface CalendarError {
  readonly code: CalendarErrorCode;
  /** 1-based line in the file; absent for faults of the whole file. */
  readonly line?: number;
  readonly field?: string;
  /** The offending text, trimmed and cut to 80 characters. */
  readonly value?: string;
  /** For ICS events: the SUMMARY of the event at fault. */
  readonly summary?: string;
  /** For faults between two rows (overlaps): the other row's line. */
  readonly otherLine?: number;
  readonly origin?: CalendarOrigin;
  /** A technical detail from a parser (e.g. ical.js), for logs. */
  readonly detail?: string;
}

/** A range of the built calendar, keeping its label and where it came from for explanations. */
export interface CalendarRange {
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly label: string;
  readonly origin: CalendarOrigin;
  readonly line: number;
}

export interface InsetDay {
  readonly date: IsoDate;
  readonly label: string;
  readonly origin: CalendarOrigin;
}

/** A validated school-day calendar for one authority (and optionally one school's INSET overrides). Build it with `buildSchoolCalendar`. */
export interface SchoolCalendar {
  readonly country: Country;
  readonly insetCountsAsSchoolDays: boolean;
  readonly schoolId?: string;
  /** Sorted by `from`; never overlapping. */
  readonly terms: readonly CalendarRange[];
  /** Sorted by `from`; may overlap each other. */
  readonly holidays: readonly CalendarRange[];
  readonly insetDays: ReadonlyMap<IsoDate, InsetDay>;
  /** The first and last dates the configuration says anything about; school days outside them are unknown. */
  readonly firstDate: IsoDate;
  readonly lastDate: IsoDate;
}

export interface BankHoliday {
  readonly date: IsoDate;
  /** English name as published (date-holidays), e.g. "Boxing Day (substitute day)". */
  readonly name: string;
  /** Stable key for translation, e.g. `boxing-day`, `early-may-bank-holiday`. */
  readonly key: string;
  readonly substitute: boolean;
}

/** What a date is for school-day counting. */
export type DayClass =
  | { readonly kind: 'not-configured' }
  | { readonly kind: 'weekend' }
  | { readonly kind: 'outside-term' }
  | { readonly kind: 'holiday'; readonly range: CalendarRange }
  | { readonly kind: 'bank-holiday'; readonly holiday: BankHoliday }
  | { readonly kind: 'inset'; readonly inset: InsetDay; readonly counted: boolean }
  | { readonly kind: 'school-day' };
