import { randomUUID } from 'node:crypto';
import { ActivityTypes } from 'botbuilder';
import { Application, TurnState } from '@microsoft/teams-ai';
import { languageFromLocale, t } from '../../i18n';
import { noticeCard } from '../cards/cards';
import { actorOf, isPersonal, languageOf, rememberUser, sendCard, tenantOf, type BotDeps, type CommandHandler, type Feature } from './context';
import { documentsFeature } from './features/documents';
import { generalFeature } from './features/general';
import { referralsFeature } from './features/referrals';
import { parseCommand, type Command } from './verbs';

export type { BotDeps } from './context';

/** The teams-ai Application: the tenant check, the error boundary, and the features' commands and card actions. */
export function createBot(deps: BotDeps, extraFeatures: readonly Feature[] = []): Application<TurnState> {
  const app = new Application<TurnState>({
    adapter: deps.adapter,
    ...(deps.botAppId ? { botAppId: deps.botAppId } : {}),
    removeRecipientMention: true,
    startTypingTimer: false,
    longRunningMessages: false,
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

  const features = [generalFeature(deps), referralsFeature(deps), documentsFeature(deps), ...extraFeatures];
  const commands = new Map<Command, CommandHandler>();
  for (const feature of features) {
    for (const [name, handler] of Object.entries(feature.commands ?? {}) as [Command, CommandHandler][]) {
      if (commands.has(name)) throw new Error(`command ${name} registered twice`);
      commands.set(name, handler);
    }
    feature.register?.(app);
  }

  app.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    if (!isPersonal(context)) return;
    await rememberUser(deps, context);
    if ((context.activity.membersAdded ?? []).some((m) => m.id !== botId)) {
      await sendCard(context, noticeCard(t('cy', 'system.welcome'), { title: t('cy', 'app.fullName') }));
    }
  });

  app.activity(ActivityTypes.Message, async (context) => {
    await rememberUser(deps, context);
    const base = { actor: actorOf(context), language: await languageOf(deps, context) };
    for (const feature of features) {
      const a = feature.attachments;
      if (a && (context.activity.attachments ?? []).some((x) => x.contentType === a.contentType)) return a.handle(context, { ...base, args: [] });
    }
    const parsed = parseCommand(context.activity.text);
    const handler = parsed && commands.get(parsed.command);
    if (!parsed || !handler) return void (await context.sendActivity(t(base.language, 'system.unknownCommand')));
    await handler(context, { ...base, args: parsed.args });
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
