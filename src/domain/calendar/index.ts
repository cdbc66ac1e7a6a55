export * from './types';
export { parseCalendarCsv, calendarRowsToCsv, splitCsvLine } from './csv';
export { parseCalendarIcs, icsToCalendarCsv, classifyIcsSummary } from './ics';
export { bankHolidaysOf, bankHolidayOn, isWorkingDay, nonWorkingDayReason, type NonWorkingReason } from './bank-holidays';
export { buildSchoolCalendar, classifyDay, isSchoolDay, termWindowsOf, type BuildCalendarInput, type TermName } from './calendar';
