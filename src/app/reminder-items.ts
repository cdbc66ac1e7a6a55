import type { IsoDate } from '../domain/dates';
import type { SchoolCalendar } from '../domain/calendar';
import { learnerSubjects } from '../domain/reminders';
import type { Learner } from '../ports/learners';
import type { OpenNextStep, OpenReferralClock } from '../ports/reminders';

/** One thing someone must do by a date: an IDP review, a transition milestone, a referral's statutory date, a panel next step. */
export interface ReminderItem {
  readonly subject: string;
  readonly kind: 'idp-review' | 'milestone' | 'referral-clock' | 'next-step';
  readonly due: IsoDate;
  readonly owner: string;
  readonly schoolId?: string;
  readonly initials?: string;
  readonly learnerId?: number;
  readonly milestone?: string;
  readonly from?: IsoDate;
  readonly clockId?: string;
  readonly reference?: string;
  readonly text?: string;
}

export function learnerItems(l: Learner, today: IsoDate, calendar?: SchoolCalendar, dueBy?: IsoDate): ReminderItem[] {
  return learnerSubjects(l, today, calendar, dueBy).map((s): ReminderItem => {
    const base = { subject: s.key, due: s.due, owner: l.alncoAadId, schoolId: l.schoolId, initials: l.initials, learnerId: l.id };
    return s.kind === 'milestone' ? { ...base, kind: 'milestone', milestone: s.milestone, from: s.from } : { ...base, kind: 'idp-review' };
  });
}

export const referralItem = (r: OpenReferralClock): ReminderItem => ({
  subject: `ref:${r.reference}`, kind: 'referral-clock', due: r.due, owner: r.ownerAadId, schoolId: r.schoolId, initials: r.initials, clockId: r.clockId, reference: r.reference,
});

export const stepItem = (s: OpenNextStep): ReminderItem => ({
  subject: `step:${s.id}`, kind: 'next-step', due: s.due, owner: s.ownerAadId, reference: s.reference, text: s.text.slice(0, 300),
});
