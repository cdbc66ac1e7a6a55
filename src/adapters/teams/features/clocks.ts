import { z } from 'zod';
import type { TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { computeDeadline } from '../../../app/compute-deadline';
import type { SchoolCalendar } from '../../../domain/calendar';
import { CLOCK_IDS, CLOCKS, type ClockError, type ClockStep } from '../../../domain/clocks';
import { londonDate } from '../../../domain/dates';
import { has, strings, t, type Language } from '../../../i18n';
import { formatDate } from '../../cards/cards';
import { renderCard, type Card } from '../../cards/render';
import { actorOf, languageOf, sendCard, type BotDeps, type Feature } from '../context';
import { VERBS } from '../verbs';

export interface ClocksFeatureDeps {
  calendarFor(schoolId: string): SchoolCalendar | undefined;
}

/** One step of how a due date was counted, in the user's language (bank holidays by their stable key). */
export function stepLine(language: Language, step: ClockStep): string {
  const d = (iso: string) => formatDate(iso, language);
  switch (step.code) {
    case 'STARTED':
      return t(language, 'clockSteps.STARTED', { date: d(step.date), event: t(language, `startEvents.${step.event}`) });
    case 'SKIPPED_HOLIDAY':
      return t(language, 'clockSteps.SKIPPED_HOLIDAY', { label: step.label, from: d(step.from), to: d(step.to) });
    case 'SKIPPED_OUTSIDE_TERM':
      return t(language, 'clockSteps.SKIPPED_OUTSIDE_TERM', { from: d(step.from), to: d(step.to) });
    case 'SKIPPED_BANK_HOLIDAY':
      return t(language, 'clockSteps.SKIPPED_BANK_HOLIDAY', { date: d(step.date), name: has(language, `bankHolidays.${step.key}`) ? t(language, `bankHolidays.${step.key}`) : step.name });
    case 'SKIPPED_INSET':
    case 'COUNTED_INSET':
      return t(language, `clockSteps.${step.code}`, { date: d(step.date), label: step.label });
    case 'SCHOOL_DAYS_COUNTED':
      return t(language, 'clockSteps.SCHOOL_DAYS_COUNTED', { n: step.n, from: d(step.from), to: d(step.to) });
    case 'ADDED_DAYS':
      return t(language, step.startDayCounts ? 'clockSteps.ADDED_DAYS_START' : 'clockSteps.ADDED_DAYS', { n: step.n, from: d(step.from), to: d(step.to) });
    case 'ADDED_WEEKS':
    case 'ADDED_MONTHS':
      return t(language, `clockSteps.${step.code}`, { n: step.n, from: d(step.from), to: d(step.to) });
    case 'MONTH_END_CLAMPED':
      return t(language, 'clockSteps.MONTH_END_CLAMPED', { day: step.day, to: d(step.to) });
    case 'ROLLED_FORWARD':
      return t(language, 'clockSteps.ROLLED_FORWARD', { from: d(step.from), to: d(step.to), reason: t(language, `clockSteps.${step.reason}`) });
    case 'NOT_ROLLED_FORWARD':
      return t(language, 'clockSteps.NOT_ROLLED_FORWARD', { date: d(step.date), reason: t(language, `clockSteps.${step.reason}`) });
    case 'DUE':
      return t(language, 'clockSteps.DUE', { date: d(step.date) });
  }
}

export function clockProblem(language: Language, e: ClockError): string {
  switch (e.code) {
    case 'CLOCK.BEYOND_CALENDAR':
      return t(language, 'deadline.beyondCalendar', { date: formatDate(e.lastConfiguredDate, language), counted: e.counted, needed: e.needed });
    case 'CLOCK.BEFORE_CALENDAR':
      return t(language, 'deadline.beforeCalendar', { date: formatDate(e.firstConfiguredDate, language) });
    case 'CLOCK.NO_CALENDAR':
      return t(language, 'deadline.noCalendar');
    case 'CLOCK.BAD_DATE':
      return t(language, 'deadline.badDate');
    case 'CLOCK.COUNTRY_MISMATCH':
      return t(language, 'deadline.countryMismatch');
    default:
      return t(language, 'deadline.unknownClock');
  }
}

const computeSchema = z.object({
  clockId: z.string().max(40).default(''),
  start: z.string().max(20).default(''),
  schoolId: z.string().max(64).optional(),
});

/** /deadline (/terfyn): pick a clock, a start date and (for school-day clocks) the school; answer with the date, the rule and how it was counted. */
export function clocksFeature(deps: BotDeps, own: ClocksFeatureDeps): Feature {
  const country = deps.directory.authority().country;
  const clockIds = CLOCK_IDS.filter((id) => CLOCKS[id].country === country);

  const form = (language: Language, aadObjectId: string, values: { clockId?: string; start?: string; schoolId?: string }, formError = ''): Card => {
    const mine = deps.directory.schoolsFor(aadObjectId);
    const schools = mine.length > 0 ? mine : deps.directory.schools();
    return renderCard('deadline-form', {
      t: strings(language),
      formError,
      values: { clockId: values.clockId ?? clockIds[0] ?? '', start: values.start ?? londonDate(deps.clock.now()), schoolId: values.schoolId ?? (schools.length === 1 ? schools[0]!.id : '') },
      clocks: clockIds.map((id) => ({ id, title: t(language, `clocks.${id}`) })),
      schools: schools.map((s) => ({ id: s.id, title: s.name[language] })),
    });
  };

  const answer = (language: Language, aadObjectId: string, data: unknown): Card => {
    const parsed = computeSchema.safeParse(data);
    if (!parsed.success) return form(language, aadObjectId, {}, t(language, 'deadline.unknownClock'));
    const input = { clockId: parsed.data.clockId, start: parsed.data.start.trim(), ...(parsed.data.schoolId ? { schoolId: parsed.data.schoolId } : {}) };
    const result = computeDeadline(own, input);
    if (!result.ok && result.error.code !== 'CLOCK.BEYOND_CALENDAR' && result.error.code !== 'CLOCK.BEFORE_CALENDAR') {
      return form(language, aadObjectId, input, clockProblem(language, result.error));
    }
    const clock = has(language, `clocks.${input.clockId}`) ? t(language, `clocks.${input.clockId}`) : input.clockId;
    if (!result.ok) return renderCard('deadline-answer', { t: strings(language), clock, clockId: input.clockId, problem: clockProblem(language, result.error), due: '', steps: [] });
    const due = result.value;
    return renderCard('deadline-answer', {
      t: strings(language),
      clock,
      clockId: due.clockId,
      problem: '',
      due: formatDate(due.due, language),
      started: formatDate(due.start, language),
      citation: due.citation[language],
      steps: due.steps.map((s) => ({ line: stepLine(language, s) })),
    });
  };

  return {
    commands: {
      deadline: async (context: TurnContext, { actor, language }) => void (await sendCard(context, form(language, actor.aadObjectId, {}))),
    },
    register(app: Application<TurnState>) {
      app.adaptiveCards.actionExecute(VERBS.deadlineForm, async (context, _state, data) => {
        const clockId = z.object({ clockId: z.string().max(40) }).safeParse(data);
        return form(await languageOf(deps, context), actorOf(context).aadObjectId, clockId.success ? { clockId: clockId.data.clockId } : {});
      });
      app.adaptiveCards.actionExecute(VERBS.deadlineCompute, async (context, _state, data) => answer(await languageOf(deps, context), actorOf(context).aadObjectId, data));
    },
  };
}
