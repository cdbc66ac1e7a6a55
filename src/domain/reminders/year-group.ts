import type { IsoDate } from '../dates';
import { academicYearOf, YEAR_GROUPS, type YearGroup } from '../clocks/milestones';

/**
 * The learner's year group today, from the year group recorded and the academic year it was recorded in: learners move
 * up on 1 September, so rows are never rewritten each year. Past the last year group a learner stays in further education.
 */
export function currentYearGroup(recorded: YearGroup, recordedAcademicYear: number, today: IsoDate): YearGroup {
  const moved = academicYearOf(today) - recordedAcademicYear;
  const i = YEAR_GROUPS.indexOf(recorded);
  if (moved <= 0) return recorded;
  return YEAR_GROUPS[Math.min(YEAR_GROUPS.length - 1, i + moved)]!;
}
