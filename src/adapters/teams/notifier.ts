import { CardFactory, MessageFactory, type ConversationReference } from 'botbuilder';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { Notifier } from '../../ports/notifier';
import type { ConversationRef } from '../../ports/users';

/** Proactive sends through the Bot Framework connector, into a stored conversation reference. */
export class TeamsNotifier implements Notifier {
  constructor(private readonly adapter: TeamsAdapter, private readonly botAppId: string) {}

  async send(ref: ConversationRef, card: Readonly<Record<string, unknown>>, summary: string): Promise<{ activityId?: string }> {
    let activityId: string | undefined;
    await this.adapter.continueConversationAsync(this.botAppId, ref as Partial<ConversationReference>, async (context) => {
      const activity = MessageFactory.attachment(CardFactory.adaptiveCard(card));
      activity.summary = summary;
      const response = await context.sendActivity(activity);
      activityId = response?.id;
    });
    return activityId ? { activityId } : {};
  }
}
