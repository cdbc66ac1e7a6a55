import { z } from 'zod';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Actor } from '../../../app/actor';
import { completeReminder, snoozeReminder, type ReminderActionDeps, type ReminderActionError } from '../../../app/complete-reminder';
import type { RenderedMessage } from '../../../app/deliver-outbox';
import { listReminders, type ListRemindersDeps, type ListedReminder } from '../../../app/list-reviews';
import type { ReminderItem } from '../../../app/reminder-items';
import { addDays, londonDate } from '../../../domain/dates';
import { idpReviewDue } from '../../../domain/reminders';
import { has, strings, t, type Language } from '../../../i18n';
import type { Directory } from '../../../ports/directory';
import type { OutboxMessage } from '../../../ports/outbox';
import type { ReminderStateStore } from '../../../ports/reminders';
import { formatDate, noticeCard } from '../../cards/cards';
import { renderCard, type Card } from '../../cards/render';
import { actorOf, isPersonal, languageOf, sendCard, type BotDeps, type Feature } from '../context';
import { VERBS } from '../verbs';

export type RemindersFeatureDeps = ListRemindersDeps & ReminderActionDeps & { readonly reminders: ReminderStateStore };

/** The words of one reminder in the user's language (school by name, milestone and clock by their codes). */
export function itemText(language: Language, directory: Directory, i: ReminderItem): string {
  const date = formatDate(i.due, language);
  const school = i.schoolId ? (directory.school(i.schoolId)?.name[language] ?? i.schoolId) : '';
  switch (i.kind) {
    case 'idp-review':
      return t(language, 'reminders.idp-review', { initials: i.initials ?? '', school, date });
    case 'milestone':
      return t(language, 'reminders.milestone', { milestone: has(language, `milestones.${i.milestone}`) ? t(language, `milestones.${i.milestone}`) : String(i.milestone), initials: i.initials ?? '', school, from: formatDate(i.from ?? i.due, language), date });
    case 'referral-clock':
      return t(language, 'reminders.referral-clock', { clock: has(language, `clocks.${i.clockId}`) ? t(language, `clocks.${i.clockId}`) : String(i.clockId), reference: i.reference ?? '', initials: i.initials ?? '', date });
    case 'next-step':
      return t(language, 'reminders.next-step', { reference: i.reference ?? '', text: i.text ?? '', date });
  }
}

function leadText(language: Language, lead: string | undefined): { text: string; color: string } {
  if (!lead) return { text: '', color: 'Default' };
  const before = /^sd-(\d+)$/.exec(lead);
  if (before) return { text: t(language, 'reminders.leadBefore', { n: Number(before[1]) }), color: 'Default' };
  const late = /^late-w(\d+)$/.exec(lead);
  if (late) return { text: t(language, 'reminders.leadOverdue', { n: Number(late[1]) }), color: 'Attention' };
  return { text: t(language, 'reminders.leadDay'), color: 'Warning' };
}

export function reminderCard(language: Language, directory: Directory, item: ReminderItem & { lead?: string }, today: string, notice?: { text: string; color: string }): Card {
  const lead = leadText(language, item.lead);
  return renderCard('reminder', {
    t: strings(language),
    text: itemText(language, directory, item),
    leadText: lead.text,
    leadColor: lead.color,
    notice: notice?.text ?? '',
    noticeColor: notice?.color ?? 'Default',
    isReview: item.kind === 'idp-review',
    today,
    tomorrow: addDays(today, 1),
    subject: item.subject,
    due: item.due,
  });
}

const itemSchema = z.object({
  subject: z.string().max(200), kind: z.enum(['idp-review', 'milestone', 'referral-clock', 'next-step']), due: z.string().max(10), owner: z.string().max(64),
  schoolId: z.string().optional(), initials: z.string().optional(), learnerId: z.number().optional(), milestone: z.string().optional(), from: z.string().optional(),
  clockId: z.string().optional(), reference: z.string().optional(), text: z.string().optional(), lead: z.string().optional(),
});
const digestSchema = z.object({ items: z.array(itemSchema.extend({ overdue: z.boolean().optional() })), total: z.number(), today: z.string() });

/** Render queued reminder messages at send time, in the recipient's language. Undefined for templates that are not ours. */
export function renderReminderMessage(directory: Directory, clock: { now(): Date }) {
  return (message: OutboxMessage, language: Language | 'bilingual'): RenderedMessage | undefined => {
    const lang: Language = language === 'bilingual' ? 'cy' : language;
    if (message.payload.template === 'reminder') {
      const item = itemSchema.parse(message.payload.data) as ReminderItem & { lead?: string };
      return { card: reminderCard(lang, directory, item, londonDate(clock.now())), summary: t(lang, 'reminders.title') };
    }
    if (message.payload.template === 'reminder-digest') {
      const d = digestSchema.parse(message.payload.data);
      const card = renderCard('reminder-digest', {
        title: t(lang, 'reminders.digestTitle'),
        lines: d.items.map((i) => ({ text: itemText(lang, directory, i as ReminderItem), color: i.due < d.today ? 'Attention' : 'Default' })),
        more: d.total > d.items.length ? t(lang, 'reminders.digestMore', { n: d.total - d.items.length }) : '',
      });
      return { card, summary: t(lang, 'reminders.digestTitle') };
    }
    return undefined;
  };
}

const refSchema = z.object({ subject: z.string().min(3).max(200), due: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });
const actionSchema = refSchema.extend({ newIssueDate: z.string().max(20).optional(), snoozeUntil: z.string().max(20).optional(), snoozeReason: z.string().max(2000).optional() });

/** /reviews (/adolygiadau): what is overdue and due soon, each with Done and Snooze; `/reviews digest on|off`. */
export function reviewsFeature(deps: BotDeps, own: RemindersFeatureDeps): Feature {
  const problem = (language: Language, e: ReminderActionError): string =>
    t(language, { 'REMINDER.NOT_FOUND': 'reminders.notFound', 'REMINDER.NOT_YOURS': 'reminders.notYours', 'REMINDER.ISSUE_DATE_REQUIRED': 'reminders.issueDateRequired', 'REMINDER.BAD_DATE': 'reminders.badDate', 'REMINDER.REASON_REQUIRED': 'reminders.reasonRequired' }[e.code]);

  const listCard = async (language: Language, actor: Actor, weeks: number): Promise<Card> => {
    const list = await listReminders(own, actor.aadObjectId, weeks);
    const row = (i: ListedReminder) => ({
      text: itemText(language, deps.directory, i) + (i.snoozedUntil ? ` (${t(language, 'reminders.snoozed', { date: formatDate(i.snoozedUntil, language) })})` : ''),
      subject: i.subject, due: i.due, open: t(language, 'reviews.open'),
    });
    const sections = [
      ...(list.overdue.length > 0 ? [{ heading: t(language, 'reviews.overdue'), color: 'Attention', items: list.overdue.slice(0, 15).map(row) }] : []),
      ...(list.upcoming.length > 0 ? [{ heading: t(language, 'reviews.upcoming'), color: 'Default', items: list.upcoming.slice(0, 15).map(row) }] : []),
    ];
    return renderCard('reviews', {
      title: t(language, 'reviews.title'),
      intro: sections.length > 0 ? t(language, 'reviews.window', { weeks }) : t(language, 'reviews.none', { weeks }),
      sections,
    });
  };

  const findItem = async (actor: Actor, subject: string, due: string): Promise<ListedReminder | undefined> => {
    const list = await listReminders(own, actor.aadObjectId, 520);
    return [...list.overdue, ...list.upcoming].find((i) => i.subject === subject && i.due === due);
  };

  return {
    commands: {
      reviews: async (context, { actor, language, args }) => {
        if (!isPersonal(context)) return void (await context.sendActivity(t(language, 'refer.personalOnly')));
        if (args[0]?.toLowerCase() === 'digest') {
          const on = !/^(off|diffodd|na|no)$/i.test(args[1] ?? 'on');
          await own.reminders.setDigest(actor.aadObjectId, on);
          return void (await context.sendActivity(t(language, on ? 'reviews.digestOn' : 'reviews.digestOff')));
        }
        const n = Number(args[0]);
        const weeks = Number.isInteger(n) && n >= 1 && n <= 52 ? n : 6;
        await sendCard(context, await listCard(language, actor, weeks));
      },
    },
    register(app: Application<TurnState>) {
      app.adaptiveCards.actionExecute(VERBS.reminderOpen, async (context, _state, data) => {
        const language = await languageOf(deps, context);
        const parsed = refSchema.safeParse(data);
        const item = parsed.success ? await findItem(actorOf(context), parsed.data.subject, parsed.data.due) : undefined;
        if (!item) return noticeCard(t(language, 'reminders.notFound'), { color: 'Warning' });
        return reminderCard(language, deps.directory, item, londonDate(deps.clock.now()));
      });
      app.adaptiveCards.actionExecute(VERBS.reminderDone, async (context, _state, data) => {
        const actor = actorOf(context);
        const language = await languageOf(deps, context);
        const parsed = actionSchema.safeParse(data);
        if (!parsed.success) return noticeCard(t(language, 'reminders.notFound'), { color: 'Warning' });
        const { subject, due, newIssueDate } = parsed.data;
        const done = await completeReminder(own, actor, { subject, due, ...(newIssueDate ? { newIssueDate: newIssueDate.trim() } : {}) });
        if (!done.ok) {
          const item = await findItem(actor, subject, due);
          return item ? reminderCard(language, deps.directory, item, londonDate(deps.clock.now()), { text: problem(language, done.error), color: 'Attention' }) : noticeCard(problem(language, done.error), { color: 'Warning' });
        }
        const issued = done.value.newIssueDate;
        const nextDue = issued ? idpReviewDue(issued) : undefined;
        return noticeCard(issued && nextDue ? t(language, 'reminders.doneReview', { date: formatDate(issued, language), due: formatDate(nextDue, language) }) : t(language, 'reminders.doneRecorded'), { color: 'Good' });
      });
      app.adaptiveCards.actionExecute(VERBS.reminderSnooze, async (context, _state, data) => {
        const actor = actorOf(context);
        const language = await languageOf(deps, context);
        const parsed = actionSchema.safeParse(data);
        if (!parsed.success) return noticeCard(t(language, 'reminders.notFound'), { color: 'Warning' });
        const { subject, due } = parsed.data;
        const snoozed = await snoozeReminder(own, actor, { subject, due, until: (parsed.data.snoozeUntil ?? '').trim(), reason: parsed.data.snoozeReason ?? '' });
        if (!snoozed.ok) {
          const item = await findItem(actor, subject, due);
          return item ? reminderCard(language, deps.directory, item, londonDate(deps.clock.now()), { text: problem(language, snoozed.error), color: 'Attention' }) : noticeCard(problem(language, snoozed.error), { color: 'Warning' });
        }
        return noticeCard(t(language, 'reminders.snoozedRecorded', { date: formatDate(snoozed.value.until, language) }), { color: 'Good' });
      });
    },
  };
}
