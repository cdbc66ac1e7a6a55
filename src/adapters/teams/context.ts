import { randomUUID } from 'node:crypto';
import { CardFactory, MessageFactory, TurnContext, type Activity } from 'botbuilder';
import type { Application, TeamsAdapter, TurnState } from '@microsoft/teams-ai';
import type { Actor } from '../../app/actor';
import { languageFromLocale, type Language } from '../../i18n';
import type { AuditLog } from '../../ports/audit';
import type { Clock } from '../../ports/clock';
import type { Directory } from '../../ports/directory';
import type { DocumentStore, FileFetcher } from '../../ports/documents';
import type { EpDirectory } from '../../ports/ep-directory';
import type { Hasher } from '../../ports/hasher';
import type { ReferralStore } from '../../ports/referral-store';
import type { StatutoryClocks } from '../../ports/statutory-clocks';
import type { ConversationStore, UserPreferences, UserStore } from '../../ports/users';
import type { Card } from '../cards/render';
import type { Logger } from '../log';
import type { Command } from './verbs';

/** Everything the Teams adapter's features need, passed in by the composition root. */
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
  /** Educational Psychologists' link schools: Early Help Panel referrals queue match cards for them. */
  readonly eps?: EpDirectory;
  /** The next meeting date of the panel a referral goes to, for the EP match card. */
  nextPanelDate?(routeId: string, schoolId: string): Promise<string | undefined>;
}

export interface CommandContext {
  readonly actor: Actor;
  readonly language: Language;
  readonly args: readonly string[];
}
export type CommandHandler = (context: TurnContext, ctx: CommandContext) => Promise<void>;

/** A slice of the bot: the commands it answers and the card actions it registers. */
export interface Feature {
  readonly commands?: Partial<Record<Command, CommandHandler>>;
  register?(app: Application<TurnState>): void;
  /** Messages carrying attachments of these content types go to this handler instead of the command router. */
  readonly attachments?: { readonly contentType: string; handle(context: TurnContext, ctx: CommandContext): Promise<void> };
}

export function actorOf(context: TurnContext): Actor {
  const from = context.activity.from ?? { id: 'unknown', name: '' };
  return {
    aadObjectId: from.aadObjectId ?? from.id,
    name: from.name ?? '',
    correlationId: context.activity.id ?? randomUUID(),
  };
}

export function isPersonal(context: TurnContext): boolean {
  const type = context.activity.conversation?.conversationType;
  return type === undefined || type === 'personal';
}

export function tenantOf(activity: Partial<Activity>): string | undefined {
  const channelTenant = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  return (typeof channelTenant === 'string' ? channelTenant : undefined) ?? activity.conversation?.tenantId;
}

export function sendCard(context: TurnContext, card: Card): Promise<unknown> {
  return context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
}

const turnPreferences = new WeakMap<TurnContext, Promise<UserPreferences>>();

/** The user's preferences, read once per turn (language and the document target come from the same read). */
export function preferencesOf(deps: Pick<BotDeps, 'users' | 'clock'>, context: TurnContext): Promise<UserPreferences> {
  let p = turnPreferences.get(context);
  if (!p) {
    p = deps.users.preferences(actorOf(context).aadObjectId, deps.clock.now());
    p.catch(() => turnPreferences.delete(context));
    turnPreferences.set(context, p);
  }
  return p;
}

/** The user's chosen language, else their Teams locale's. */
export async function languageOf(deps: Pick<BotDeps, 'users' | 'clock'>, context: TurnContext): Promise<Language> {
  return (await preferencesOf(deps, context)).language ?? languageFromLocale(context.activity.locale);
}

/**
 * Keep the user's personal conversation reference fresh: every proactive send needs it. The id of the message that
 * carried it is left out: a proactive message starts a new one, and without it the reference stays the same from
 * message to message, so an unchanged one is not written again.
 */
export async function rememberUser(deps: Pick<BotDeps, 'conversations'>, context: TurnContext): Promise<void> {
  if (!isPersonal(context)) return;
  const { activityId: _activityId, ...ref } = TurnContext.getConversationReference(context.activity);
  await deps.conversations.save(`user:${actorOf(context).aadObjectId}`, ref as Record<string, unknown>);
}

/**
 * Answer an Action.Execute with a card for this user only. teams-ai would turn a card that carries `refresh` into an
 * updateActivity for everyone (REPLACE_FOR_ALL): one shared-card update per click, and the user's own view shown to all.
 * Sending the invoke response ourselves keeps the reply personal; the shared card is updated separately, coalesced.
 */
export async function personalCardReply(context: TurnContext, card: Card): Promise<Card> {
  await context.sendActivity({ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } } });
  return card;
}

/**
 * A Teams channel's own conversation id. Every thread of a channel has its own id, "<channel id>;messageid=<root post>":
 * a panel is linked to the channel, whichever thread the command came from.
 */
export function channelRoot(conversationId: string | undefined): string | undefined {
  return conversationId?.replace(/;messageid=\d+$/, '');
}

export function formatBytes(n: number): string {
  const mb = n / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : mb.toFixed(1)} MB`;
}
