import { addDays, londonDate, type IsoDate } from '../domain/dates';
import type { SchoolCalendar } from '../domain/calendar';
import type { Clock } from '../ports/clock';
import type { LearnerStore } from '../ports/learners';
import { stateKey, type ReminderStateStore } from '../ports/reminders';
import { learnerItems, referralItem, stepItem, type ReminderItem } from './reminder-items';

export interface ListedReminder extends ReminderItem {
  readonly overdue: boolean;
  readonly snoozedUntil?: IsoDate;
}

export interface ListRemindersDeps {
  readonly learners: LearnerStore;
  readonly reminders: ReminderStateStore;
  readonly clock: Clock;
  calendarFor(schoolId: string): SchoolCalendar | undefined;
}

/** What one person must do: overdue items and those due within `weeks`, soonest first; done items left out. */
export async function listReminders(deps: ListRemindersDeps, owner: string, weeks: number): Promise<{ overdue: ListedReminder[]; upcoming: ListedReminder[]; today: IsoDate }> {
  const today = londonDate(deps.clock.now());
  const until = addDays(today, weeks * 7);
  const states = await deps.reminders.states();
  const items: ReminderItem[] = [];
  for (const l of await deps.learners.byAlnco(owner)) items.push(...learnerItems(l, today, deps.calendarFor(l.schoolId)));
  for (const r of await deps.reminders.openReferralClocks()) if (r.ownerAadId === owner) items.push(referralItem(r));
  for (const s of await deps.reminders.openNextSteps()) if (s.ownerAadId === owner) items.push(stepItem(s));
  const listed: ListedReminder[] = [];
  for (const i of items) {
    const st = states.get(stateKey(i.subject, i.due));
    if (st?.doneAt || i.due > until) continue;
    listed.push({ ...i, overdue: i.due < today, ...(st?.snoozedUntil && st.snoozedUntil > today ? { snoozedUntil: st.snoozedUntil } : {}) });
  }
  listed.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.subject.localeCompare(b.subject)));
  return { overdue: listed.filter((i) => i.overdue), upcoming: listed.filter((i) => !i.overdue), today };
}
