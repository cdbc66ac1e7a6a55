import type { IsoDate } from '../dates';
import { computeDue } from '../clocks/compute';
import { transitionMilestones, academicYearOf, type MilestoneId, type YearGroup } from '../clocks/milestones';
import type { SchoolCalendar } from '../calendar/types';
import { currentYearGroup } from './year-group';

/** What a reminder is about. The key is stable across sweeps; with the due date and lead it makes the idempotency key. */
export type ReminderSubject =
  | { readonly kind: 'idp-review'; readonly key: string; readonly learnerId: number; readonly schoolId: string; readonly initials: string; readonly due: IsoDate }
  | { readonly kind: 'milestone'; readonly key: string; readonly learnerId: number; readonly schoolId: string; readonly initials: string; readonly milestone: MilestoneId; readonly from: IsoDate; readonly due: IsoDate }
  | { readonly kind: 'referral-clock'; readonly key: string; readonly reference: string; readonly schoolId: string; readonly initials: string; readonly clockId: string; readonly due: IsoDate }
  | { readonly kind: 'next-step'; readonly key: string; readonly stepId: string; readonly reference: string; readonly text: string; readonly due: IsoDate };

export interface LearnerForReminders {
  readonly id: number;
  readonly schoolId: string;
  readonly initials: string;
  readonly yearGroup: YearGroup;
  readonly yearGroupAcademicYear: number;
  readonly idpIssuedOn?: IsoDate;
}

const dueMemo = new Map<IsoDate, IsoDate | undefined>();

/** The IDP review due date: 12 months from the issue or last revision (ALNET Act 2018 s.23(2)–(3)). Memoised by date. */
export function idpReviewDue(issuedOn: IsoDate): IsoDate | undefined {
  if (dueMemo.has(issuedOn)) return dueMemo.get(issuedOn);
  const r = computeDue('idp-review-12m', issuedOn);
  const due = r.ok ? r.value.due : undefined;
  if (dueMemo.size > 50_000) dueMemo.clear();
  dueMemo.set(issuedOn, due);
  return due;
}

const milestoneMemo = new Map<string, { id: MilestoneId; from: IsoDate; to: IsoDate }[]>();

/** A learner's reminder subjects today: the IDP review and this academic year's transition milestones (Monmouthshire ALN policy); only those due by `dueBy` when given. */
export function learnerSubjects(l: LearnerForReminders, today: IsoDate, calendar?: SchoolCalendar, dueBy?: IsoDate): ReminderSubject[] {
  const out: ReminderSubject[] = [];
  if (l.idpIssuedOn) {
    const due = idpReviewDue(l.idpIssuedOn);
    if (due && (dueBy === undefined || due <= dueBy)) out.push({ kind: 'idp-review', key: `idp:${l.id}`, learnerId: l.id, schoolId: l.schoolId, initials: l.initials, due });
  }
  const year = currentYearGroup(l.yearGroup, l.yearGroupAcademicYear, today);
  const ay = academicYearOf(today);
  const memoKey = `${l.schoolId}|${year}|${ay}`;
  let ms = milestoneMemo.get(memoKey);
  if (!ms) {
    const r = transitionMilestones({ yearGroup: year, academicYear: ay, ...(calendar ? { calendar } : {}) });
    ms = r.ok ? r.value.map((m) => ({ id: m.id, from: m.from, to: m.to })) : [];
    milestoneMemo.set(memoKey, ms);
  }
  for (const m of ms) {
    if (dueBy !== undefined && m.to > dueBy) continue;
    out.push({ kind: 'milestone', key: `ms:${l.id}:${m.id}:${ay}`, learnerId: l.id, schoolId: l.schoolId, initials: l.initials, milestone: m.id, from: m.from, due: m.to });
  }
  return out;
}
