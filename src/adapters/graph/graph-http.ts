import { Client, HTTPMessageHandler, ResponseType, type Context, type Middleware } from '@microsoft/microsoft-graph-client';

/** A Graph answer that was not a success, after retries. Logged by status and code only (never the message: it may echo data). */
export class GraphRequestError extends Error {
  override readonly name = 'GraphRequestError';
  constructor(readonly status: number, readonly code: string, readonly retryable: boolean) {
    super(`Graph request failed: ${status} ${code}`);
  }
}

/** Sleep and time, injectable so retry tests never wait for real. */
export interface Waiter {
  sleep(ms: number): Promise<void>;
}
export const realWaiter: Waiter = { sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export interface RetryPolicy {
  /** Attempts per request, first included. */
  readonly maxAttempts: number;
  /** Total time one request may spend waiting before its failure is surfaced. */
  readonly budgetMs: number;
  /** Backoff when the service gives no Retry-After (doubled each attempt, with jitter). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}
/** For the bot: a user is waiting for the card, so give up after 10 s of waiting and let them try again. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, budgetMs: 10_000, baseDelayMs: 500, maxDelayMs: 8_000 };
/** For provisioning, import and export: nobody is waiting on a card; wait as long as SharePoint asks, within 10 minutes. */
export const BATCH_JOB_RETRY: RetryPolicy = { maxAttempts: 12, budgetMs: 600_000, baseDelayMs: 1_000, maxDelayMs: 60_000 };

const RETRYABLE = new Set([429, 503, 504]);

/** Delay before the next attempt: the service's Retry-After when given, else capped exponential backoff with jitter. */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfter: string | null | undefined, random: () => number = Math.random): number {
  const seconds = retryAfter ? Number(retryAfter) : NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000; // never shorter than asked: past the budget the caller surfaces the error instead
  const exp = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(exp / 2 + (random() * exp) / 2);
}

class BearerMiddleware implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly getToken: () => Promise<string>) {}
  async execute(context: Context): Promise<void> {
    const options = context.options ?? {};
    options.headers = { ...(options.headers as Record<string, string> | undefined), Authorization: `Bearer ${await this.getToken()}` };
    context.options = options;
    await this.next!.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * Retries 429/503/504 honouring Retry-After, and connections dropped before an answer, within a bounded budget;
 * then the last answer (or error) goes up. Replaying a write is safe here because every create the adapter sends
 * carries a unique key (a replay gets 409) and every update carries If-Match (a replay gets 412).
 */
class RetryMiddleware implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly policy: RetryPolicy, private readonly waiter: Waiter, private readonly onRetry: (status: number | 'network') => void) {}
  async execute(context: Context): Promise<void> {
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      let status: number | 'network';
      let retryAfter: string | null = null;
      try {
        await this.next!.execute(context);
        status = context.response?.status ?? 0;
        if (!RETRYABLE.has(status)) return;
        retryAfter = context.response!.headers.get('retry-after');
      } catch (e) {
        if (!isNetworkError(e)) throw e;
        status = 'network';
        if (attempt >= this.policy.maxAttempts) throw e;
      }
      const delay = retryDelay(this.policy, attempt, retryAfter);
      if (attempt >= this.policy.maxAttempts || waited + delay > this.policy.budgetMs) {
        if (status === 'network') throw new GraphRequestError(0, 'networkError', true);
        return; // surface the throttling answer
      }
      this.onRetry(status);
      waited += delay;
      await context.response?.body?.cancel().catch(() => undefined);
      await this.waiter.sleep(delay);
    }
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

export function isNetworkError(e: unknown): boolean {
  // Duck-typed: errors from Node's fetch come from another realm under test runners, so instanceof Error fails.
  if (typeof e !== 'object' || e === null) return false;
  if (e instanceof GraphRequestError) return e.status === 0;
  const { name, message } = e as { name?: unknown; message?: unknown };
  return name === 'TypeError' || (typeof message === 'string' && /fetch failed|socket|ECONNRESET|other side closed|terminated/i.test(message));
}

export interface GraphResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export interface BatchRequest {
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly dependsOn?: readonly string[];
}
export interface BatchResponse {
  readonly id: string;
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
}

export interface GraphHttpOptions {
  /** e.g. https://graph.microsoft.com/v1.0 */
  readonly baseUrl: string;
  readonly getToken: () => Promise<string>;
  readonly waiter?: Waiter;
  readonly retry?: RetryPolicy;
  readonly onRetry?: (status: number | 'network') => void;
}

/** The one way the adapter talks to Graph: SDK client with our auth and retry chain, JSON in and out, paging and batching. */
export class GraphHttp {
  readonly client: Client;
  readonly baseUrl: string;
  readonly waiter: Waiter;
  readonly retry: RetryPolicy;

  constructor(options: GraphHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const u = new URL(this.baseUrl);
    this.waiter = options.waiter ?? realWaiter;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.client = Client.initWithMiddleware({
      baseUrl: `${u.origin}/`,
      defaultVersion: u.pathname.replace(/^\/+|\/+$/g, ''),
      middleware: [new BearerMiddleware(options.getToken), new RetryMiddleware(this.retry, this.waiter, options.onRetry ?? (() => undefined)), new HTTPMessageHandler()],
    });
  }

  /** A path relative to the version root, from a relative path or an absolute URL Graph returned (nextLink). */
  relative(pathOrUrl: string): string {
    if (pathOrUrl.startsWith(this.baseUrl)) return pathOrUrl.slice(this.baseUrl.length);
    if (/^https?:\/\//.test(pathOrUrl)) throw new Error('absolute URL outside the Graph base');
    return pathOrUrl;
  }

  /** One request; answers any status (callers decide what a 404/409/412 means). */
  async send<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<GraphResponse<T>> {
    let req = this.client.api(this.relative(path)).responseType(ResponseType.RAW);
    for (const [k, v] of Object.entries(headers)) req = req.header(k, v);
    let res: Response;
    const m = method.toUpperCase();
    if (m === 'GET') res = (await req.get()) as Response;
    else if (m === 'POST') res = (await req.post(body ?? {})) as Response;
    else if (m === 'PATCH') res = (await req.patch(body ?? {})) as Response;
    else if (m === 'PUT') res = (await req.put(body)) as Response;
    else if (m === 'DELETE') res = (await req.delete()) as Response;
    else throw new Error(`unsupported method ${method}`);
    const contentType = res.headers.get('content-type') ?? '';
    let parsed: unknown;
    if (contentType.includes('json')) {
      const text = await res.text();
      parsed = text ? JSON.parse(text) : undefined;
    } else {
      parsed = Buffer.from(await res.arrayBuffer());
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** A request that must succeed (2xx); anything else throws GraphRequestError by status and code. */
  async call<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const r = await this.send<T>(method, path, body, headers);
    if (r.status >= 200 && r.status < 300) return r.body;
    throw errorOf(r.status, r.body);
  }

  /** Every page of a collection, following @odata.nextLink. */
  async all<T>(path: string, headers?: Record<string, string>): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const page: { value: T[]; '@odata.nextLink'?: string } = await this.call('GET', next, undefined, headers);
      out.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return out;
  }

  /**
   * JSON batching, at most 20 per envelope. Sub-requests throttled (429/503/504) are sent again, after the longest
   * Retry-After among them, within the retry budget; the final answers are returned by id.
   */
  async batch(requests: readonly BatchRequest[]): Promise<Map<string, BatchResponse>> {
    const answers = new Map<string, BatchResponse>();
    let pending = [...requests];
    let waited = 0;
    for (let attempt = 1; pending.length > 0; attempt++) {
      for (let i = 0; i < pending.length; i += 20) {
        const chunk = pending.slice(i, i + 20);
        const ids = new Set(chunk.map((r) => r.id));
        const envelope = {
          requests: chunk.map((r) => ({
            id: r.id,
            method: r.method,
            url: r.url,
            ...(r.body !== undefined ? { body: r.body, headers: { 'Content-Type': 'application/json', ...(r.headers ?? {}) } } : r.headers ? { headers: r.headers } : {}),
            ...(r.dependsOn ? { dependsOn: r.dependsOn.filter((d) => ids.has(d)) } : {}),
          })),
        };
        const res = await this.call<{ responses: BatchResponse[] }>('POST', '/$batch', envelope);
        for (const r of res.responses) answers.set(r.id, { ...r, headers: r.headers ?? {} });
      }
      const again = pending.filter((r) => {
        const a = answers.get(r.id);
        return !a || RETRYABLE.has(a.status) || a.status === 424;
      });
      if (again.length === 0 || attempt >= this.retry.maxAttempts) break;
      const delay = Math.max(
        0,
        ...again.map((r) => {
          const a = answers.get(r.id);
          return a && RETRYABLE.has(a.status) ? retryDelay(this.retry, attempt, headerOf(a.headers, 'retry-after')) : 0;
        }),
      );
      if (waited + delay > this.retry.budgetMs) break;
      waited += delay;
      if (delay > 0) await this.waiter.sleep(delay);
      pending = again;
    }
    return answers;
  }
}

function headerOf(headers: Record<string, string>, name: string): string | undefined {
  const k = Object.keys(headers).find((h) => h.toLowerCase() === name);
  return k ? headers[k] : undefined;
}

export function errorOf(status: number, body: unknown): GraphRequestError {
  const code = (body as { error?: { code?: string } } | undefined)?.error?.code ?? 'unknown';
  return new GraphRequestError(status, code, RETRYABLE.has(status));
}

/** Throw unless a batch answer is 2xx (or one of `accept`). */
export function expectOk(a: BatchResponse | undefined, accept: readonly number[] = []): BatchResponse {
  if (!a) throw new GraphRequestError(0, 'batchAnswerMissing', true);
  if ((a.status >= 200 && a.status < 300) || accept.includes(a.status)) return a;
  throw errorOf(a.status, a.body);
}
