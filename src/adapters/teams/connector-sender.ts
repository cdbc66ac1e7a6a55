import { SendFailure, type Notifier } from '../../ports/notifier';
import type { ConversationRef } from '../../ports/users';

export type TokenProvider = () => Promise<string | undefined>;

/** Seconds or an HTTP date, as Retry-After allows (RFC 9110, 10.2.3). */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

const PERMANENT = new Set([400, 403, 404, 405, 410, 413]);

/**
 * Proactive sends straight to the Bot Framework connector REST API (POST /v3/conversations/{id}/activities).
 * No hidden retries: the outbox decides when to try again, honouring Retry-After, so a throttled send never sleeps a worker.
 */
export class ConnectorSender implements Notifier {
  constructor(private readonly token: TokenProvider, private readonly timeoutMs = 15_000) {}

  async send(ref: ConversationRef, card: Readonly<Record<string, unknown>>, summary: string): Promise<{ activityId?: string }> {
    const res = await this.call('POST', ref, '', { type: 'message', summary, ...this.message(ref, card) });
    const answer = (await res.json().catch(() => ({}))) as { id?: unknown };
    return typeof answer.id === 'string' ? { activityId: answer.id } : {};
  }

  async update(ref: ConversationRef, activityId: string, card: Readonly<Record<string, unknown>>): Promise<void> {
    const res = await this.call('PUT', ref, `/${encodeURIComponent(activityId)}`, { type: 'message', id: activityId, ...this.message(ref, card) });
    await res.body?.cancel();
  }

  private message(ref: ConversationRef, card: Readonly<Record<string, unknown>>) {
    return {
      ...(ref.bot ? { from: ref.bot } : {}),
      conversation: ref.conversation,
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
    };
  }

  private async call(method: 'POST' | 'PUT', ref: ConversationRef, suffix: string, body: unknown): Promise<Response> {
    const serviceUrl = typeof ref.serviceUrl === 'string' ? ref.serviceUrl : undefined;
    const conversation = ref.conversation as { id?: unknown } | undefined;
    if (!serviceUrl || !/^https?:\/\//.test(serviceUrl) || typeof conversation?.id !== 'string') {
      throw new SendFailure('conversation reference has no service URL or conversation id', undefined, undefined, true);
    }
    const url = `${serviceUrl.replace(/\/+$/, '')}/v3/conversations/${encodeURIComponent(conversation.id)}/activities${suffix}`;
    const token = await this.token();
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new SendFailure(`connector unreachable: ${(e as Error).name}`, undefined, undefined, false);
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new SendFailure(`connector answered ${res.status}`, res.status, parseRetryAfter(res.headers.get('retry-after'), new Date()), PERMANENT.has(res.status));
    }
    return res;
  }
}

/** Tokens for the connector from the adapter's credentials (managed identity or secret); none in local mode. */
export function botFrameworkTokens(
  factory: { createCredentials(appId: string, audience: string | undefined, loginEndpoint: string, validateAuthority: boolean): Promise<unknown> },
  appId: string | undefined,
  tenantId: string | undefined,
): TokenProvider {
  if (!appId) return async () => undefined;
  let credentials: Promise<{ getToken?: (force?: boolean) => Promise<string> }> | undefined;
  return async () => {
    credentials ??= factory.createCredentials(appId, 'https://api.botframework.com', `https://login.microsoftonline.com/${tenantId ?? 'botframework.com'}`, true) as Promise<{
      getToken?: (force?: boolean) => Promise<string>;
    }>;
    const c = await credentials;
    if (!c.getToken) throw new Error('bot credentials cannot issue tokens');
    return c.getToken(false);
  };
}
