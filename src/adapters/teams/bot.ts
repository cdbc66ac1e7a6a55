import { randomUUID } from 'node:crypto';
import { ActivityTypes, CardFactory, MessageFactory, TurnContext, type Activity } from 'botbuilder';
import { Application, TurnState, type TeamsAdapter } from '@microsoft/teams-ai';
import type { Actor } from '../../app/actor';
import { attachDocument } from '../../app/attach-document';
import { chooseDocumentTarget } from '../../app/choose-document-target';
import { listMyReferrals } from '../../app/list-my-referrals';
import { setLanguage } from '../../app/set-language';
import { submitReferral } from '../../app/submit-referral';
import { londonDate } from '../../domain/dates';
import { languageFromLocale, t, type Language } from '../../i18n';
import type { AuditLog } from '../../ports/audit';
import type { Clock } from '../../ports/clock';
import type { Directory } from '../../ports/directory';
import type { DocumentStore, FileFetcher } from '../../ports/documents';
import type { Hasher } from '../../ports/hasher';
import type { ReferralStore } from '../../ports/referral-store';
import type { StatutoryClocks } from '../../ports/statutory-clocks';
import type { ConversationStore, UserStore } from '../../ports/users';
import {
  chooseReferralCard,
  confirmationCard,
  helpCard,
  myReferralsCard,
  noticeCard,
  referralFormCard,
} from '../cards/cards';
import type { Card } from '../cards/render';
import type { Logger } from '../log';
import { chooseDocumentsSchema, myPageSchema, parseReferralSubmit, teamsFileSchema } from './card-data';
import { parseCommand, VERBS } from './verbs';

export interface BotDeps {
  readonly adapter: TeamsAdapter;
  readonly botAppId?: string;
  readonly directory: Directory;
  readonly referrals: ReferralStore;
  readonly audit: AuditLog;
  readonly users: UserStore;
  readonly conversations: ConversationStore;
  readonly documents: DocumentStore;
  readonly fetcher: FileFetcher;
  readonly clocks: StatutoryClocks;
  readonly hasher: Hasher;
  readonly clock: Clock;
  readonly log: Logger;
  readonly documentMaxBytes: number;
  readonly documentTypes: readonly string[];
  readonly documentTargetMinutes: number;
  /** Tenants whose users may use the bot; empty = any (local mode only). */
  readonly allowedTenants: readonly string[];
}

const FILE_INFO = 'application/vnd.microsoft.teams.file.download.info';

function actorOf(context: TurnContext): Actor {
  const from = context.activity.from ?? { id: 'unknown', name: '' };
  return {
    aadObjectId: from.aadObjectId ?? from.id,
    name: from.name ?? '',
    correlationId: context.activity.id ?? randomUUID(),
  };
}

function isPersonal(context: TurnContext): boolean {
  const type = context.activity.conversation?.conversationType;
  return type === undefined || type === 'personal';
}

export function tenantOf(activity: Partial<Activity>): string | undefined {
  const channelTenant = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  return (typeof channelTenant === 'string' ? channelTenant : undefined) ?? activity.conversation?.tenantId;
}

function formatBytes(n: number, language: Language): string {
  const mb = n / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : mb.toFixed(1)} ${language === 'cy' ? 'MB' : 'MB'}`;
}

/** The teams-ai Application: match, parse, call the use case, render the card. */
export function createBot(deps: BotDeps): Application<TurnState> {
  const app = new Application<TurnState>({
    adapter: deps.adapter,
    ...(deps.botAppId ? { botAppId: deps.botAppId } : {}),
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
  });

  const languageOf = async (context: TurnContext): Promise<Language> => {
    const actor = actorOf(context);
    return (await deps.users.language(actor.aadObjectId)) ?? languageFromLocale(context.activity.locale);
  };
  const sendCard = (context: TurnContext, card: Card) => context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
  const rememberUser = async (context: TurnContext) => {
    if (!isPersonal(context)) return;
    const actor = actorOf(context);
    await deps.conversations.save(`user:${actor.aadObjectId}`, TurnContext.getConversationReference(context.activity) as Record<string, unknown>);
  };
  const formFor = (language: Language, actor: Actor, extra: { values?: Record<string, unknown>; errors?: never[] | import('../../domain/referral').FieldError[]; formError?: string; idempotencyKey?: string }) =>
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

  // One tenant allow-list for every activity (DOMAIN.md, "Where people sign in").
  app.turn('beforeTurn', async (context) => {
    if (deps.allowedTenants.length === 0) return true;
    const tenant = tenantOf(context.activity);
    if (tenant && deps.allowedTenants.includes(tenant)) return true;
    deps.log.warn({ event: 'tenant.refused', activityType: context.activity.type }, 'activity from a tenant not on the allow-list');
    const language = languageFromLocale(context.activity.locale);
    if (context.activity.type === ActivityTypes.Invoke) {
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: t(language, 'refused.tenant') } } });
    } else if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity(t(language, 'refused.tenant'));
    }
    return false;
  });

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    const added = context.activity.membersAdded ?? [];
    if (isPersonal(context) && added.some((m) => m.id === botId || m.id !== botId)) {
      await rememberUser(context);
      if (added.some((m) => m.id !== botId)) await sendCard(context, noticeCard(t('cy', 'system.welcome'), { title: t('cy', 'app.fullName') }));
    }
  });

  app.activity(ActivityTypes.Message, async (context) => {
    await rememberUser(context);
    const actor = actorOf(context);
    const language = await languageOf(context);
    const files = (context.activity.attachments ?? []).filter((a) => a.contentType === FILE_INFO);
    if (files.length > 0) {
      if (!isPersonal(context)) return void (await context.sendActivity(t(language, 'documents.channel')));
      for (const raw of files) await receiveFile(context, actor, language, raw);
      return;
    }
    const parsed = parseCommand(context.activity.text);
    if (!parsed) return void (await context.sendActivity(t(language, 'system.unknownCommand')));
    switch (parsed.command) {
      case 'refer': {
        if (!isPersonal(context)) return void (await context.sendActivity(t(language, 'refer.personalOnly')));
        if (deps.directory.schoolsFor(actor.aadObjectId).length === 0) {
          return void (await sendCard(context, noticeCard(t(language, 'refused.notAlnco', { contact: deps.directory.contact() }), { color: 'Warning' })));
        }
        return void (await sendCard(context, formFor(language, actor, {})));
      }
      case 'my': {
        if (!isPersonal(context)) return void (await context.sendActivity(t(language, 'refer.personalOnly')));
        const page = await listMyReferrals(deps, actor, 1);
        return void (await sendCard(context, myReferralsCard(language, page)));
      }
      case 'help':
        return void (await sendCard(context, helpCard(language)));
      case 'language': {
        const arg = parsed.args[0]?.toLowerCase();
        const requested: Language | undefined = arg && /^(cy|cymraeg|welsh)$/.test(arg) ? 'cy' : arg && /^(en|english|saesneg)$/.test(arg) ? 'en' : undefined;
        const next = await setLanguage(deps, actor.aadObjectId, language, requested);
        return void (await context.sendActivity(t(next, 'language.switched')));
      }
    }
  });

  async function receiveFile(context: TurnContext, actor: Actor, language: Language, raw: unknown): Promise<void> {
    const file = teamsFileSchema.safeParse(raw);
    if (!file.success) return void (await context.sendActivity(t(language, 'documents.downloadFailed', { name: '?' })));
    const incoming = { name: file.data.name, fileType: file.data.content.fileType, downloadUrl: file.data.content.downloadUrl };
    const result = await attachDocument({ ...deps, maxBytes: deps.documentMaxBytes, allowedTypes: deps.documentTypes }, actor, incoming);
    if (result.ok) return void (await context.sendActivity(t(language, 'documents.stored', { name: result.value.name, reference: result.value.reference })));
    const e = result.error;
    switch (e.code) {
      case 'DOCUMENT.NO_TARGET': {
        const mine = await deps.referrals.listBySubmitter(actor.aadObjectId, 0, 5);
        if (mine.items.length === 0) return void (await context.sendActivity(t(language, 'documents.noTargetNone', { name: incoming.name })));
        return void (await sendCard(context, chooseReferralCard(language, incoming, mine.items.map((r) => r.reference))));
      }
      case 'DOCUMENT.TYPE_NOT_ALLOWED':
        return void (await context.sendActivity(t(language, 'documents.typeNotAllowed', { name: e.name, types: e.allowed.join(', ') })));
      case 'DOCUMENT.TOO_LARGE':
        return void (await context.sendActivity(t(language, 'documents.tooLarge', { name: e.name, size: formatBytes(e.maxBytes, language) })));
      case 'DOCUMENT.DOWNLOAD_FAILED':
        deps.log.warn({ event: 'document.download_failed', correlationId: actor.correlationId }, 'file download failed');
        return void (await context.sendActivity(t(language, 'documents.downloadFailed', { name: e.name })));
    }
  }

  app.adaptiveCards.actionExecute(VERBS.submitReferral, async (context, _state, data) => {
    const actor = actorOf(context);
    const language = await languageOf(context);
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
    const citation = referral.clock ? deps.clocks.citation(referral.clock.clockId) : undefined;
    if (referral.clock && !referral.clock.due) {
      deps.log.error({ event: 'clock.no_due_date', reference: referral.reference, clock: referral.clock.clockId, problem: referral.clock.dueProblem }, 'term dates do not cover this clock: configure the calendar');
    }
    return confirmationCard(language, referral, deps.directory.school(referral.schoolId), !created, citation);
  });

  app.adaptiveCards.actionExecute(VERBS.myPage, async (context, _state, data) => {
    const actor = actorOf(context);
    const language = await languageOf(context);
    const parsed = myPageSchema.safeParse(data);
    const page = await listMyReferrals(deps, actor, parsed.success ? parsed.data.page : 1);
    return myReferralsCard(language, page);
  });

  app.adaptiveCards.actionExecute(VERBS.chooseDocuments, async (context, _state, data) => {
    const actor = actorOf(context);
    const language = await languageOf(context);
    if (!isPersonal(context)) return noticeCard(t(language, 'documents.channel'));
    const parsed = chooseDocumentsSchema.safeParse(data);
    if (!parsed.success) return noticeCard(t(language, 'documents.notFound'), { color: 'Warning' });
    const chosen = await chooseDocumentTarget({ ...deps, targetMinutes: deps.documentTargetMinutes }, actor, parsed.data.reference);
    if (!chosen.ok) {
      return noticeCard(t(language, chosen.error.code === 'DOCUMENT.NOT_YOURS' ? 'documents.notYours' : 'documents.notFound'), { color: 'Warning' });
    }
    const file = parsed.data.file;
    if (file) {
      const stored = await attachDocument({ ...deps, maxBytes: deps.documentMaxBytes, allowedTypes: deps.documentTypes }, actor, file);
      if (stored.ok) return noticeCard(t(language, 'documents.stored', { name: stored.value.name, reference: stored.value.reference }), { color: 'Good' });
      const e = stored.error;
      const text =
        e.code === 'DOCUMENT.TYPE_NOT_ALLOWED' ? t(language, 'documents.typeNotAllowed', { name: e.name, types: e.allowed.join(', ') })
        : e.code === 'DOCUMENT.TOO_LARGE' ? t(language, 'documents.tooLarge', { name: e.name, size: formatBytes(e.maxBytes, language) })
        : e.code === 'DOCUMENT.DOWNLOAD_FAILED' ? t(language, 'documents.downloadFailed', { name: e.name })
        : t(language, 'documents.notFound');
      return noticeCard(text, { color: 'Warning' });
    }
    return noticeCard(t(language, 'documents.target', { reference: chosen.value.reference, minutes: deps.documentTargetMinutes }), { color: 'Good' });
  });

  // One error boundary: log with a correlation id (never personal data), tell the user what to do.
  app.error(async (context, error) => {
    const correlationId = context.activity.id ?? randomUUID();
    deps.log.error({ event: 'turn.error', correlationId, activityType: context.activity.type, err: { name: error.name, message: error.message.slice(0, 300), stack: error.stack } }, 'unhandled error in turn');
    const language = languageFromLocale(context.activity.locale);
    const text = t(language, 'system.error', { id: correlationId.slice(0, 12) });
    if (context.activity.type === ActivityTypes.Invoke) {
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: noticeCard(text, { color: 'Attention' }) } } });
    } else {
      await context.sendActivity(text);
    }
  });

  return app;
}
