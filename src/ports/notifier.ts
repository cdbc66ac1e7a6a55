import type { ConversationRef } from './users';

/** Sends a rendered card into a stored conversation (Bot Framework proactive messaging). */
export interface Notifier {
  send(ref: ConversationRef, card: Readonly<Record<string, unknown>>, summary: string): Promise<{ activityId?: string }>;
}
