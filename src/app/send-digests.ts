import { addDays, londonDate } from '../domain/dates';
import type { Clock } from '../ports/clock';
import type { EpDirectory } from '../ports/ep-directory';
import type { NewOutboxMessage, OutboxStore } from '../ports/outbox';
import type { ReferralFeed } from '../ports/referral-feed';
import { listReminders, type ListRemindersDeps } from './list-reviews';

/** Weekly digest for users who chose it: what is overdue and due in the next two weeks, in one message (nothing if nothing). */
export async function sendReminderDigests(deps: ListRemindersDeps & { outbox: OutboxStore }): Promise<number> {
  const today = londonDate(deps.clock.now());
  const messages: NewOutboxMessage[] = [];
  for (const user of await deps.reminders.digestUsers()) {
    const list = await listReminders(deps, user, 2);
    const items = [...list.overdue, ...list.upcoming].filter((i) => !i.snoozedUntil);
    if (items.length === 0) continue;
    messages.push({ key: `reminder-digest:${user}:${today}`, target: { kind: 'user', aadObjectId: user }, payload: { template: 'reminder-digest', data: { items: items.slice(0, 30), total: items.length, today } } });
  }
  if (messages.length > 0) await deps.outbox.enqueue(messages, deps.clock.now());
  return messages.length;
}

/** Monday 08:00: each EP gets the week's Early Help Panel referrals for their link schools, or nothing if none. */
export async function sendEpDigests(deps: { eps: EpDirectory; epIds: readonly string[]; referrals: ReferralFeed; outbox: OutboxStore; clock: Clock }): Promise<number> {
  const now = deps.clock.now();
  const today = londonDate(now);
  const since = `${addDays(today, -7)}T00:00:00.000Z`;
  const recent = await deps.referrals.referralsSince('early-help-panel', since);
  const messages: NewOutboxMessage[] = [];
  for (const ep of deps.epIds) {
    const schools = new Set(await deps.eps.schoolsOf(ep));
    const mine = recent.filter((r) => schools.has(r.schoolId));
    if (mine.length === 0) continue;
    messages.push({ key: `ep-digest:${ep}:${today}`, target: { kind: 'user', aadObjectId: ep }, payload: { template: 'ep-digest', data: { items: mine.slice(0, 40), total: mine.length, today } } });
  }
  if (messages.length > 0) await deps.outbox.enqueue(messages, now);
  return messages.length;
}
