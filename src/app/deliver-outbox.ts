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
  /** Called for messages that cannot be delivered yet, so admins see them (log, /healthz). */
  onWaiting?(message: OutboxMessage, reason: string): void;
}

const WAIT_RETRY_MS = 60_000;

function backoffMs(attempts: number): number {
  const base = Math.min(15 * 60_000, 1000 * 2 ** Math.min(attempts, 10));
  return base / 2 + Math.random() * (base / 2);
}

/** Send what is due in the outbox once; messages whose target is not linked yet wait, failures back off then go dead. */
export async function deliverOutbox(deps: OutboxDeliveryDeps, limit = 50): Promise<{ sent: number; waiting: number; failed: number }> {
  const now = deps.clock.now();
  const due = await deps.outbox.due(now, limit);
  let sent = 0;
  let waiting = 0;
  let failed = 0;
  for (const message of due) {
    const where = await deps.resolve(message.target);
    if (!where) {
      const reason = message.target.kind === 'user' ? 'user-not-installed' : 'channel-not-linked';
      await deps.outbox.markWaiting(message.id, reason, new Date(now.getTime() + WAIT_RETRY_MS));
      deps.onWaiting?.(message, reason);
      waiting++;
      continue;
    }
    try {
      const { card, summary } = deps.render(message, where.language);
      const result = await deps.notifier.send(where.ref, card, summary);
      await deps.outbox.markSent(message.id, result.activityId, deps.clock.now());
      sent++;
    } catch (e) {
      const attempts = message.attempts + 1;
      const failure = e instanceof SendFailure ? e : undefined;
      const dead = attempts >= deps.maxAttempts || failure?.permanent === true;
      // Honour the service's Retry-After when it gave one; otherwise exponential backoff with jitter.
      const waitMs = Math.max(backoffMs(attempts), failure?.retryAfterMs ?? 0);
      await deps.outbox.markFailed(message.id, e instanceof Error ? e.name + ': ' + e.message.slice(0, 200) : 'error', new Date(now.getTime() + waitMs), dead);
      failed++;
    }
  }
  return { sent, waiting, failed };
}
