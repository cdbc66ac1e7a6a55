import { z } from 'zod';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Actor } from '../../../app/actor';
import { recordIdp, type RecordIdpError } from '../../../app/record-idp';
import { londonDate } from '../../../domain/dates';
import { idpReviewDue } from '../../../domain/reminders';
import { strings, t, type Language } from '../../../i18n';
import type { LearnerStore } from '../../../ports/learners';
import { formatDate, noticeCard } from '../../cards/cards';
import { renderCard, type Card } from '../../cards/render';
import { actorOf, isPersonal, languageOf, sendCard, type BotDeps, type Feature } from '../context';
import { VERBS } from '../verbs';

const recordSchema = z.object({
  schoolId: z.string().max(64).default(''),
  localRef: z.string().max(40).default(''),
  kind: z.enum(['issued', 'revised']).catch('issued'),
  date: z.string().max(20).default(''),
});

/** /idp (/cdu): an ALNCo records an IDP issue or revision date for a learner of their school. */
export function idpFeature(deps: BotDeps, own: { learners: LearnerStore }): Feature {
  const form = (language: Language, actor: Actor, values: Partial<Record<'schoolId' | 'localRef' | 'kind' | 'date', string>> = {}, formError = ''): Card => {
    const schools = deps.directory.schoolsFor(actor.aadObjectId);
    const today = londonDate(deps.clock.now());
    return renderCard('idp-form', {
      t: strings(language),
      formError,
      today,
      values: { schoolId: values.schoolId ?? (schools.length === 1 ? schools[0]!.id : ''), localRef: values.localRef ?? '', kind: values.kind ?? 'issued', date: values.date ?? today },
      schools: schools.map((s) => ({ id: s.id, title: s.name[language] })),
    });
  };
  const problem = (language: Language, e: RecordIdpError) =>
    t(language, { 'IDP.NOT_ALNCO': 'idp.notAlnco', 'IDP.LEARNER_NOT_FOUND': 'idp.notFound', 'IDP.BAD_DATE': 'idp.badDate' }[e.code]);

  return {
    commands: {
      idp: async (context, { actor, language }) => {
        if (!isPersonal(context)) return void (await context.sendActivity(t(language, 'refer.personalOnly')));
        if (deps.directory.schoolsFor(actor.aadObjectId).length === 0) return void (await sendCard(context, noticeCard(t(language, 'idp.notAlnco'), { color: 'Warning' })));
        await sendCard(context, form(language, actor));
      },
    },
    register(app: Application<TurnState>) {
      app.adaptiveCards.actionExecute(VERBS.idpRecord, async (context, _state, data) => {
        const actor = actorOf(context);
        const language = await languageOf(deps, context);
        if (!isPersonal(context)) return noticeCard(t(language, 'refer.personalOnly'));
        const input = recordSchema.parse(data ?? {});
        const result = await recordIdp({ ...deps, learners: own.learners }, actor, { ...input, date: input.date.trim() });
        if (!result.ok) return form(language, actor, input, problem(language, result.error));
        const due = idpReviewDue(result.value.date);
        return noticeCard(
          t(language, 'idp.recorded', { initials: result.value.learner.initials, kind: t(language, `idp.${input.kind}`), date: formatDate(result.value.date, language), due: due ? formatDate(due, language) : '?' }),
          { color: 'Good' },
        );
      });
    },
  };
}
