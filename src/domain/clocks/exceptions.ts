import { isIsoDate, toUtcDate, type IsoDate } from '../dates';
import { err, ok, type Result } from '../result';
import { CLOCK_IDS, CLOCKS, isClockId, type Citation, type ClockId } from './definitions';

/** Why a statutory date could not be met (e.g. waiting for health advice), who recorded it and when (an ISO instant). */
export interface ClockException {
  readonly reason: string;
  readonly recordedBy: string;
  readonly recordedAt: string;
}

/** A started clock as stored: its due date as computed, and the exceptions recorded against it. */
export interface ClockInstance {
  readonly clockId: string;
  readonly start: IsoDate;
  readonly due: IsoDate;
  readonly exceptions: readonly ClockException[];
}

export type ClockStatus = 'open' | 'due-today' | 'overdue' | 'overdue-exception-recorded';

export interface ClockReport {
  readonly clockId: ClockId;
  readonly start: IsoDate;
  /** Always the computed statutory date: an exception never moves it. */
  readonly due: IsoDate;
  readonly citation: Citation;
  readonly exceptions: readonly ClockException[];
  readonly hasExceptions: boolean;
  /** Present when `asOf` was given. */
  readonly status?: ClockStatus;
  readonly daysOverdue?: number;
}

export type ClockExceptionError =
  | { readonly code: 'CLOCK.UNKNOWN'; readonly clockId: string; readonly validIds: readonly ClockId[] }
  | { readonly code: 'CLOCK.BAD_DATE'; readonly field: 'start' | 'due' | 'asOf'; readonly value: string }
  | { readonly code: 'CLOCK.EXCEPTION_INVALID'; readonly index: number; readonly field: keyof ClockException; readonly value: string }
  | { readonly code: 'CLOCK.EXCEPTION_NOT_ALLOWED'; readonly clockId: ClockId };

// An instant with a time zone (Z or an offset), as `Date.prototype.toISOString` and Graph write them.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const daysBetween = (a: IsoDate, b: IsoDate): number => Math.round((toUtcDate(b).getTime() - toUtcDate(a).getTime()) / 86_400_000);

/**
 * Reports a clock with its exceptions: the due date stays as computed and the exceptions are listed beside it, so a missed
 * date is visible with its recorded reason instead of silently moved (ALN Code 2021 time-limit exceptions; SEND Regulations
 * 2014 reg. 13(3)). Exceptions are refused on clocks whose law allows none.
 */
export function reportClock(instance: ClockInstance, asOf?: IsoDate): Result<ClockReport, ClockExceptionError> {
  const { clockId } = instance;
  if (!isClockId(clockId)) return err({ code: 'CLOCK.UNKNOWN', clockId, validIds: CLOCK_IDS });
  if (!isIsoDate(instance.start)) return err({ code: 'CLOCK.BAD_DATE', field: 'start', value: instance.start });
  if (!isIsoDate(instance.due)) return err({ code: 'CLOCK.BAD_DATE', field: 'due', value: instance.due });
  if (asOf !== undefined && !isIsoDate(asOf)) return err({ code: 'CLOCK.BAD_DATE', field: 'asOf', value: asOf });
  const def = CLOCKS[clockId];
  if (instance.exceptions.length > 0 && !def.exceptionsAllowed) return err({ code: 'CLOCK.EXCEPTION_NOT_ALLOWED', clockId });

  for (const [index, e] of instance.exceptions.entries()) {
    if (e.reason.trim() === '') return err({ code: 'CLOCK.EXCEPTION_INVALID', index, field: 'reason', value: e.reason });
    if (e.recordedBy.trim() === '') return err({ code: 'CLOCK.EXCEPTION_INVALID', index, field: 'recordedBy', value: e.recordedBy });
    if (!ISO_INSTANT.test(e.recordedAt) || Number.isNaN(Date.parse(e.recordedAt))) {
      return err({ code: 'CLOCK.EXCEPTION_INVALID', index, field: 'recordedAt', value: e.recordedAt });
    }
  }

  const hasExceptions = instance.exceptions.length > 0;
  let status: ClockStatus | undefined;
  let daysOverdue: number | undefined;
  if (asOf !== undefined) {
    const late = daysBetween(instance.due, asOf);
    status = late < 0 ? 'open' : late === 0 ? 'due-today' : hasExceptions ? 'overdue-exception-recorded' : 'overdue';
    if (late > 0) daysOverdue = late;
  }
  return ok({
    clockId,
    start: instance.start,
    due: instance.due,
    citation: def.citation,
    exceptions: instance.exceptions,
    hasExceptions,
    ...(status !== undefined ? { status } : {}),
    ...(daysOverdue !== undefined ? { daysOverdue } : {}),
  });
}
