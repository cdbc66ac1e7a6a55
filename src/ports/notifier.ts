import type { ConversationRef } from './users';

/** A send that did not go through: `retryAfterMs` when the service said when to come back, `permanent` when retrying cannot help. */
export class SendFailure extends Error {
  override readonly name = 'SendFailure';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** Sends a rendered card into a stored conversation (Bot Framework proactive messaging). Throws SendFailure. */
export interface Notifier {
  send(ref: ConversationRef, card: Readonly<Record<string, unknown>>, summary: string): Promise<{ activityId?: string }>;
  /** Replace a card the bot posted earlier (updateActivity). */
  update(ref: ConversationRef, activityId: string, card: Readonly<Record<string, unknown>>): Promise<void>;
}
