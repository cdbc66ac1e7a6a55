/** Where a proactive message goes: a user's 1:1 chat, or the channel linked to a route's panel. */
export type OutboxTarget =
  | { readonly kind: 'user'; readonly aadObjectId: string }
  | { readonly kind: 'route'; readonly routeId: string; readonly schoolId?: string }
  | { readonly kind: 'panel'; readonly panelId: string };

/** What to send: a card template name and its data, rendered at send time in the recipient's language. */
export interface OutboxPayload {
  readonly template: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface NewOutboxMessage {
  /** Idempotency key: the same key is queued once, whatever the retries. */
  readonly key: string;
  readonly target: OutboxTarget;
  readonly payload: OutboxPayload;
}

export type OutboxState = 'pending' | 'waiting' | 'sent' | 'dead';

export interface OutboxMessage extends NewOutboxMessage {
  readonly id: number;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastError?: string;
  readonly createdAt: string;
  readonly sentAt?: string;
  readonly activityId?: string;
}

export interface OutboxStore {
  /** Queue messages due from `at`; a key already queued is left as it is. */
  enqueue(messages: readonly NewOutboxMessage[], at: Date): Promise<void>;
  /** Messages due now (pending or waiting, next attempt passed), oldest first. */
  due(now: Date, limit: number): Promise<OutboxMessage[]>;
  markSent(id: number, activityId: string | undefined, at: Date): Promise<void>;
  /** Not sendable yet (e.g. no channel linked): keep it, try again later, say why. */
  markWaiting(id: number, reason: string, retryAt: Date): Promise<void>;
  markFailed(id: number, error: string, retryAt: Date, dead: boolean): Promise<void>;
  counts(): Promise<Record<OutboxState, number>>;
  /** Not now (rate limit or quiet hours): try at `at`, with no attempt counted. */
  postpone?(id: number, at: Date): Promise<void>;
}

/** What admins see of the outbox: counts, and the latest dead letters without personal data. */
export interface DeadLetter {
  readonly id: number;
  readonly template: string;
  readonly targetKind: OutboxTarget['kind'];
  readonly attempts: number;
  readonly lastError?: string;
  readonly createdAt: string;
}

export interface OutboxAdmin {
  deadLetters(limit: number): Promise<DeadLetter[]>;
  /** Users with messages waiting because they never installed the bot (their AAD object ids), with how many. */
  notInstalled(limit: number): Promise<{ aadObjectId: string; waiting: number }[]>;
}
