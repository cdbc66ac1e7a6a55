import { z } from 'zod';
import type { RenderedMessage } from '../../app/deliver-outbox';
import { ROUTE_IDS } from '../../domain/routes';
import type { Language } from '../../i18n';
import type { OutboxMessage, OutboxTarget } from '../../ports/outbox';
import type { ConversationRef, ConversationStore, UserStore } from '../../ports/users';
import { caseCard, formatDate, noticeCard } from '../cards/cards';
import { outcomeCard } from '../cards/panel-cards';
import { OUTCOMES } from '../../domain/panels';
import { t } from '../../i18n';

const caseCardData = z.object({ reference: z.string().max(32), initials: z.string().max(4), routeId: z.enum(ROUTE_IDS) });
const bilingual = z.object({ en: z.string(), cy: z.string() });
const outcomeData = z.object({
  reference: z.string().max(32), panelName: bilingual, outcome: z.enum(OUTCOMES), reasons: z.string(), lead: z.string(),
  nextSteps: z.array(z.object({ text: z.string(), due: z.string() })),
});
const nextStepData = z.object({ reference: z.string().max(32), panelName: bilingual, text: z.string(), due: z.string() });
const chaseData = z.object({ panelName: bilingual, references: z.array(z.string().max(32)) });

/** Render a queued message at send time (so the recipient's current language is used). */
export function renderOutboxMessage(message: OutboxMessage, target: Language | 'bilingual'): RenderedMessage {
  const language: Language = target === 'bilingual' ? 'cy' : target;
  switch (message.payload.template) {
    case 'case-card': {
      const data = caseCardData.parse(message.payload.data);
      return { card: caseCard(data), summary: `${data.reference} (${data.initials})` };
    }
    case 'outcome-card': {
      const d = outcomeData.parse(message.payload.data);
      return { card: outcomeCard(language, { ...d, panelName: d.panelName[language] }), summary: t(language, 'panel.outcomeTitle', { reference: d.reference }) };
    }
    case 'next-step-card': {
      const d = nextStepData.parse(message.payload.data);
      const text = t(language, 'panel.stepLine', { text: d.text, due: formatDate(d.due, language) });
      return { card: noticeCard(`${d.reference}: ${text}`, { title: t(language, 'panel.nextStepTitle', { panel: d.panelName[language] }) }), summary: d.reference };
    }
    case 'chase-card': {
      const d = chaseData.parse(message.payload.data);
      return { card: noticeCard(t(language, 'panel.chaseText', { references: d.references.join(', ') }), { title: t(language, 'panel.chaseTitle', { panel: d.panelName[language] }) }), summary: t(language, 'panel.chaseTitle', { panel: d.panelName[language] }) };
    }
    default:
      throw new Error(`no renderer for outbox template ${message.payload.template}`);
  }
}

/**
 * Where a target can be reached. Users: their personal chat (stored when they installed the bot or last wrote).
 * Routes and panels: the channel linked to the route's panel with /panel link; `panelForRoute` names it.
 */
export function targetResolver(deps: { conversations: ConversationStore; users: UserStore; panelsForRoute: (routeId: string, schoolId?: string) => Promise<readonly string[]> }) {
  return async (target: OutboxTarget): Promise<{ ref: ConversationRef; language: Language | 'bilingual' } | undefined> => {
    switch (target.kind) {
      case 'user': {
        const ref = await deps.conversations.get(`user:${target.aadObjectId}`);
        return ref ? { ref, language: (await deps.users.language(target.aadObjectId)) ?? 'en' } : undefined;
      }
      case 'panel': {
        const ref = await deps.conversations.get(`panel:${target.panelId}`);
        return ref ? { ref, language: 'bilingual' } : undefined;
      }
      case 'route': {
        for (const panelId of await deps.panelsForRoute(target.routeId, target.schoolId)) {
          const ref = await deps.conversations.get(`panel:${panelId}`);
          if (ref) return { ref, language: 'bilingual' };
        }
        return undefined;
      }
    }
  };
}
