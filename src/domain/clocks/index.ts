export * from './definitions';
export { computeDue, settleOnWorkingDay, type ClockContext, type ClockDue, type ClockError, type ClockStep, type NonWorkingReason } from './compute';
export { reportClock, type ClockException, type ClockExceptionError, type ClockInstance, type ClockReport, type ClockStatus } from './exceptions';
export {
  englandAnnualReviewDue,
  phaseTransferAmendmentDeadline,
  type EnglandAnnualReviewDue,
  type EnglandDeadlineError,
  type PhaseTransfer,
  type PhaseTransferDeadline,
} from './england';
export * from './milestones';
export { addMonthsClamped, daysInMonth, easterSunday } from './period-math';
