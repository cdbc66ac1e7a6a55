import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly conversationId: string;
  readonly activityId?: string;
  readonly body: Record<string, unknown>;
}

/**
 * A stand-in for the Bot Framework connector (the `serviceUrl` Teams gives the bot): records every activity the bot
 * sends, replies, updates, and answers as the connector does. `failNext` makes the next calls fail with a status.
 */
export class LocalConnector {
  readonly received: Recorded[] = [];
  private server?: Server;
  private seq = 0;
  private failures: number[] = [];
  url = '';

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  failNext(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  /** Activities sent into a conversation (new messages and replies), in order. */
  sentTo(conversationId: string): Record<string, unknown>[] {
    return this.received.filter((r) => r.conversationId === conversationId && r.method === 'POST').map((r) => r.body);
  }

  cards(conversationId: string): Record<string, unknown>[] {
    return this.sentTo(conversationId).flatMap((a) => ((a.attachments as { contentType: string; content: Record<string, unknown> }[] | undefined) ?? []).filter((x) => x.contentType === 'application/vnd.microsoft.card.adaptive').map((x) => x.content));
  }

  texts(conversationId: string): string[] {
    return this.sentTo(conversationId).map((a) => a.text).filter((t): t is string => typeof t === 'string');
  }

  clear(): void {
    this.received.length = 0;
    this.failures = [];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = this.failures.shift();
    if (status) {
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '1' } : {}) });
      res.end(JSON.stringify({ error: { code: 'Test', message: 'injected failure' } }));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /\/v3\/conversations\/([^/]+)(?:\/activities(?:\/([^/]+))?)?/.exec(decodeURIComponent(url.pathname));
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const conversationId = m?.[1] ?? '';
    this.received.push({ method: req.method ?? '', path: url.pathname, conversationId, ...(m?.[2] ? { activityId: m[2] } : {}), body });
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.method === 'POST' && url.pathname.endsWith('/v3/conversations')) {
      res.end(JSON.stringify({ id: `conv-${++this.seq}`, activityId: `act-${++this.seq}` }));
    } else {
      res.end(JSON.stringify({ id: m?.[2] && req.method === 'PUT' ? m[2] : `act-${++this.seq}` }));
    }
  }
}
