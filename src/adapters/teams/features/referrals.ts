import { randomUUID } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import type { Actor } from '../../../app/actor';
import { listMyReferrals } from '../../../app/list-my-referrals';
import { submitReferral } from '../../../app/submit-referral';
import { londonDate } from '../../../domain/dates';
import type { FieldError } from '../../../domain/referral';
import { t, type Language } from '../../../i18n';
import { confirmationCard, myReferralsCard, noticeCard, referralFormCard } from '../../cards/cards';
import { myPageSchema, parseReferralSubmit } from '../card-data';
import { actorOf, isPersonal, languageOf, sendCard, type BotDeps, type Feature } from '../context';
import { VERBS } from '../verbs';

/** /refer, the referral card's submit, /my and its paging. */
export function referralsFeature(deps: BotDeps): Feature {
  const formFor = (language: Language, actor: Actor, extra: { values?: Record<string, unknown>; errors?: FieldError[]; formError?: string; idempotencyKey?: string }) =>
    referralFormCard({
      language,
      country: deps.directory.authority().country,
      schools: deps.directory.schoolsFor(actor.aadObjectId),
      idempotencyKey: extra.idempotencyKey ?? randomUUID(),
      today: londonDate(deps.clock.now()),
      ...(extra.values ? { values: extra.values } : {}),
      ...(extra.errors ? { errors: extra.errors } : {}),
      ...(extra.formError ? { formError: extra.formError } : {}),
    });

  const personalOnly = async (context: TurnContext, language: Language): Promise<boolean> => {
    if (isPersonal(context)) return false;
    await context.sendActivity(t(language, 'refer.personalOnly'));
    return true;
  };

  return {
    commands: {
      refer: async (context, { actor, language }) => {
        if (await personalOnly(context, language)) return;
        if (deps.directory.schoolsFor(actor.aadObjectId).length === 0) {
          await sendCard(context, noticeCard(t(language, 'refused.notAlnco', { contact: deps.directory.contact() }), { color: 'Warning' }));
          return;
        }
        await sendCard(context, formFor(language, actor, {}));
      },
      my: async (context, { actor, language }) => {
        if (await personalOnly(context, language)) return;
        await sendCard(context, myReferralsCard(language, await listMyReferrals(deps, actor, 1)));
      },
    },
    register(app: Application<TurnState>) {
      app.adaptiveCards.actionExecute(VERBS.submitReferral, async (context, _state, data) => {
        const actor = actorOf(context);
        const language = await languageOf(deps, context);
        if (!isPersonal(context)) return noticeCard(t(language, 'refer.personalOnly'));
        const parsed = parseReferralSubmit(data);
        if (!parsed.ok) {
          const formError = parsed.reason === 'unknown-fields' ? t(language, 'errors.unknownField', { fields: parsed.fields!.join(', ') }) : t(language, 'errors.formUnreadable');
          return formFor(language, actor, { values: parsed.values, formError, ...(parsed.idempotencyKey ? { idempotencyKey: parsed.idempotencyKey } : {}) });
        }
        const result = await submitReferral(deps, actor, parsed.form, parsed.idempotencyKey);
        if (!result.ok) {
          if (result.error.code === 'REFERRAL.NOT_ALNCO') return noticeCard(t(language, 'refused.notAlnco', { contact: result.error.contact }), { color: 'Warning' });
          return formFor(language, actor, { values: parsed.values, errors: [...result.error.fieldErrors], idempotencyKey: parsed.idempotencyKey });
        }
        const { referral, created } = result.value;
        if (created) deps.log.info({ event: 'referral.submitted', reference: referral.reference, route: referral.routeId, correlationId: actor.correlationId }, 'referral submitted');
        if (referral.clock && !referral.clock.due) {
          deps.log.error({ event: 'clock.no_due_date', reference: referral.reference, clock: referral.clock.clockId, problem: referral.clock.dueProblem }, 'term dates do not cover this clock: configure the calendar');
        }
        const citation = referral.clock ? deps.clocks.citation(referral.clock.clockId) : undefined;
        return confirmationCard(language, referral, deps.directory.school(referral.schoolId), !created, citation);
      });

      app.adaptiveCards.actionExecute(VERBS.myPage, async (context, _state, data) => {
        const parsed = myPageSchema.safeParse(data);
        const page = await listMyReferrals(deps, actorOf(context), parsed.success ? parsed.data.page : 1);
        return myReferralsCard(await languageOf(deps, context), page);
      });
    },
  };
}
