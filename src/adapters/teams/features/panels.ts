import { TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { z } from 'zod';
import type { Actor } from '../../../app/actor';
import { arrangeAgenda } from '../../../app/arrange-agenda';
import { chasePanel } from '../../../app/chase-panel';
import { decideItem, nextStepOwners } from '../../../app/decide-item';
import { linkPanel } from '../../../app/link-panel';
import { manageMembers } from '../../../app/manage-members';
import { panelsOf, panelToRun, type PanelAccessError } from '../../../app/panel-access';
import { itemState, recordRecommendation } from '../../../app/record-recommendation';
import { viewAgenda } from '../../../app/view-agenda';
import { viewReferralDetails } from '../../../app/view-referral-details';
import { writeMinutes } from '../../../app/write-minutes';
import { londonDate } from '../../../domain/dates';
import { strings, t, type Language } from '../../../i18n';
import { formatDate } from '../../cards/cards';
import type { RouteId } from '../../../domain/routes';
import type { OutboxStore } from '../../../ports/outbox';
import type { PanelStore } from '../../../ports/panel-store';
import { noticeCard } from '../../cards/cards';
import { agendaCard, decisionFormCard, panelItemCard, referralDetailsCard } from '../../cards/panel-cards';
import type { Card } from '../../cards/render';
import { actorOf, channelRoot, isPersonal, languageOf, personalCardReply, sendCard, type BotDeps, type CommandContext, type Feature } from '../context';
import type { PanelCardUpdater } from '../panel-card-updater';
import { VERBS } from '../verbs';

export interface PanelDeps extends BotDeps {
  readonly panels: PanelStore;
  readonly outbox: OutboxStore;
  readonly cardUpdater: PanelCardUpdater;
}

const agendaActionSchema = z.object({
  panelId: z.string().max(40),
  op: z.enum(['date', 'up', 'down', 'defer']),
  itemId: z.coerce.number().int().positive().optional(),
  date: z.string().max(20).optional(),
  until: z.string().max(20).optional(),
});
const itemIdSchema = z.object({ itemId: z.coerce.number().int().positive() });
const detailsSchema = z.object({ reference: z.string().max(32) });

/** Render an item's card from the store (base view, or a member's own view). */
export async function renderItem(deps: Pick<PanelDeps, 'panels'>, itemId: number, viewer?: string): Promise<{ panelId: string; activityId?: string; conversationId?: string; card: Card } | undefined> {
  const state = await itemState(deps, itemId);
  if (!state) return undefined;
  const [meetingDate, decision] = await Promise.all([deps.panels.meetingDate(state.panel.id), deps.panels.decision(itemId)]);
  const card = panelItemCard(state, { ...(meetingDate ? { meetingDate } : {}), ...(decision ? { decision } : {}), ...(viewer ? { viewer } : {}) });
  return {
    panelId: state.panel.id,
    ...(state.item.activityId ? { activityId: state.item.activityId } : {}),
    ...(state.item.conversationId ? { conversationId: state.item.conversationId } : {}),
    card,
  };
}

/** /panel link, agenda, open, chase, members; recommendations, details and the chair's decision on the cards. */
export function panelsFeature(deps: PanelDeps): Feature {
  const accessText = (language: Language, e: PanelAccessError, known: string[]) =>
    e.code === 'PANEL.NOT_FOUND' ? t(language, 'panel.notFound', { panelId: e.panelId, panels: known.join(', ') || '-' }) : t(language, 'panel.notAllowed');
  const allIds = async () => (await deps.panels.panels()).map((p) => p.id);

  /** The panel a command is about: the id given, or the panel linked to this channel, or the user's only panel. */
  async function resolvePanel(context: TurnContext, actor: Actor, language: Language, given: string | undefined): Promise<string | undefined> {
    if (given) return given.toLowerCase();
    const conversationId = channelRoot(context.activity.conversation?.id);
    for (const p of await deps.panels.panels()) {
      const ref = (await deps.conversations.get(`panel:${p.id}`)) as { conversation?: { id?: string } } | undefined;
      if (ref?.conversation?.id && channelRoot(ref.conversation.id) === conversationId) return p.id;
    }
    const mine = await panelsOf(deps, actor.aadObjectId);
    if (mine.length === 1) return mine[0]!.id;
    await context.sendActivity(t(language, 'panel.whichPanel', { example: mine[0]?.id ?? (await allIds())[0] ?? 'mams-north', panels: mine.map((p) => p.id).join(', ') || '-' }));
    return undefined;
  }

  async function agendaReply(actor: Actor, language: Language, panelId: string, error?: string): Promise<Card> {
    const view = await viewAgenda(deps, actor, panelId);
    if (!view.ok) return noticeCard(accessText(language, view.error, await allIds()), { color: 'Warning' });
    return agendaCard(language, view.value, { today: londonDate(deps.clock.now()), ...(error ? { error } : {}) });
  }

  async function open(context: TurnContext, { actor, language }: CommandContext, panelId: string): Promise<void> {
    const view = await viewAgenda(deps, actor, panelId);
    if (!view.ok) return void (await context.sendActivity(accessText(language, view.error, await allIds())));
    const linked = (await deps.conversations.get(`panel:${panelId}`)) as { conversation?: { id?: string } } | undefined;
    if (!linked) return void (await context.sendActivity(t(language, 'panel.notLinked', { panel: view.value.panel.name[language], panelId })));
    if (channelRoot(linked.conversation?.id) !== channelRoot(context.activity.conversation?.id)) return void (await context.sendActivity(t(language, 'panel.openInChannel')));
    let count = 0;
    for (const item of view.value.items) {
      if (item.activityId) continue; // posted already: re-running /panel open after a failure posts only the rest
      const rendered = await renderItem(deps, item.id);
      if (!rendered) continue;
      const sent = await sendCard(context, rendered.card) as { id?: string } | undefined;
      if (sent?.id) {
        await deps.panels.markPosted(item.id, context.activity.conversation.id, sent.id, {
          at: deps.clock.now().toISOString(), actor: actor.aadObjectId, action: 'panel.open', recordType: 'referral', recordId: item.reference, correlationId: actor.correlationId,
        });
        count++;
      }
    }
    await context.sendActivity(count > 0 ? t(language, 'panel.opened', { count, panel: view.value.panel.name[language] }) : t(language, 'panel.nothingToOpen', { panel: view.value.panel.name[language] }));
  }

  return {
    commands: {
      panel: async (context, ctx) => {
        const { actor, language, args } = ctx;
        const [sub, ...rest] = args;
        switch (sub?.toLowerCase()) {
          case 'link': {
            if (isPersonal(context)) return void (await context.sendActivity(t(language, 'panel.linkInChannel')));
            if (!rest[0]) return void (await context.sendActivity(t(language, 'panel.usage')));
            // The link is to the channel itself (not the thread the command was typed in): case cards start new posts there.
            const ref = TurnContext.getConversationReference(context.activity);
            const channel = { ...ref, conversation: { ...ref.conversation, id: channelRoot(ref.conversation?.id) ?? ref.conversation?.id } };
            const linked = await linkPanel(deps, actor, rest[0].toLowerCase(), channel as Record<string, unknown>);
            if (!linked.ok) return void (await context.sendActivity(accessText(language, linked.error, await allIds())));
            const panel = await deps.panels.panel(linked.value.panelId);
            return void (await context.sendActivity(t(language, 'panel.linked', { panel: panel!.name[language] })));
          }
          case 'agenda': {
            const panelId = await resolvePanel(context, actor, language, rest[0]);
            if (panelId) await sendCard(context, await agendaReply(actor, language, panelId));
            return;
          }
          case 'open': {
            const panelId = await resolvePanel(context, actor, language, rest[0]);
            if (panelId) await open(context, ctx, panelId);
            return;
          }
          case 'chase': {
            const panelId = await resolvePanel(context, actor, language, rest[0]);
            if (!panelId) return;
            const chased = await chasePanel(deps, actor, panelId);
            if (!chased.ok) return void (await context.sendActivity(accessText(language, chased.error, await allIds())));
            return void (await context.sendActivity(t(language, 'panel.chased', chased.value)));
          }
          case 'minutes': {
            const panelId = await resolvePanel(context, actor, language, rest[0]);
            if (!panelId) return;
            const s = strings(language);
            const result = await writeMinutes(deps, actor, panelId, {
              title: (panel, date) => t(language, 'panel.minutesTitle', { panel: panel.name[language], date: formatDate(date, language) }),
              route: (routeId) => s.routes[routeId as RouteId] ?? routeId,
              outcome: (outcome) => s.panel.outcomes[outcome],
              headings: s.panel.minutesHeadings,
            });
            const panel = await deps.panels.panel(panelId);
            if (!result.ok) {
              const e = result.error;
              return void (await context.sendActivity(e.code === 'MINUTES.NONE' ? t(language, 'panel.minutesNone', { panel: panel?.name[language] ?? panelId, date: formatDate(e.date, language) }) : accessText(language, e, await allIds())));
            }
            const [markdown, html, csv] = result.value.files.map((f) => f.name);
            return void (await context.sendActivity(t(language, 'panel.minutesStored', { panel: panel!.name[language], date: formatDate(result.value.date, language), markdown: markdown!, html: html!, csv: csv! })));
          }
          case 'members': {
            const panelId = await resolvePanel(context, actor, language, rest[0]);
            if (!panelId) return;
            const result = await manageMembers(deps, actor, panelId, rest.slice(1));
            if (!result.ok) {
              const e = result.error;
              const text =
                e.code === 'MEMBERS.USAGE' ? t(language, 'panel.membersUsage', { panelId })
                : e.code === 'MEMBERS.NOT_FOUND' ? t(language, 'panel.memberNotFound')
                : e.code === 'MEMBERS.LAST_CHAIR' ? t(language, 'panel.lastChair')
                : accessText(language, e, await allIds());
              return void (await context.sendActivity(text));
            }
            const panel = await deps.panels.panel(panelId);
            const list = result.value.map((m) => `${m.name} (${t(language, `panel.roles.${m.role}`)}, ${t(language, `agencies.${m.agency}`)})`).join('; ');
            return void (await context.sendActivity(t(language, 'panel.members', { panel: panel!.name[language], list })));
          }
          default:
            return void (await context.sendActivity(t(language, 'panel.usage')));
        }
      },
    },

    register(app: Application<TurnState>) {
      app.adaptiveCards.actionExecute(VERBS.panelAgenda, async (context, _state, data) => {
        const actor = actorOf(context);
        const language = await languageOf(deps, context);
        const parsed = agendaActionSchema.safeParse(data);
        if (!parsed.success) return noticeCard(t(language, 'panel.badRequest'), { color: 'Warning' });
        const a = parsed.data;
        const change =
          a.op === 'date' ? { kind: 'date' as const, date: a.date ?? '' }
          : a.op === 'defer' ? { kind: 'defer' as const, itemId: a.itemId ?? 0, until: a.until ?? '' }
          : { kind: 'move' as const, itemId: a.itemId ?? 0, direction: a.op === 'up' ? (-1 as const) : (1 as const) };
        const result = await arrangeAgenda(deps, actor, a.panelId, change);
        if (!result.ok && (result.error.code === 'PANEL.NOT_FOUND' || result.error.code === 'PANEL.NOT_ALLOWED')) {
          return noticeCard(accessText(language, result.error, await allIds()), { color: 'Warning' });
        }
        return agendaReply(actor, language, a.panelId, result.ok ? undefined : t(language, 'panel.badDate'));
      });

      app.adaptiveCards.actionExecute(VERBS.panelRecommend, async (context, _state, data) => {
        const actor = actorOf(context);
        const result = await recordRecommendation(deps, actor, data);
        if (!result.ok) {
          const language = await languageOf(deps, context);
          const key = { 'PANEL.BAD_REQUEST': 'panel.badRequest', 'PANEL.ITEM_NOT_FOUND': 'panel.itemNotFound', 'PANEL.NOT_A_MEMBER': 'panel.notMember', 'PANEL.ITEM_CLOSED': 'panel.itemClosed' }[result.error.code];
          deps.log.info({ event: 'panel.recommend_refused', code: result.error.code, correlationId: actor.correlationId }, 'recommendation refused');
          return noticeCard(`${t('cy', key)} / ${t('en', key)}`, { color: 'Warning' });
        }
        deps.cardUpdater.schedule(result.value.item.id);
        const meetingDate = await deps.panels.meetingDate(result.value.panel.id);
        return personalCardReply(context, panelItemCard(result.value, { viewer: actor.aadObjectId, ...(meetingDate ? { meetingDate } : {}) }));
      });

      // Card refresh (automatic for up to 60 members, or the Refresh button): not a read of details, not audited.
      app.adaptiveCards.actionExecute(VERBS.panelRefresh, async (context, _state, data) => {
        const parsed = itemIdSchema.safeParse(data);
        const rendered = parsed.success ? await renderItem(deps, parsed.data.itemId, actorOf(context).aadObjectId) : undefined;
        return rendered ? personalCardReply(context, rendered.card) : noticeCard(`${t('cy', 'panel.itemNotFound')} / ${t('en', 'panel.itemNotFound')}`, { color: 'Warning' });
      });

      app.adaptiveCards.actionExecute(VERBS.panelDecideForm, async (context, _state, data) => {
        const actor = actorOf(context);
        const language = await languageOf(deps, context);
        const parsed = itemIdSchema.safeParse(data);
        const state = parsed.success ? await itemState(deps, parsed.data.itemId) : undefined;
        if (!state) return noticeCard(t(language, 'panel.itemNotFound'), { color: 'Warning' });
        const access = await panelToRun(deps, actor.aadObjectId, state.panel.id);
        if (!access.ok || !state.panel.members.some((m) => m.aadObjectId === actor.aadObjectId && (m.role === 'chair' || m.role === 'coordinator'))) {
          return noticeCard(t(language, 'panel.notChair'), { color: 'Warning' });
        }
        if (state.item.status === 'closed') return noticeCard(t(language, 'panel.itemClosed'), { color: 'Warning' });
        const referral = await deps.referrals.get(state.item.reference);
        return decisionFormCard(language, state, nextStepOwners(state, referral?.submittedBy), { today: londonDate(deps.clock.now()) });
      });

      app.adaptiveCards.actionExecute(VERBS.panelDecide, async (context, _state, data) => {
        const actor = actorOf(context);
        const language = await languageOf(deps, context);
        const parsed = itemIdSchema.safeParse(data);
        if (!parsed.success) return noticeCard(t(language, 'panel.badRequest'), { color: 'Warning' });
        const { itemId, ...form } = data as Record<string, unknown>;
        void itemId;
        const result = await decideItem(deps, actor, parsed.data.itemId, form);
        if (!result.ok) {
          const e = result.error;
          if (e.code === 'PANEL.DECISION_INVALID') {
            const state = (await itemState(deps, parsed.data.itemId))!;
            const referral = await deps.referrals.get(state.item.reference);
            return decisionFormCard(language, state, nextStepOwners(state, referral?.submittedBy), { today: londonDate(deps.clock.now()), values: form, errors: e.fieldErrors });
          }
          const key = { 'PANEL.ITEM_NOT_FOUND': 'panel.itemNotFound', 'PANEL.NOT_CHAIR': 'panel.notChair', 'PANEL.ITEM_CLOSED': 'panel.itemClosed' }[e.code];
          return noticeCard(t(language, key), { color: 'Warning' });
        }
        deps.log.info({ event: 'panel.decided', reference: result.value.state.item.reference, outcome: result.value.decision.outcome, correlationId: actor.correlationId }, 'panel decision recorded');
        await deps.cardUpdater.flush(parsed.data.itemId); // everyone sees the item closed at once
        const rendered = await renderItem(deps, parsed.data.itemId, actor.aadObjectId);
        return personalCardReply(context, rendered!.card);
      });

      // "View details": a dialog (task module) only for people entitled to it; every opening is audited.
      app.taskModules.fetch(VERBS.panelDetails, async (context, _state, data) => {
        const actor = actorOf(context);
        const language = await languageOf(deps, context);
        const parsed = detailsSchema.safeParse(data);
        const result = parsed.success ? await viewReferralDetails(deps, actor, parsed.data.reference) : undefined;
        if (!result?.ok) return t(language, 'panel.detailsRefused');
        const r = result.value;
        const card = referralDetailsCard(language, r, deps.directory.school(r.schoolId)?.name[language], deps.directory.authority().country);
        return { title: t(language, 'panel.detailsTitle', { reference: r.reference }), card: { contentType: 'application/vnd.microsoft.card.adaptive', content: card }, width: 'medium', height: 'large' };
      });
    },
  };
}
