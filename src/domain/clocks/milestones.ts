import { addDays, isIsoDate, type IsoDate } from '../dates';
import { err, ok, type Result } from '../result';
import { termWindowsOf, type TermName } from '../calendar/calendar';
import type { SchoolCalendar } from '../calendar/types';
import type { Citation } from './definitions';
import { easterSunday } from './period-math';

export const YEAR_GROUPS = [
  'pre-school', 'nursery', 'reception',
  'year-1', 'year-2', 'year-3', 'year-4', 'year-5', 'year-6', 'year-7',
  'year-8', 'year-9', 'year-10', 'year-11', 'year-12', 'year-13',
  'further-education',
] as const;
export type YearGroup = (typeof YEAR_GROUPS)[number];

export type MilestoneId =
  | 'school-entry-planning'
  | 'school-entry-review'
  | 'y5-spring-transition-review'
  | 'y6-autumn-annual-review'
  | 'y6-enhanced-transition-meetings'
  | 'y7-autumn-transition-review'
  | 'y9-annual-review-ks4-post16'
  | 'y10-autumn-annual-review'
  | 'y11-autumn-annual-review'
  | 'y11-spring-enhanced-transition-meeting'
  | 'post16-annual-review';

/** Who is invited besides the learner, their parents and the school (codes; adapters name them in either language). */
export type Participant = 'secondary-alnco' | 'careers-wales' | 'college-providers' | 'early-years-aln-team' | 'receiving-school' | 'relevant-professionals';

export type MilestoneAction =
  | 'consent-to-share-idp'
  | 'update-professional-advice'
  | 'parents-apply-for-secondary-place'
  | 'plan-enhanced-transition'
  | 'agree-transition-actions'
  | 'name-secondary-link-person'
  | 'identify-additional-support'
  | 'consider-ks4-and-post16'
  | 'signpost-post16-options'
  | 'review-independence-outcomes'
  | 'consent-to-transfer-idp'
  | 'funding-request-to-inclusion-panel'
  | 'school-entry-plan'
  | 'review-school-entry'
  | 'prepare-for-adulthood';

/** Where a window's term dates came from: the configured calendar, or the conventional terms (autumn 1 Sep–31 Dec, spring 1 Jan–Easter Sunday, summer Easter Monday–31 Aug). */
export type WindowBasis = 'calendar' | 'conventional';

export interface Milestone {
  readonly id: MilestoneId;
  readonly yearGroup: YearGroup;
  /** The calendar year the academic year starts in (1 September). */
  readonly academicYear: number;
  /** The terms the window spans; `year` = the whole academic year. */
  readonly terms: readonly (TermName | 'year')[];
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly windowBasis: WindowBasis;
  /** A fixed date the window starts on, when the policy names one (secondary places offered on 1 March). */
  readonly fixedStart?: IsoDate;
  readonly invite: readonly Participant[];
  readonly actions: readonly MilestoneAction[];
  readonly source: Citation;
}

export type MilestoneError =
  | { readonly code: 'MILESTONE.UNKNOWN_YEAR_GROUP'; readonly value: string; readonly validYearGroups: readonly YearGroup[] }
  | { readonly code: 'MILESTONE.BAD_ACADEMIC_YEAR'; readonly value: number }
  | { readonly code: 'MILESTONE.BAD_DATE'; readonly value: string };

export interface MilestoneInput {
  readonly yearGroup: string;
  /** The calendar year the academic year starts in: 2025 for 2025-26. */
  readonly academicYear: number;
  readonly calendar?: SchoolCalendar;
  /** The year group a child starts school in (default reception): School Entry Planning happens the year before, the Review in it. */
  readonly schoolEntry?: 'nursery' | 'reception';
}

const TRANSITION: Citation = { en: 'Monmouthshire ALN policy: transition timelines', cy: 'Polisi ADY Sir Fynwy: amserlenni pontio' };
const SCHOOL_ENTRY: Citation = {
  en: 'Monmouthshire SEN strategy: School Entry Planning process',
  cy: 'Strategaeth AAA Sir Fynwy: proses Cynllunio Mynediad i’r Ysgol',
};

/** The academic year (starting 1 September) a date falls in: 2026-03-10 → 2025. */
export function academicYearOf(date: IsoDate): number {
  const y = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= 9 ? y : y - 1;
}

/** The academic-year start of a date, validated (Monmouthshire ALN policy windows are per academic year). */
export function academicYearOfDate(date: string): Result<number, MilestoneError> {
  return isIsoDate(date) ? ok(academicYearOf(date)) : err({ code: 'MILESTONE.BAD_DATE', value: date });
}

type Window = { from: IsoDate; to: IsoDate };

function conventionalWindows(y: number): Record<TermName, Window> {
  const easter = easterSunday(y + 1);
  return {
    autumn: { from: `${y}-09-01`, to: `${y}-12-31` },
    spring: { from: `${y + 1}-01-01`, to: easter },
    summer: { from: addDays(easter, 1), to: `${y + 1}-08-31` },
  };
}

/** The window spanning `terms` (first term's start to last term's end), from the calendar when it has every term needed. */
function windowFor(terms: readonly TermName[], y: number, cal: SchoolCalendar | undefined): Window & { basis: WindowBasis } {
  const fromCal = cal ? termWindowsOf(cal, y) : {};
  const chosen = terms.every((t) => fromCal[t] !== undefined) ? { w: fromCal as Record<TermName, Window>, basis: 'calendar' as const } : { w: conventionalWindows(y), basis: 'conventional' as const };
  const first = chosen.w[terms[0]!];
  const last = chosen.w[terms[terms.length - 1]!];
  return { from: first.from, to: last.to, basis: chosen.basis };
}

interface Spec {
  readonly id: MilestoneId;
  readonly terms: readonly (TermName | 'year')[];
  readonly invite: readonly Participant[];
  readonly actions: readonly MilestoneAction[];
  readonly source: Citation;
  /** Month-day the window starts on instead of the term start. */
  readonly fixedStart?: string;
}

function specsFor(yearGroup: YearGroup, entry: 'nursery' | 'reception'): Spec[] {
  const before: YearGroup = entry === 'reception' ? 'nursery' : 'pre-school';
  const specs: Spec[] = [];
  if (yearGroup === before) {
    specs.push({ id: 'school-entry-planning', terms: ['spring', 'summer'], invite: ['early-years-aln-team', 'receiving-school'], actions: ['school-entry-plan'], source: SCHOOL_ENTRY });
  }
  if (yearGroup === entry) {
    specs.push({ id: 'school-entry-review', terms: ['autumn'], invite: ['early-years-aln-team'], actions: ['review-school-entry'], source: SCHOOL_ENTRY });
  }
  switch (yearGroup) {
    case 'year-5':
      specs.push({ id: 'y5-spring-transition-review', terms: ['spring'], invite: ['secondary-alnco'], actions: ['consent-to-share-idp', 'update-professional-advice'], source: TRANSITION });
      break;
    case 'year-6':
      specs.push({ id: 'y6-autumn-annual-review', terms: ['autumn'], invite: ['secondary-alnco'], actions: ['parents-apply-for-secondary-place', 'plan-enhanced-transition'], source: TRANSITION });
      specs.push({ id: 'y6-enhanced-transition-meetings', terms: ['spring'], fixedStart: '03-01', invite: ['secondary-alnco'], actions: ['agree-transition-actions', 'name-secondary-link-person'], source: TRANSITION });
      break;
    case 'year-7':
      specs.push({ id: 'y7-autumn-transition-review', terms: ['autumn'], invite: [], actions: ['identify-additional-support'], source: TRANSITION });
      break;
    case 'year-9':
      specs.push({ id: 'y9-annual-review-ks4-post16', terms: ['year'], invite: ['careers-wales'], actions: ['consider-ks4-and-post16'], source: TRANSITION });
      break;
    case 'year-10':
      specs.push({ id: 'y10-autumn-annual-review', terms: ['autumn'], invite: ['careers-wales', 'college-providers', 'relevant-professionals'], actions: ['signpost-post16-options', 'review-independence-outcomes'], source: TRANSITION });
      break;
    case 'year-11':
      specs.push({ id: 'y11-autumn-annual-review', terms: ['autumn'], invite: ['relevant-professionals'], actions: ['consent-to-transfer-idp', 'funding-request-to-inclusion-panel', 'review-independence-outcomes'], source: TRANSITION });
      specs.push({ id: 'y11-spring-enhanced-transition-meeting', terms: ['spring'], invite: ['relevant-professionals'], actions: ['plan-enhanced-transition'], source: TRANSITION });
      break;
    case 'year-12':
    case 'year-13':
    case 'further-education':
      specs.push({ id: 'post16-annual-review', terms: ['year'], invite: ['relevant-professionals'], actions: ['prepare-for-adulthood'], source: TRANSITION });
      break;
    default:
      break;
  }
  return specs;
}

/**
 * The dated transition milestones for a learner in `yearGroup` during the academic year starting 1 September `academicYear`
 * (Monmouthshire ALN policy transition timelines; School Entry Planning from the Monmouthshire SEN strategy). Term windows come
 * from the calendar when it has that year's terms, otherwise the conventional terms; each milestone says which.
 */
export function transitionMilestones(input: MilestoneInput): Result<Milestone[], MilestoneError> {
  const { yearGroup, academicYear: y, calendar } = input;
  if (!(YEAR_GROUPS as readonly string[]).includes(yearGroup)) {
    return err({ code: 'MILESTONE.UNKNOWN_YEAR_GROUP', value: yearGroup, validYearGroups: YEAR_GROUPS });
  }
  if (!Number.isInteger(y) || y < 2000 || y > 9998) return err({ code: 'MILESTONE.BAD_ACADEMIC_YEAR', value: y });
  const group = yearGroup as YearGroup;

  return ok(
    specsFor(group, input.schoolEntry ?? 'reception').map((s): Milestone => {
      const terms: readonly TermName[] = s.terms.includes('year') ? ['autumn', 'spring', 'summer'] : (s.terms as readonly TermName[]);
      const w = windowFor(terms, y, calendar);
      const fixedStart = s.fixedStart ? `${y + 1}-${s.fixedStart}` : undefined;
      const from = fixedStart ?? w.from;
      return {
        id: s.id,
        yearGroup: group,
        academicYear: y,
        terms: s.terms,
        from,
        to: w.to < from ? from : w.to,
        windowBasis: w.basis,
        ...(fixedStart ? { fixedStart } : {}),
        invite: s.invite,
        actions: s.actions,
        source: s.source,
      };
    }),
  );
}
