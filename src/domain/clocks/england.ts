import { isIsoDate, type IsoDate } from '../dates';
import { err, ok, type Result } from '../result';
import { settleOnWorkingDay, type ClockStep } from './compute';
import type { Citation } from './definitions';
import { addMonthsClamped } from './period-math';

/** A transfer between phases: to a new school (e.g. primary → secondary) or from secondary school to a post-16 institution. */
export type PhaseTransfer = 'school' | 'post-16';

export interface PhaseTransferDeadline {
  readonly rule: 'england-phase-transfer-amendment';
  readonly transfer: PhaseTransfer;
  readonly transferYear: number;
  readonly due: IsoDate;
  readonly citation: Citation;
}

export type EnglandDeadlineError =
  | { readonly code: 'CLOCK.BAD_YEAR'; readonly value: number }
  | { readonly code: 'CLOCK.BAD_DATE'; readonly value: string };

/**
 * The date by which an EHC plan must be reviewed and amended for a phase transfer in `transferYear` (the calendar year
 * the learner moves, usually in September): 15 February, or 31 March for the move to post-16 (SEND Regulations 2014 reg. 18).
 */
export function phaseTransferAmendmentDeadline(transferYear: number, transfer: PhaseTransfer): Result<PhaseTransferDeadline, EnglandDeadlineError> {
  if (!Number.isInteger(transferYear) || transferYear < 2015 || transferYear > 9999) return err({ code: 'CLOCK.BAD_YEAR', value: transferYear });
  return ok({
    rule: 'england-phase-transfer-amendment',
    transfer,
    transferYear,
    due: `${transferYear}-${transfer === 'school' ? '02-15' : '03-31'}`,
    citation: { en: 'SEND Regulations 2014 reg. 18', cy: 'Rheoliadau AAA ac Anabledd 2014 rhl. 18' },
  });
}

export interface EnglandAnnualReviewDue {
  readonly rule: 'england-annual-review-12m';
  readonly start: IsoDate;
  readonly due: IsoDate;
  readonly citation: Citation;
  readonly steps: readonly ClockStep[];
}

/**
 * England: an EHC plan is reviewed within 12 months of the plan being made or of the date its last review concluded
 * (Children and Families Act 2014 s.44(1)). Same day of the month a year later, 29 February → 28 February; no roll-forward.
 */
export function englandAnnualReviewDue(planMadeOrReviewConcluded: string): Result<EnglandAnnualReviewDue, EnglandDeadlineError> {
  if (!isIsoDate(planMadeOrReviewConcluded)) return err({ code: 'CLOCK.BAD_DATE', value: planMadeOrReviewConcluded });
  const start = planMadeOrReviewConcluded;
  const added = addMonthsClamped(start, 12);
  const steps: ClockStep[] = [{ code: 'ADDED_MONTHS', n: 12, from: start, to: added.date }];
  if (added.clamped) steps.push({ code: 'MONTH_END_CLAMPED', ...added.wanted, to: added.date });
  const due = settleOnWorkingDay('england', false, added.date, steps);
  steps.push({ code: 'DUE', date: due });
  return ok({
    rule: 'england-annual-review-12m',
    start,
    due,
    citation: { en: 'Children and Families Act 2014 s.44(1)', cy: 'Deddf Plant a Theuluoedd 2014 a.44(1)' },
    steps,
  });
}
