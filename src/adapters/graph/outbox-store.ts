import type { DeadLetter, NewOutboxMessage, OutboxAdmin, OutboxMessage, OutboxState, OutboxStore } from '../../ports/outbox';
import { expectOk, type BatchRequest } from './graph-http';
import { str, type Fields, type Item, type SharePointSite } from './site';

export function outboxFields(m: NewOutboxMessage, at: Date): Fields {
  return {
    Title: m.key.slice(0, 255),
    Key: m.key,
    Target: JSON.stringify(m.target),
    Payload: JSON.stringify(m.payload),
    State: 'pending',
    Attempts: 0,
    NextAttemptAt: at.toISOString(),
    CreatedAt: at.toISOString(),
  };
}

export function outboxOf(i: Item): OutboxMessage {
  const f = i.fields;
  const lastError = str(f['LastError']);
  const sentAt = str(f['SentAt']);
  const activityId = str(f['ActivityId']);
  return {
    id: Number(i.id),
    key: String(f['Key']),
    target: JSON.parse(String(f['Target'])) as OutboxMessage['target'],
    payload: JSON.parse(String(f['Payload'])) as OutboxMessage['payload'],
    state: String(f['State']) as OutboxState,
    attempts: Number(f['Attempts'] ?? 0),
    nextAttemptAt: String(f['NextAttemptAt']),
    createdAt: String(f['CreatedAt']),
    ...(lastError ? { lastError } : {}),
    ...(sentAt ? { sentAt } : {}),
    ...(activityId ? { activityId } : {}),
  };
}

/** The outbox on a SharePoint list: the item id is the message id, the unique Key makes queueing idempotent. */
export class GraphOutboxStore implements OutboxStore {
  /** eTags seen by due(): the worker's update right after needs no extra read (a stale one costs a 412 and a read). */
  private readonly seen = new Map<number, Item>();

  constructor(private readonly site: SharePointSite) {}

  async enqueue(messages: readonly NewOutboxMessage[], at: Date): Promise<void> {
    if (messages.length === 0) return;
    this.site.guard('outbox');
    const path = await this.site.listPath('outbox');
    const requests: BatchRequest[] = messages.map((m, i) => ({ id: String(i), method: 'POST', url: `${path}/items`, body: { fields: outboxFields(m, at) } }));
    const answers = await this.site.http.batch(requests);
    for (const r of requests) expectOk(answers.get(r.id), [409]);
  }

  async due(now: Date, limit: number): Promise<OutboxMessage[]> {
    const items = await this.site.query('outbox', `(fields/State eq 'pending' or fields/State eq 'waiting') and fields/NextAttemptAt le '${now.toISOString()}'`, {
      orderby: 'fields/NextAttemptAt',
      top: limit,
    });
    this.seen.clear();
    for (const i of items) this.seen.set(Number(i.id), i);
    return items.map(outboxOf);
  }

  private async change(id: number, change: (f: Fields) => Fields): Promise<void> {
    const known = this.seen.get(id);
    this.seen.delete(id);
    await this.site.update('outbox', String(id), change, known);
  }

  async markSent(id: number, activityId: string | undefined, at: Date): Promise<void> {
    await this.change(id, () => ({ State: 'sent', SentAt: at.toISOString(), ActivityId: activityId ?? null, LastError: null }));
  }

  async markWaiting(id: number, reason: string, retryAt: Date): Promise<void> {
    await this.change(id, () => ({ State: 'waiting', LastError: reason, NextAttemptAt: retryAt.toISOString() }));
  }

  async markFailed(id: number, error: string, retryAt: Date, dead: boolean): Promise<void> {
    await this.change(id, (f) => ({ State: dead ? 'dead' : 'pending', Attempts: Number(f['Attempts'] ?? 0) + 1, LastError: error, NextAttemptAt: retryAt.toISOString() }));
  }

  async postpone(id: number, at: Date): Promise<void> {
    await this.change(id, () => ({ NextAttemptAt: at.toISOString() }));
  }

  async counts(): Promise<Record<OutboxState, number>> {
    const out: Record<OutboxState, number> = { pending: 0, waiting: 0, sent: 0, dead: 0 };
    for (const state of Object.keys(out) as OutboxState[]) {
      out[state] = (await this.site.query('outbox', `fields/State eq '${state}'`, { select: ['State'] })).length;
    }
    return out;
  }

  /** Every message, for admin views, export and tests. */
  async all(): Promise<OutboxMessage[]> {
    return (await this.site.query('outbox', '')).map(outboxOf).sort((a, b) => a.id - b.id);
  }
}

/** Admin views of the outbox: no payload data, only template, target kind, attempts and the last error. */
export class GraphOutboxAdmin implements OutboxAdmin {
  constructor(private readonly site: SharePointSite) {}

  async deadLetters(limit: number): Promise<DeadLetter[]> {
    const dead = (await this.site.query('outbox', "fields/State eq 'dead'")).map(outboxOf).sort((a, b) => b.id - a.id).slice(0, limit);
    return dead.map((m) => ({ id: m.id, template: m.payload.template, targetKind: m.target.kind, attempts: m.attempts, createdAt: m.createdAt, ...(m.lastError ? { lastError: m.lastError } : {}) }));
  }

  async notInstalled(limit: number): Promise<{ aadObjectId: string; waiting: number }[]> {
    const counts = new Map<string, number>();
    for (const m of (await this.site.query('outbox', "fields/State eq 'waiting'")).map(outboxOf)) {
      if (m.lastError !== 'user-not-installed' || m.target.kind !== 'user') continue;
      counts.set(m.target.aadObjectId, (counts.get(m.target.aadObjectId) ?? 0) + 1);
    }
    return [...counts].map(([aadObjectId, waiting]) => ({ aadObjectId, waiting })).sort((a, b) => b.waiting - a.waiting).slice(0, limit);
  }
}
