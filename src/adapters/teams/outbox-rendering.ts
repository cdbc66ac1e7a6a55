import { z } from 'zod';
import type { RenderedMessage } from '../../app/deliver-outbox';
import { ROUTE_IDS } from '../../domain/routes';
import type { Language } from '../../i18n';
import type { OutboxMessage, OutboxTarget } from '../../ports/outbox';
import type { ConversationRef, ConversationStore, UserStore } from '../../ports/users';
import { caseCard } from '../cards/cards';

const caseCardData = z.object({ reference: z.string().max(32), initials: z.string().max(4), routeId: z.enum(ROUTE_IDS) });

/** Render a queued message at send time (so the recipient's current language is used). */
export function renderOutboxMessage(message: OutboxMessage, _language: Language | 'bilingual'): RenderedMessage {
  switch (message.payload.template) {
    case 'case-card': {
      const data = caseCardData.parse(message.payload.data);
      return { card: caseCard(data), summary: `${data.reference} (${data.initials})` };
    }
    default:
      throw new Error(`no renderer for outbox template ${message.payload.template}`);
  }
}

/**
 * Where a target can be reached. Users: their personal chat (stored when they installed the bot or last wrote).
 * Routes and panels: the channel linked to the route's panel with /panel link; `panelForRoute` names it.
 */
export function targetResolver(deps: { conversations: ConversationStore; users: UserStore; panelsForRoute: (routeId: string) => readonly string[] }) {
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
        for (const panelId of deps.panelsForRoute(target.routeId)) {
          const ref = await deps.conversations.get(`panel:${panelId}`);
          if (ref) return { ref, language: 'bilingual' };
        }
        return undefined;
      }
    }
  };
}
