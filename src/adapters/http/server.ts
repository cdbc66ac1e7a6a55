import restify, { type Request, type Response, type Server } from 'restify';
import type { TeamsAdapter } from '@microsoft/teams-ai';
import type { TurnContext } from 'botbuilder';
import type { Logger } from '../log';
import { PRIVACY_HTML, TERMS_HTML } from './pages';

export interface HttpDeps {
  readonly adapter: TeamsAdapter;
  readonly run: (context: TurnContext) => Promise<unknown>;
  readonly health: () => Promise<{ ok: boolean } & Record<string, unknown>>;
  readonly log: Logger;
  readonly maxBodyBytes: number;
  /** Outside local mode: check the request's Bot Framework token first, so every failure is a plain 401. */
  readonly authenticate?: (activity: Record<string, unknown>, authHeader: string) => Promise<unknown>;
}

/** restify: POST /api/messages for the Bot Framework, GET /healthz, and the privacy and terms pages the manifest links. */
export function createHttpServer(deps: HttpDeps): Server {
  const server = restify.createServer({ name: 'inclusion-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: deps.maxBodyBytes, mapParams: false, mapFiles: false, rejectUnknown: true }));

  server.post('/api/messages', async (req: Request, res: Response) => {
    const type = String(req.headers['content-type'] ?? '');
    if (!type.toLowerCase().startsWith('application/json')) {
      res.send(415, { error: 'Content-Type must be application/json' });
      return;
    }
    const body = req.body as unknown;
    if (!body || typeof body !== 'object' || Array.isArray(body) || typeof (body as { type?: unknown }).type !== 'string') {
      res.send(400, { error: 'The body must be a Bot Framework activity' });
      return;
    }
    if (deps.authenticate) {
      try {
        await deps.authenticate(body as Record<string, unknown>, String(req.headers.authorization ?? ''));
      } catch (e) {
        deps.log.warn({ event: 'http.unauthorized', reason: (e as Error).name }, 'request refused: Bot Framework token missing or not valid');
        res.send(401, { error: 'Unauthorized' });
        return;
      }
    }
    try {
      await deps.adapter.process(req, res, async (context) => {
        await deps.run(context);
      });
    } catch (e) {
      deps.log.error({ event: 'http.error', err: { name: (e as Error).name, message: String((e as Error).message).slice(0, 300) } }, 'request failed');
      if (!res.headersSent) res.send(500, { error: 'internal error' });
    }
  });

  server.get('/healthz', async (_req: Request, res: Response) => {
    try {
      const health = await deps.health();
      res.send(health.ok ? 200 : 503, health);
    } catch {
      res.send(503, { ok: false });
    }
  });

  const page = (html: string) => async (_req: Request, res: Response) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.sendRaw(200, html);
  };
  server.get('/privacy', page(PRIVACY_HTML));
  server.get('/terms', page(TERMS_HTML));
  return server;
}
