import type { SlidingWindowLimiter } from '../domain/rate-limit';
import type { Clock } from '../ports/clock';
import { SendFailure, type Notifier } from '../ports/notifier';
import type { OutboxMessage, OutboxStore, OutboxTarget } from '../ports/outbox';
import type { ConversationRef, Language } from '../ports/users';

export interface RenderedMessage {
  readonly card: Readonly<Record<string, unknown>>;
  readonly summary: string;
}

export interface OutboxDeliveryDeps {
  readonly outbox: OutboxStore;
  readonly notifier: Notifier;
  readonly clock: Clock;
  /** Where a target is reachable, and in which language ('bilingual' for shared channels); undefined = not reachable yet. */
  resolve(target: OutboxTarget): Promise<{ ref: ConversationRef; language: Language | 'bilingual' } | undefined>;
  render(message: OutboxMessage, language: Language | 'bilingual'): RenderedMessage;
  readonly maxAttempts: number;
  /** Called for messages that cannot be delivered yet, so admins see them (log, /healthz, /admin outbox). */
  onWaiting?(message: OutboxMessage, reason: string): void;
  /** Called when a message is parked as a dead letter. */
  onDead?(message: OutboxMessage, error: string): void;
  /** Teams' rate limits: per conversation, and per app (key 'app'). Without them sends are not paced. */
  readonly limits?: { readonly conversation: SlidingWindowLimiter; readonly app: SlidingWindowLimiter };
  /** Sends in flight at once (default 1). */
  readonly concurrency?: number;
  /** Quiet hours: when a message may not go now, the time it may (it is postponed with no attempt counted). */
  holdUntil?(message: OutboxMessage, now: Date): Date | undefined;
  /** Backoff randomness, injectable for tests (default Math.random). */
  random?(): number;
  /** Checked before each send: false stops the round (the instance lost the sending lease to another). */
  mayContinue?(): boolean;
}

const WAIT_RETRY_MS = 60_000;

/** Exponential backoff with jitter ("equal jitter"), capped at 15 minutes. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(15 * 60_000, 1000 * 2 ** Math.min(attempts, 10));
  return base / 2 + random() * (base / 2);
}

export interface DeliveryResult {
  sent: number;
  waiting: number;
  failed: number;
  /** Parked as dead letters this round (present when any). */
  dead?: number;
  /** Held back by the rate limits, postponed with no attempt counted (present when any). */
  paced?: number;
  /** When the rate limits next allow a send, if they stopped this round early (ms from now). */
  wakeInMs?: number;
}

/**
 * Send what is due in the outbox once, within the rate limits: messages whose target is not linked yet wait, a message
 * held back by a conversation's limit is postponed without counting an attempt, failures back off (honouring
 * Retry-After) and after `maxAttempts` are parked as dead letters. At-least-once: a crash between the connector's answer
 * and markSent sends that one message again.
 */
export async function deliverOutbox(deps: OutboxDeliveryDeps, limit = 50): Promise<DeliveryResult> {
  const due = await deps.outbox.due(deps.clock.now(), limit);
  const result = { sent: 0, waiting: 0, failed: 0, dead: 0, paced: 0, wakeInMs: undefined as number | undefined };
  const random = deps.random ?? Math.random;
  let stop = false;
  let next = 0;

  const one = async (message: OutboxMessage): Promise<void> => {
    const now = deps.clock.now();
    const hold = deps.holdUntil?.(message, now);
    if (hold && hold.getTime() > now.getTime() && deps.outbox.postpone) {
      await deps.outbox.postpone(message.id, hold);
      result.paced++;
      return;
    }
    const where = await deps.resolve(message.target);
    if (!where) {
      const reason = message.target.kind === 'user' ? 'user-not-installed' : 'channel-not-linked';
      await deps.outbox.markWaiting(message.id, reason, new Date(now.getTime() + WAIT_RETRY_MS));
      deps.onWaiting?.(message, reason);
      result.waiting++;
      return;
    }
    let paced: { conversation: string; t: number } | undefined;
    if (deps.limits) {
      const t = now.getTime();
      const appWait = deps.limits.app.waitMs('app', t);
      if (appWait > 0) {
        stop = true;
        result.wakeInMs = Math.min(result.wakeInMs ?? Infinity, appWait);
        return;
      }
      const conversation = String((where.ref.conversation as { id?: unknown } | undefined)?.id ?? '');
      const convWait = deps.limits.conversation.waitMs(conversation, t);
      if (convWait > 0) {
        if (deps.outbox.postpone) await deps.outbox.postpone(message.id, new Date(t + convWait));
        result.paced++;
        return;
      }
      deps.limits.app.record('app', t);
      deps.limits.conversation.record(conversation, t);
      paced = { conversation, t };
    }
    try {
      const { card, summary } = deps.render(message, where.language);
      const sent = await deps.notifier.send(where.ref, card, summary).finally(() => {
        if (!paced || !deps.limits) return;
        const done = deps.clock.now().getTime();
        deps.limits.app.settle('app', paced.t, done);
        deps.limits.conversation.settle(paced.conversation, paced.t, done);
      });
      await deps.outbox.markSent(message.id, sent.activityId, deps.clock.now());
      result.sent++;
    } catch (e) {
      const attempts = message.attempts + 1;
      const failure = e instanceof SendFailure ? e : undefined;
      const dead = attempts >= deps.maxAttempts || failure?.permanent === true;
      // Honour the service's Retry-After when it gave one; otherwise exponential backoff with jitter.
      const waitMs = Math.max(backoffMs(attempts, random), failure?.retryAfterMs ?? 0);
      // A 429 speaks for the whole conversation: hold its other messages too, not only this one.
      if (failure?.status === 429 && failure.retryAfterMs !== undefined && paced && deps.limits) deps.limits.conversation.block(paced.conversation, deps.clock.now().getTime() + failure.retryAfterMs);
      const error = e instanceof Error ? e.name + ': ' + e.message.slice(0, 200) : 'error';
      await deps.outbox.markFailed(message.id, error, new Date(deps.clock.now().getTime() + waitMs), dead);
      result.failed++;
      if (dead) {
        result.dead++;
        deps.onDead?.(message, error);
      }
    }
  };

  const worker = async () => {
    while (!stop && next < due.length && (deps.mayContinue?.() ?? true)) await one(due[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 1) }, worker));
  const { dead, paced, wakeInMs, ...counts } = result;
  return { ...counts, ...(dead ? { dead } : {}), ...(paced ? { paced } : {}), ...(wakeInMs !== undefined ? { wakeInMs } : {}) };
}
