import { z } from 'zod';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { answerEpMatch } from '../../../app/answer-ep-match';
import type { RenderedMessage } from '../../../app/deliver-outbox';
import { setEpSchools } from '../../../app/set-ep-schools';
import { AREAS_OF_NEED } from '../../../domain/referral';
import { strings, t, type Language } from '../../../i18n';
import type { Directory } from '../../../ports/directory';
import type { EpDirectory } from '../../../ports/ep-directory';
import type { OutboxMessage } from '../../../ports/outbox';
import { formatDate, noticeCard } from '../../cards/cards';
import { renderCard } from '../../cards/render';
import { actorOf, languageOf, type BotDeps, type Feature } from '../context';
import { VERBS } from '../verbs';

const areas = (language: Language, ids: readonly string[]) =>
  ids.map((a) => ((AREAS_OF_NEED as readonly string[]).includes(a) ? strings(language).areas[a as (typeof AREAS_OF_NEED)[number]] : a)).join('; ');

const matchSchema = z.object({ reference: z.string().max(32), initials: z.string().max(4), schoolId: z.string().max(64), areasOfNeed: z.array(z.string().max(40)), reason: z.enum(['link-school', 'known-learner']), panelDate: z.string().optional() });
const digestSchema = z.object({ items: z.array(z.object({ reference: z.string(), schoolId: z.string(), initials: z.string(), areasOfNeed: z.array(z.string()) })), total: z.number() });

/** Render EP cards at send time in the EP's language: the 1:1 match card and the Monday digest. */
export function renderEpMessage(directory: Directory) {
  return (message: OutboxMessage, language: Language | 'bilingual'): RenderedMessage | undefined => {
    const lang: Language = language === 'bilingual' ? 'cy' : language;
    const school = (id: string) => directory.school(id)?.name[lang] ?? id;
    if (message.payload.template === 'ep-match') {
      const d = matchSchema.parse(message.payload.data);
      const card = renderCard('ep-match', {
        t: strings(lang),
        reason: t(lang, d.reason === 'known-learner' ? 'ep.reasonKnownLearner' : 'ep.reasonLinkSchool'),
        reference: d.reference, initials: d.initials, school: school(d.schoolId), areas: areas(lang, d.areasOfNeed),
        panelDate: d.panelDate && /^\d{4}-\d{2}-\d{2}$/.test(d.panelDate) ? formatDate(d.panelDate, lang) : t(lang, 'ep.panelDateUnknown'),
      });
      return { card, summary: `${t(lang, 'ep.matchTitle')}: ${d.reference}` };
    }
    if (message.payload.template === 'ep-digest') {
      const d = digestSchema.parse(message.payload.data);
      const card = renderCard('ep-digest', { t: strings(lang), items: d.items.map((i) => ({ reference: i.reference, initials: i.initials, school: school(i.schoolId), areas: areas(lang, i.areasOfNeed) })) });
      return { card, summary: t(lang, 'ep.digestTitle') };
    }
    return undefined;
  };
}

const answerSchema = z.object({ reference: z.string().max(32), answer: z.enum(['known', 'not-known']) });

/** /ep (/sa) schools <ids…>: an EP's link schools; the "I know this learner / Not known to me" answers on match cards. */
export function epFeature(
  deps: BotDeps,
  own: {
    eps: EpDirectory;
    /** Whether this user coordinates the panel a referral goes to (its chair or coordinator), or is an administrator. */
    mayViewAnswers(aadObjectId: string, reference: string): Promise<boolean>;
  },
): Feature {
  const epDeps = { ...deps, eps: own.eps };
  return {
    commands: {
      ep: async (context, { actor, language, args }) => {
        if (args[0]?.toLowerCase() === 'answers' || args[0]?.toLowerCase() === 'atebion') {
          // The Early Help Panel coordinator's view (its chair or coordinator, or an administrator): who knows the learner.
          const reference = (args[1] ?? '').toUpperCase().slice(0, 32);
          const at = deps.clock.now().toISOString();
          if (!(await own.mayViewAnswers(actor.aadObjectId, reference))) {
            await deps.audit.record({ at, actor: actor.aadObjectId, action: 'ep.answers.refused', recordType: 'referral', recordId: reference, correlationId: actor.correlationId });
            return void (await context.sendActivity(t(language, 'ep.answersRefused')));
          }
          const answers = await own.eps.answers(reference);
          await deps.audit.record({ at, actor: actor.aadObjectId, action: 'ep.answers.view', recordType: 'referral', recordId: reference, correlationId: actor.correlationId, detail: { answers: answers.length } });
          const lines = answers.map((a) => t(language, 'ep.answerLine', { ep: a.name ?? a.epAadId, answer: t(language, a.answer === 'known' ? 'ep.answerKnownThird' : 'ep.answerNotKnownThird') }));
          return void (await context.sendActivity(answers.length > 0 ? `${reference}\n\n${lines.join('\n\n')}` : t(language, 'ep.noAnswers', { reference })));
        }
        const ids = args[0]?.toLowerCase() === 'schools' || args[0]?.toLowerCase() === 'ysgolion' ? args.slice(1) : [];
        const result = await setEpSchools(epDeps, actor, ids.length > 0 ? ids : undefined);
        if (!result.ok) {
          return void (await context.sendActivity(result.error.code === 'EP.NOT_EP' ? t(language, 'ep.notEp') : t(language, 'ep.unknownSchools', { ids: result.error.ids.join(', ') })));
        }
        const names = result.value.map((id) => deps.directory.school(id)?.name[language] ?? id);
        await context.sendActivity(names.length > 0 ? t(language, 'ep.schools', { schools: names.join('; ') }) : t(language, 'ep.noSchools'));
      },
    },
    register(app: Application<TurnState>) {
      app.adaptiveCards.actionExecute(VERBS.epAnswer, async (context, _state, data) => {
        const language = await languageOf(deps, context);
        const parsed = answerSchema.safeParse(data);
        if (!parsed.success) return noticeCard(t(language, 'ep.notFound'), { color: 'Warning' });
        const result = await answerEpMatch(epDeps, actorOf(context), parsed.data);
        if (!result.ok) return noticeCard(t(language, result.error.code === 'EP.NOT_EP' ? 'ep.notEp' : 'ep.notFound'), { color: 'Warning' });
        return noticeCard(t(language, 'ep.answered', { answer: t(language, result.value.answer === 'known' ? 'ep.answerKnown' : 'ep.answerNotKnown') }), { color: 'Good', title: result.value.reference });
      });
    },
  };
}
