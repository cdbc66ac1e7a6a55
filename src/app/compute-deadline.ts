import { computeDue, CLOCKS, isClockId, type ClockDue, type ClockError } from '../domain/clocks';
import type { SchoolCalendar } from '../domain/calendar';
import { err, type Result } from '../domain/result';

/**
 * `/deadline`: the due date of a statutory clock from a start date, with how it was counted. School-day clocks use the
 * school's term calendar (its INSET overrides included); the others need none.
 */
export function computeDeadline(
  deps: { calendarFor(schoolId: string): SchoolCalendar | undefined },
  input: { clockId: string; start: string; schoolId?: string },
): Result<ClockDue, ClockError> {
  if (!isClockId(input.clockId)) return computeDue(input.clockId, input.start);
  if (CLOCKS[input.clockId].kind !== 'school-days') return computeDue(input.clockId, input.start);
  const calendar = input.schoolId ? deps.calendarFor(input.schoolId) : undefined;
  if (!calendar) return err({ code: 'CLOCK.NO_CALENDAR', clockId: input.clockId });
  return computeDue(input.clockId, input.start, { calendar });
}
