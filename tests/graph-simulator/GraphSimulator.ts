/**
 * GraphSimulator: a real HTTP server on 127.0.0.1 (ephemeral port) that behaves like the slice of
 * Microsoft Graph v1.0 (plus a sliver of SharePoint REST) the SharePoint adapter uses. State is in memory.
 * See README.md in this folder for every behaviour followed, with links, and for what is deliberately left out.
 *
 * URL space served (origin = http://127.0.0.1:{port}):
 *   {origin}/v1.0/...                      Graph (sites, lists, columns, items, drives, permissions, $batch)
 *   {origin}/_upload/{sessionId}           upload-session URLs handed out by createUploadSession (no bearer token)
 *   {origin}/_download/{token}             pre-authenticated download URLs (302 target of .../content)
 *   {origin}/_sp/{hostname}{site-path}/_api/...   SharePoint REST sliver (unique permissions on lists)
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { err, GraphHttpError, graphErrorBody, SpRestError, spErrorBody } from './errors';
import { FaultInjector, type FaultDecision, type FaultKind } from './faults';
import {
  cmpValues, evalFilter, filterRefs, ODataSyntaxError, parseExpand, parseFilter, parseOrderBy, parseQuery, parseSelect,
  type FilterExpr, type OrderKey, type Resolved, type ValueKind,
} from './odata';
import {
  DEFAULT_SITE_ROLE_ASSIGNMENTS, ROLE_DEFINITIONS, ROLE_RANK,
  type ColumnRecord, type ColumnType, type DriveRecord, type Identity, type ItemRecord, type ListRecord, type ListTemplate,
  type PermissionRecord, type SiteRecord, type SiteRole, type TokenInfo, type UploadSessionRecord,
} from './model';

export interface GraphSimulatorOptions {
  /** Page size of list-item collections when $top is absent (default 200). */
  defaultPageSize?: number;
  /** Largest $top honoured; larger values are clamped (default 999). */
  maxPageSize?: number;
  /** SharePoint's list view threshold (default 5000). */
  listViewThreshold?: number;
  /** Largest body accepted by simple upload (PUT .../content), default 4 MiB; larger gets 413. */
  simpleUploadLimitBytes?: number;
  /** Indexed columns allowed per list (default 20, as SharePoint). */
  maxIndexedColumns?: number;
  /** Upload sessions expire this long after creation or the last fragment (default 20 minutes). */
  uploadSessionTtlMs?: number;
  /** Answer 401 when a PUT to an upload URL carries an Authorization header (default true). */
  rejectAuthorizationOnUploadUrl?: boolean;
  /** Return the responses of a $batch in reverse order, to prove clients correlate by id (default false). */
  reverseBatchResponses?: boolean;
  /** Clock (default: real time). */
  now?: () => Date;
}

export interface StartedSimulator {
  /** Graph version root, e.g. http://127.0.0.1:54321/v1.0 */
  baseUrl: string;
  /** http://127.0.0.1:54321 */
  origin: string;
  port: number;
}

export type RequestArea = 'graph' | 'upload' | 'download' | 'sharepoint' | 'unknown';

export interface RequestLogEntry {
  seq: number;
  method: string;
  /** For Graph: the path relative to the version root (e.g. /sites/x/lists); otherwise the full path. */
  path: string;
  query: string;
  area: RequestArea;
  /** True for a sub-request carried inside a $batch. */
  inBatch: boolean;
  /** True for the POST /$batch envelope itself. */
  batchEnvelope: boolean;
  /** HTTP status produced (also set for dropAfterApply, where the client never sees it); null when dropped before applying. */
  status: number | null;
  /** True when the socket was destroyed without a response. */
  dropped: boolean;
  fault?: FaultKind;
  appId?: string;
}

export interface SiteInfo {
  id: string;
  hostname: string;
  path: string;
  webUrl: string;
  displayName: string;
  name: string;
  defaultDriveId: string;
}

export interface ItemSnapshot {
  id: string;
  eTag: string;
  version: number;
  fields: Record<string, unknown>;
}

export interface ListSnapshot {
  id: string;
  name: string;
  displayName: string;
  template: ListTemplate;
  itemCount: number;
  driveId?: string;
  columns: Array<{ name: string; type: string; indexed: boolean; enforceUniqueValues: boolean }>;
  hasUniqueRoleAssignments: boolean;
  roleAssignments: Array<{ principalId: number; roleDefinitionIds: number[] }>;
}

interface SimRequest {
  area: RequestArea;
  method: string;
  path: string;
  rawQuery: string;
  query: Map<string, string>;
  headers: Record<string, string>;
  body: Buffer;
  inBatch: boolean;
  /** Preset for $batch sub-requests (the envelope's token). */
  token?: TokenInfo;
}

interface SimResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON body (serialised by the transport or embedded in a batch response). */
  json?: unknown;
  /** Raw body (file content). */
  raw?: Buffer;
}

interface Outcome {
  res?: SimResponse;
  dropped: boolean;
}

const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const CHUNK_MULTIPLE = 320 * 1024;
const MAX_FRAGMENT_BYTES = 60 * 1024 * 1024;
const MAX_BODY_BYTES = 128 * 1024 * 1024;
const SHAREPOINT_APP_LOOKUP_ID = '1073741822';
const NON_INDEXED_PREFER = 'honornonindexedquerieswarningmayfailrandomly';

function decodeSeg(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw err.badRequest(`Malformed percent-encoding in '${s}'`);
  }
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function guid(): string {
  return randomUUID();
}

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

function normaliseETag(v: string): string {
  return v.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1').replace(/[{}]/g, '').toLowerCase();
}

function parseJsonBody(r: SimRequest): Record<string, unknown> {
  if (r.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.body.toString('utf8'));
  } catch {
    throw new GraphHttpError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GraphHttpError(400, 'BadRequest', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function mimeFor(name: string): string {
  const ext = name.toLowerCase().split('.').pop() ?? '';
  const map: Record<string, string> = {
    txt: 'text/plain', json: 'application/json', pdf: 'application/pdf', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg',
    docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv', bin: 'application/octet-stream',
  };
  return map[ext] ?? 'application/octet-stream';
}

function applySelect(obj: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return obj;
  const wanted = new Set(select.map((s) => s.toLowerCase()));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k.startsWith('@odata.') || wanted.has(k.toLowerCase())) out[k] = v;
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class GraphSimulator {
  /** Seeded random faults and one-shot scripted faults (see faults.ts). */
  readonly faults = new FaultInjector();
  /** Fixed latency added to every HTTP request with a real setTimeout (for benchmarks). */
  latencyMs = 0;

  private readonly opts: Required<Omit<GraphSimulatorOptions, 'now'>>;
  private readonly now: () => Date;
  private server: http.Server | undefined;
  private origin = '';
  private sites: SiteRecord[] = [];
  private drives = new Map<string, DriveRecord>();
  private driveItems = new Map<string, { driveId: string; itemId: number }>();
  private tokens = new Map<string, TokenInfo>();
  private grantRequired = new Set<string>();
  private uploads = new Map<string, UploadSessionRecord>();
  private logEntries: RequestLogEntry[] = [];
  private seq = 0;
  private httpRequests = 0;

  constructor(options: GraphSimulatorOptions = {}) {
    this.opts = {
      defaultPageSize: options.defaultPageSize ?? 200,
      maxPageSize: options.maxPageSize ?? 999,
      listViewThreshold: options.listViewThreshold ?? 5000,
      simpleUploadLimitBytes: options.simpleUploadLimitBytes ?? 4 * 1024 * 1024,
      maxIndexedColumns: options.maxIndexedColumns ?? 20,
      uploadSessionTtlMs: options.uploadSessionTtlMs ?? 20 * 60 * 1000,
      rejectAuthorizationOnUploadUrl: options.rejectAuthorizationOnUploadUrl ?? true,
      reverseBatchResponses: options.reverseBatchResponses ?? false,
    };
    this.now = options.now ?? (() => new Date());
  }

  // ===========================================================================================
  // Lifecycle
  // ===========================================================================================

  async start(): Promise<StartedSimulator> {
    if (this.server) throw new Error('GraphSimulator already started');
    const server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`simulator bug: ${String(e instanceof Error ? e.stack : e)}`);
        } else {
          res.destroy();
        }
      });
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    this.origin = `http://127.0.0.1:${port}`;
    return { baseUrl: this.baseUrl, origin: this.origin, port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The Graph version root, e.g. http://127.0.0.1:54321/v1.0 (only after start()). */
  get baseUrl(): string {
    if (!this.origin) throw new Error('GraphSimulator not started');
    return `${this.origin}/v1.0`;
  }

  // ===========================================================================================
  // Test helpers: setup
  // ===========================================================================================

  /** Creates a site (with its default "Documents" library) at https://{hostname}{path}. */
  addSite(hostname: string, path: string, opts: { displayName?: string; description?: string } = {}): SiteInfo {
    const sitePath = ('/' + path.replace(/^\/+|\/+$/g, '')).replace(/^\/$/, '/');
    if (this.findSiteByPath(hostname, sitePath)) throw new Error(`site ${hostname}${sitePath} already exists`);
    const now = this.now();
    const name = sitePath === '/' ? hostname : (sitePath.split('/').pop() as string);
    const site: SiteRecord = {
      id: `${hostname},${guid()},${guid()}`,
      hostname,
      path: sitePath,
      name,
      displayName: opts.displayName ?? name,
      description: opts.description ?? '',
      created: now,
      lists: [],
      defaultDriveId: '',
      permissions: [],
      nextPermissionId: 1,
    };
    this.sites.push(site);
    const docs = this.createList(site, { displayName: 'Documents', template: 'documentLibrary', urlName: 'Shared Documents' });
    site.defaultDriveId = docs.driveId as string;
    return this.siteInfo(site);
  }

  /** Registers an opaque bearer token. Roles are application roles such as 'Sites.Selected' or 'Sites.FullControl.All'. */
  addToken(token: string, info: { appId: string; roles?: string[]; displayName?: string; credential?: 'certificate' | 'secret' }): void {
    this.tokens.set(token, {
      appId: info.appId,
      roles: info.roles ?? [],
      displayName: info.displayName ?? `App ${info.appId.slice(0, 8)}`,
      credential: info.credential ?? 'certificate',
    });
  }

  /** From now on, requests by this app need a site permission (Sites.Selected) on the site they touch, else 403. */
  requireSiteGrant(appId: string): void {
    this.grantRequired.add(appId);
  }

  /** Grants an app roles on a site without going through POST /sites/{id}/permissions. */
  grantSite(siteId: string, appId: string, roles: SiteRole[], appDisplayName = appId): void {
    const site = this.siteById(siteId);
    this.upsertPermission(site, appId, appDisplayName, roles);
  }

  /** SharePoint REST base for a site (append /_api/...). Accepts a site id or a site webUrl. */
  sharePointRestBaseUrl(siteIdOrWebUrl: string): string {
    const site = this.sites.find((s) => s.id.toLowerCase() === siteIdOrWebUrl.toLowerCase() || this.webUrl(s).toLowerCase() === siteIdOrWebUrl.replace(/\/+$/, '').toLowerCase());
    if (!site) throw new Error(`no site ${siteIdOrWebUrl}`);
    return this.spRestBase(site);
  }

  /** Inserts items directly (no HTTP, no log entry), validating fields as POST .../items does. Returns the new ids. */
  seedItems(siteId: string, listRef: string, rows: Array<Record<string, unknown>>): string[] {
    const site = this.siteById(siteId);
    const list = this.findList(site, listRef);
    if (!list) throw new Error(`no list ${listRef}`);
    const identity: Identity = { user: { displayName: 'Seed' } };
    return rows.map((fields) => String(this.createItem(list, fields, identity).id));
  }

  // ===========================================================================================
  // Test helpers: inspection
  // ===========================================================================================

  getSite(siteId: string): SiteInfo {
    return this.siteInfo(this.siteById(siteId));
  }

  getList(siteId: string, listRef: string): ListSnapshot | undefined {
    const list = this.findList(this.siteById(siteId), listRef);
    if (!list) return undefined;
    return {
      id: list.id,
      name: list.name,
      displayName: list.displayName,
      template: list.template,
      itemCount: list.items.size,
      ...(list.driveId ? { driveId: list.driveId } : {}),
      columns: list.columns.filter((c) => !c.system).map((c) => ({ name: c.name, type: c.type, indexed: c.indexed, enforceUniqueValues: c.enforceUniqueValues })),
      hasUniqueRoleAssignments: list.hasUniqueRoleAssignments,
      roleAssignments: [...list.roleAssignments.entries()].map(([principalId, defs]) => ({ principalId, roleDefinitionIds: [...defs] })),
    };
  }

  getItems(siteId: string, listRef: string): ItemSnapshot[] {
    const list = this.findList(this.siteById(siteId), listRef);
    if (!list) throw new Error(`no list ${listRef}`);
    return [...list.items.values()].map((it) => ({ id: String(it.id), eTag: this.itemETag(it), version: it.version, fields: { ...it.fields } }));
  }

  /** File bytes at a drive path such as 'Referrals/2024/a.pdf', or undefined. */
  getFileContent(driveId: string, path: string): Buffer | undefined {
    const drive = this.drives.get(driveId);
    if (!drive) return undefined;
    const list = this.listOfDrive(drive);
    const item = this.walk(list, 0, path.split('/').filter(Boolean));
    return item?.doc && !item.doc.isFolder ? Buffer.from(item.doc.content) : undefined;
  }

  /** Every request seen, in arrival order (sub-requests of a $batch are separate entries). */
  get log(): readonly RequestLogEntry[] {
    return this.logEntries;
  }

  /**
   * Number of requests served, counting each request inside a $batch individually and not counting
   * the $batch envelope itself unless includeBatchEnvelopes is set.
   */
  requestCount(filter: { method?: string; path?: RegExp; area?: RequestArea; includeBatchEnvelopes?: boolean } = {}): number {
    return this.logEntries.filter(
      (e) =>
        (filter.includeBatchEnvelopes || !e.batchEnvelope) &&
        (!filter.method || e.method === filter.method.toUpperCase()) &&
        (!filter.path || filter.path.test(e.path)) &&
        (!filter.area || e.area === filter.area),
    ).length;
  }

  /** Number of HTTP round trips received (a $batch counts once). */
  httpRequestCount(): number {
    return this.httpRequests;
  }

  clearLog(): void {
    this.logEntries = [];
    this.httpRequests = 0;
  }

  /** Forgets all state: sites, tokens, grants, upload sessions, faults, log. The server keeps running. */
  reset(): void {
    this.sites = [];
    this.drives.clear();
    this.driveItems.clear();
    this.tokens.clear();
    this.grantRequired.clear();
    this.uploads.clear();
    this.faults.clear();
    this.latencyMs = 0;
    this.clearLog();
  }

  /** Makes every open upload session expire now (their URLs then answer 404). */
  expireUploadSessions(): void {
    const past = new Date(this.now().getTime() - 1000);
    for (const s of this.uploads.values()) s.expires = past;
  }

  // ===========================================================================================
  // Transport
  // ===========================================================================================

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.httpRequests++;
    const body = await this.readBody(req);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const url = req.url ?? '/';
    const qIdx = url.indexOf('?');
    const rawPath = qIdx === -1 ? url : url.slice(0, qIdx);
    const rawQuery = qIdx === -1 ? '' : url.slice(qIdx + 1);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    let area: RequestArea = 'unknown';
    let path = rawPath;
    if (rawPath === '/v1.0' || rawPath.startsWith('/v1.0/')) {
      area = 'graph';
      path = rawPath.slice(5) || '/';
    } else if (rawPath.startsWith('/_upload/')) area = 'upload';
    else if (rawPath.startsWith('/_download/')) area = 'download';
    else if (rawPath.startsWith('/_sp/')) area = 'sharepoint';

    let query: Map<string, string>;
    try {
      query = parseQuery(rawQuery);
    } catch {
      query = new Map();
    }
    const outcome = await this.run({ area, method: (req.method ?? 'GET').toUpperCase(), path, rawQuery, query, headers, body, inBatch: false });
    if (outcome.dropped || !outcome.res) {
      req.socket.destroy();
      return;
    }
    const r = outcome.res;
    const outHeaders: Record<string, string> = { ...r.headers };
    let payload: Buffer | undefined;
    if (r.raw) payload = r.raw;
    else if (r.json !== undefined) {
      payload = Buffer.from(JSON.stringify(r.json), 'utf8');
      if (!Object.keys(outHeaders).some((k) => k.toLowerCase() === 'content-type')) outHeaders['Content-Type'] = GRAPH_JSON;
    }
    if (payload) outHeaders['Content-Length'] = String(payload.length);
    res.writeHead(r.status, outHeaders);
    res.end(payload);
  }

  private readBody(req: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy();
          reject(new Error('request body too large for the simulator'));
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  /** Runs one request (top-level or inside a $batch): auth, faults, handler, logging. */
  private async run(r: SimRequest): Promise<Outcome> {
    const isEnvelope = r.area === 'graph' && (r.path === '/$batch' || r.path.toLowerCase() === '/%24batch');
    const entry: RequestLogEntry = {
      seq: ++this.seq, method: r.method, path: r.path, query: r.rawQuery, area: r.area,
      inBatch: r.inBatch, batchEnvelope: isEnvelope, status: null, dropped: false,
    };
    this.logEntries.push(entry);
    const requestId = guid();
    let decision: FaultDecision | undefined;
    try {
      if (r.area === 'graph') {
        const tok = r.token ?? this.authenticateGraph(r);
        r.token = tok;
        entry.appId = tok.appId;
      }
      decision = this.faults.decide({
        method: r.method, path: r.path, inBatch: r.inBatch, isBatchEnvelope: isEnvelope, hasIfMatch: r.headers['if-match'] !== undefined,
      });
      if (decision) entry.fault = decision.kind;
      if (decision?.kind === 'drop') {
        entry.dropped = true;
        return { dropped: true };
      }
      if (decision && decision.kind !== 'dropAfterApply') throw this.faultError(decision);
      const res = await this.handle(r);
      res.headers['request-id'] = requestId;
      res.headers['client-request-id'] = r.headers['client-request-id'] ?? requestId;
      entry.status = res.status;
      if (decision?.kind === 'dropAfterApply') {
        entry.dropped = true;
        return { res, dropped: true };
      }
      return { res, dropped: false };
    } catch (e) {
      const res = this.errorResponse(e, r, requestId);
      entry.status = res.status;
      // dropAfterApply: whatever the request produced (even an error), the client never hears it.
      if (decision?.kind === 'dropAfterApply') {
        entry.dropped = true;
        return { res, dropped: true };
      }
      return { res, dropped: false };
    }
  }

  private faultError(d: FaultDecision): GraphHttpError {
    const retry = { 'Retry-After': String(d.retryAfterSeconds) };
    switch (d.kind) {
      case '429':
        return new GraphHttpError(429, 'activityLimitReached', 'The request has been throttled', 'throttledRequest', retry);
      case '503':
        return new GraphHttpError(503, 'serviceNotAvailable', 'The service is temporarily unavailable. Please retry after some time.', undefined, retry);
      case '504':
        return new GraphHttpError(504, 'generalException', 'The operation has timed out.');
      case '412':
        return err.preconditionFailed();
      default:
        return new GraphHttpError(500, 'generalException', `unexpected fault kind ${d.kind}`);
    }
  }

  private errorResponse(e: unknown, r: SimRequest, requestId: string): SimResponse {
    if (r.area === 'sharepoint') {
      const verbose = (r.headers['accept'] ?? '').includes('odata=verbose');
      const spe = e instanceof SpRestError
        ? e
        : e instanceof GraphHttpError
          ? new SpRestError(e.status, e.code, e.message)
          : new SpRestError(500, '-2146233088, System.Exception', String(e));
      const headers: Record<string, string> = { 'Content-Type': `application/json;odata=${verbose ? 'verbose' : 'nometadata'};charset=utf-8` };
      if (e instanceof GraphHttpError) Object.assign(headers, e.headers);
      if (spe.status === 401) headers['WWW-Authenticate'] = 'Bearer realm="simulated", client_id="00000003-0000-0ff1-ce00-000000000000"';
      return { status: spe.status, headers, json: spErrorBody(spe, verbose) };
    }
    const ge = e instanceof GraphHttpError
      ? e
      : e instanceof ODataSyntaxError
        ? err.badRequest(e.message)
        : new GraphHttpError(500, 'generalException', e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e));
    return {
      status: ge.status,
      headers: { 'Content-Type': GRAPH_JSON, ...ge.headers, 'request-id': requestId, 'client-request-id': r.headers['client-request-id'] ?? requestId },
      json: graphErrorBody(ge, requestId, r.headers['client-request-id'], this.now()),
    };
  }

  private authenticateGraph(r: SimRequest): TokenInfo {
    const h = r.headers['authorization'];
    if (!h || !/^bearer\s+\S/i.test(h)) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const tok = this.tokens.get(h.replace(/^bearer\s+/i, '').trim());
    if (!tok) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    return tok;
  }

  private handle(r: SimRequest): Promise<SimResponse> | SimResponse {
    switch (r.area) {
      case 'graph': return this.handleGraph(r, r.token as TokenInfo);
      case 'upload': return this.handleUploadUrl(r);
      case 'download': return this.handleDownload(r);
      case 'sharepoint': return this.handleSharePointRest(r);
      default: return { status: 404, headers: { 'Content-Type': 'text/plain' }, raw: Buffer.from('Not Found') };
    }
  }

  // ===========================================================================================
  // Graph routing
  // ===========================================================================================

  private async handleGraph(r: SimRequest, tok: TokenInfo): Promise<SimResponse> {
    const p = r.path;
    if (p === '/$batch' || p.toLowerCase() === '/%24batch') {
      if (r.inBatch) throw err.badRequest('A $batch request cannot contain another $batch request.');
      if (r.method !== 'POST') throw err.methodNotAllowed();
      return this.handleBatch(r, tok);
    }
    if (p.startsWith('/sites/')) return this.routeSites(r, tok, p.slice('/sites/'.length));
    if (p.startsWith('/drives/')) {
      const rest = p.slice('/drives/'.length);
      const cut = rest.search(/[/:]/);
      const driveId = decodeSeg(cut === -1 ? rest : rest.slice(0, cut));
      const drive = this.drives.get(driveId);
      if (!drive) throw err.notFound('The requested drive could not be found.');
      this.authorizeSite(tok, this.siteById(drive.siteId), r.method);
      return this.routeDrive(r, tok, drive, cut === -1 ? '' : rest.slice(cut));
    }
    throw err.unknownSegment(decodeSeg(p.split('/')[1] ?? ''));
  }

  private routeSites(r: SimRequest, tok: TokenInfo, rest: string): SimResponse {
    if (rest === '') throw err.badRequest('A site id or hostname is required.');
    const firstSlash = rest.indexOf('/');
    const firstSeg = firstSlash === -1 ? rest : rest.slice(0, firstSlash);
    let site: SiteRecord | undefined;
    let remainder: string;
    const colon = firstSeg.indexOf(':');
    if (colon !== -1) {
      // /sites/{hostname}:/{server-relative-path}[:/more]
      const hostname = decodeSeg(firstSeg.slice(0, colon));
      const after = rest.slice(colon + 1);
      const c2 = after.indexOf(':');
      const sitePath = decodeSeg(c2 === -1 ? after : after.slice(0, c2)).replace(/\/+$/, '') || '/';
      remainder = c2 === -1 ? '' : after.slice(c2 + 1);
      site = this.findSiteByPath(hostname, sitePath.startsWith('/') ? sitePath : `/${sitePath}`);
    } else {
      const idOrHost = decodeSeg(firstSeg);
      remainder = firstSlash === -1 ? '' : rest.slice(firstSlash);
      site = this.sites.find((s) => s.id.toLowerCase() === idOrHost.toLowerCase());
      if (!site && !idOrHost.includes(',')) site = this.findSiteByPath(idOrHost, '/');
    }
    if (!site) throw err.notFound('Requested site could not be found');
    const segs = remainder.split('/').filter((s) => s.length > 0);
    const head = segs[0];
    if (head === 'permissions') return this.routePermissions(r, tok, site, segs.slice(1).map(decodeSeg));
    this.authorizeSite(tok, site, r.method);
    if (head === undefined) {
      if (r.method !== 'GET') throw err.methodNotAllowed();
      return this.ok(200, applySelect(this.siteJson(site), parseSelect(r.query.get('$select'))));
    }
    if (head === 'lists') return this.routeLists(r, tok, site, segs.slice(1).map(decodeSeg));
    if (head === 'drive') return this.routeDrive(r, tok, this.driveById(site.defaultDriveId), remainder.slice('/drive'.length));
    if (head === 'drives') {
      if (segs.length === 1) {
        if (r.method !== 'GET') throw err.methodNotAllowed();
        const drives = site.lists.filter((l) => l.driveId).map((l) => this.driveJson(this.driveById(l.driveId as string)));
        return this.ok(200, { '@odata.context': `${this.baseUrl}/$metadata#drives`, value: drives });
      }
      const rest = remainder.slice('/drives/'.length);
      const cut = rest.search(/[/:]/);
      const drive = this.drives.get(decodeSeg(cut === -1 ? rest : rest.slice(0, cut)));
      if (!drive || drive.siteId !== site.id) throw err.notFound('The requested drive could not be found.');
      return this.routeDrive(r, tok, drive, cut === -1 ? '' : rest.slice(cut));
    }
    throw err.unknownSegment(decodeSeg(head));
  }

  // ===========================================================================================
  // Authorisation (Sites.Selected)
  // ===========================================================================================

  private authorizeSite(tok: TokenInfo, site: SiteRecord, method: string, need?: SiteRole): void {
    if (!this.grantRequired.has(tok.appId)) return;
    const required: SiteRole = need ?? (method === 'GET' || method === 'HEAD' ? 'read' : 'write');
    const perm = site.permissions.find((p) => p.appId === tok.appId);
    const rank = perm ? Math.max(0, ...perm.roles.map((role) => ROLE_RANK[role])) : 0;
    if (rank < ROLE_RANK[required]) throw err.accessDenied('Access denied');
  }

  private routePermissions(r: SimRequest, tok: TokenInfo, site: SiteRecord, segs: string[]): SimResponse {
    if (!tok.roles.includes('Sites.FullControl.All')) throw err.accessDenied('Either scp or roles claim need to be present in the token.');
    const permJson = (p: PermissionRecord): Record<string, unknown> => {
      const identity = [{ application: { id: p.appId, displayName: p.appDisplayName } }];
      return { id: p.id, roles: [...p.roles], grantedToIdentities: identity, grantedToIdentitiesV2: identity };
    };
    if (segs.length === 0) {
      if (r.method === 'GET') return this.ok(200, { value: site.permissions.map(permJson) });
      if (r.method !== 'POST') throw err.methodNotAllowed();
      const body = parseJsonBody(r);
      const roles = this.parseRoles(body['roles']);
      const ids = (body['grantedToIdentitiesV2'] ?? body['grantedToIdentities']) as unknown;
      const first = Array.isArray(ids) ? (ids[0] as Record<string, unknown> | undefined) : undefined;
      const app = first?.['application'] as Record<string, unknown> | undefined;
      if (!app || typeof app['id'] !== 'string') throw err.badRequest('grantedToIdentities must contain an application with an id.');
      const p = this.upsertPermission(site, app['id'], typeof app['displayName'] === 'string' ? app['displayName'] : app['id'], roles);
      return this.ok(201, permJson(p));
    }
    const p = site.permissions.find((x) => x.id === segs[0]);
    if (!p || segs.length > 1) throw err.notFound('Permission not found');
    if (r.method === 'GET') return this.ok(200, permJson(p));
    if (r.method === 'PATCH') {
      p.roles = this.parseRoles(parseJsonBody(r)['roles']);
      return this.ok(200, permJson(p));
    }
    if (r.method === 'DELETE') {
      site.permissions = site.permissions.filter((x) => x !== p);
      return { status: 204, headers: {} };
    }
    throw err.methodNotAllowed();
  }

  private parseRoles(v: unknown): SiteRole[] {
    if (!Array.isArray(v) || v.length === 0) throw err.badRequest('roles must be a non-empty array.');
    return v.map((x) => {
      if (typeof x !== 'string' || !(x in ROLE_RANK)) throw err.badRequest(`Invalid role '${String(x)}'. Expected read, write, manage, owner or fullcontrol.`);
      return x as SiteRole;
    });
  }

  private upsertPermission(site: SiteRecord, appId: string, displayName: string, roles: SiteRole[]): PermissionRecord {
    const existing = site.permissions.find((p) => p.appId === appId);
    if (existing) {
      existing.roles = roles;
      return existing;
    }
    const p: PermissionRecord = { id: b64url(`aTowaS50fG1zLnNwLmV4dHwk${site.nextPermissionId++}`), roles, appId, appDisplayName: displayName };
    site.permissions.push(p);
    return p;
  }

  // ===========================================================================================
  // Lists and columns
  // ===========================================================================================

  private routeLists(r: SimRequest, tok: TokenInfo, site: SiteRecord, segs: string[]): SimResponse {
    if (segs.length === 0) {
      if (r.method === 'GET') return this.listLists(r, site);
      if (r.method === 'POST') return this.postList(r, site);
      throw err.methodNotAllowed();
    }
    const list = this.findList(site, segs[0] as string);
    if (!list) throw err.notFound(`List '${segs[0] as string}' does not exist at site with URL '${this.webUrl(site)}'.`);
    const sub = segs[1];
    if (sub === undefined) {
      if (r.method !== 'GET') throw err.methodNotAllowed();
      const json = this.listJson(site, list);
      if (parseExpand(r.query.get('$expand')).some((e) => e.name === 'columns')) json['columns'] = list.columns.map((c) => this.columnJson(c));
      return this.ok(200, applySelect(json, parseSelect(r.query.get('$select'))));
    }
    if (sub === 'columns') return this.routeColumns(r, list, segs.slice(2));
    if (sub === 'items') return this.routeItems(r, tok, site, list, segs.slice(2));
    if (sub === 'drive' && segs.length === 2) {
      if (!list.driveId) throw err.notFound('This list is not a document library.');
      return this.ok(200, this.driveJson(this.driveById(list.driveId)));
    }
    throw err.unknownSegment(sub);
  }

  private listLists(r: SimRequest, site: SiteRecord): SimResponse {
    const filterText = r.query.get('$filter');
    const filter = filterText ? parseFilter(filterText) : undefined;
    const select = parseSelect(r.query.get('$select'));
    const value = site.lists
      .filter((l) => !filter || evalFilter(filter, (path) => this.resolveListProp(l, path)))
      .map((l) => applySelect(this.listJson(site, l), select));
    return this.ok(200, { '@odata.context': `${this.baseUrl}/$metadata#sites('${site.id}')/lists`, value });
  }

  private resolveListProp(l: ListRecord, path: string): Resolved {
    switch (path.toLowerCase()) {
      case 'displayname': return { kind: 'text', value: l.displayName };
      case 'name': return { kind: 'text', value: l.name };
      case 'id': return { kind: 'text', value: l.id };
      case 'description': return { kind: 'text', value: l.description };
      case 'list/template': return { kind: 'text', value: l.template };
      case 'createddatetime': return { kind: 'dateTime', value: l.created.toISOString() };
      case 'lastmodifieddatetime': return { kind: 'dateTime', value: l.modified.toISOString() };
      default: throw err.badRequest(`Could not find a property named '${path}' on type 'microsoft.graph.list'.`);
    }
  }

  private postList(r: SimRequest, site: SiteRecord): SimResponse {
    const body = parseJsonBody(r);
    const displayName = body['displayName'];
    if (typeof displayName !== 'string' || displayName.trim() === '') throw err.badRequest('displayName is required.');
    const listFacet = (body['list'] ?? {}) as Record<string, unknown>;
    const template = (listFacet['template'] ?? 'genericList') as string;
    if (template !== 'genericList' && template !== 'documentLibrary') throw err.notSupported(`The simulator supports list templates genericList and documentLibrary, not '${template}'.`);
    const columns = body['columns'] ?? [];
    if (!Array.isArray(columns)) throw err.badRequest('columns must be an array.');
    if (this.findListByTitle(site, displayName)) {
      throw err.conflict('A list, survey, discussion board, or document library with the specified title already exists in this Web site.  Please choose another title.');
    }
    // Validate every column before creating anything, so a bad column leaves no half-made list behind.
    const parsed = columns.map((c: unknown) => this.parseColumnDefinition(c));
    const list = this.createList(site, { displayName, template, description: typeof body['description'] === 'string' ? body['description'] : '' });
    for (const c of parsed) this.addColumn(list, c);
    return this.ok(201, this.listJson(site, list));
  }

  private createList(site: SiteRecord, o: { displayName: string; template: ListTemplate; description?: string; urlName?: string }): ListRecord {
    const now = this.now();
    const name = o.urlName ?? (o.displayName.replace(/[^A-Za-z0-9_-]/g, '') || 'List');
    const list: ListRecord = {
      id: guid(),
      siteId: site.id,
      name,
      displayName: o.displayName,
      description: o.description ?? '',
      template: o.template,
      urlPath: o.template === 'documentLibrary' ? name : `Lists/${name}`,
      created: now,
      modified: now,
      columns: [],
      items: new Map(),
      nextItemId: 1,
      hasUniqueRoleAssignments: false,
      roleAssignments: new Map(),
    };
    const sys = (name: string, displayName: string, type: ColumnType, system: ColumnRecord['system'], indexed = false): ColumnRecord => ({
      id: guid(), name, displayName, description: '', type, facet: {}, indexed, enforceUniqueValues: false, required: false, readOnly: true, hidden: false, system,
    });
    list.columns.push(
      { id: guid(), name: 'Title', displayName: 'Title', description: '', type: 'text', facet: { allowMultipleLines: false, appendChangesToExistingText: false, linesForEditing: 0, maxLength: 255 }, indexed: false, enforceUniqueValues: false, required: o.template === 'genericList', readOnly: false, hidden: false },
      sys('ID', 'ID', 'number', 'id', true),
      sys('Created', 'Created', 'dateTime', 'created'),
      sys('Modified', 'Modified', 'dateTime', 'modified'),
      sys('Author', 'Created By', 'personOrGroup', 'author'),
      sys('Editor', 'Modified By', 'personOrGroup', 'editor'),
    );
    if (o.template === 'documentLibrary') {
      list.columns.push(sys('FileLeafRef', 'Name', 'text', 'fileLeafRef'));
      const drive: DriveRecord = { id: `b!${Buffer.from(guid().replace(/-/g, '') + guid().replace(/-/g, ''), 'hex').toString('base64url')}`, siteId: site.id, listId: list.id, rootId: this.newDriveItemId(), created: now };
      this.drives.set(drive.id, drive);
      list.driveId = drive.id;
    }
    site.lists.push(list);
    return list;
  }

  private routeColumns(r: SimRequest, list: ListRecord, segs: string[]): SimResponse {
    if (segs.length === 0) {
      if (r.method === 'GET') return this.ok(200, { value: list.columns.map((c) => this.columnJson(c)) });
      if (r.method === 'POST') {
        const col = this.addColumn(list, this.parseColumnDefinition(parseJsonBody(r)));
        return this.ok(201, this.columnJson(col));
      }
      throw err.methodNotAllowed();
    }
    const ref = (segs[0] as string).toLowerCase();
    const col = list.columns.find((c) => c.id.toLowerCase() === ref || c.name.toLowerCase() === ref);
    if (!col || segs.length > 1) throw err.notFound('Column not found');
    if (r.method === 'GET') return this.ok(200, this.columnJson(col));
    if (r.method === 'PATCH') {
      const body = parseJsonBody(r);
      const indexed = body['indexed'] === undefined ? col.indexed : body['indexed'] === true;
      const unique = body['enforceUniqueValues'] === undefined ? col.enforceUniqueValues : body['enforceUniqueValues'] === true;
      if (unique && !indexed) throw err.badRequest('You must index this column to enforce unique values.');
      if (indexed && !col.indexed) this.checkIndexable(col);
      if (indexed && !col.indexed && this.indexedCount(list) >= this.opts.maxIndexedColumns) {
        throw err.badRequest(`A list cannot have more than ${this.opts.maxIndexedColumns} indexed columns.`);
      }
      if (unique && !col.enforceUniqueValues && this.hasDuplicates(list, col)) {
        throw err.badRequest('This field contains duplicate values. Remove all duplicate values and try the operation again.');
      }
      if (col.system && (body['displayName'] !== undefined || body['required'] !== undefined)) throw err.badRequest(`Column '${col.name}' is read-only.`);
      col.indexed = indexed;
      col.enforceUniqueValues = unique;
      if (typeof body['displayName'] === 'string') col.displayName = body['displayName'];
      if (typeof body['description'] === 'string') col.description = body['description'];
      if (typeof body['required'] === 'boolean') col.required = body['required'];
      list.modified = this.now();
      return this.ok(200, this.columnJson(col));
    }
    throw err.methodNotAllowed();
  }

  private parseColumnDefinition(raw: unknown): ColumnRecord {
    if (typeof raw !== 'object' || raw === null) throw err.badRequest('A column definition must be an object.');
    const c = raw as Record<string, unknown>;
    const name = c['name'];
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw err.badRequest(`Column name '${String(name)}' is not valid (the simulator accepts letters, digits and underscores).`);
    }
    const types: ColumnType[] = ['text', 'number', 'dateTime', 'boolean', 'choice', 'personOrGroup'];
    const present = types.filter((t) => c[t] !== undefined);
    const unsupported = ['lookup', 'currency', 'calculated', 'hyperlinkOrPicture', 'geolocation', 'term', 'thumbnail', 'contentApprovalStatus', 'hyperlink'].filter((t) => c[t] !== undefined);
    if (unsupported.length > 0) throw err.notSupported(`The simulator does not support ${unsupported.join(', ')} columns.`);
    if (present.length !== 1) throw err.badRequest('Exactly one column type facet (text, number, dateTime, boolean, choice, personOrGroup) must be given.');
    const type = present[0] as ColumnType;
    const given = (c[type] ?? {}) as Record<string, unknown>;
    const defaults: Record<ColumnType, Record<string, unknown>> = {
      text: { allowMultipleLines: false, appendChangesToExistingText: false, linesForEditing: 0, maxLength: 255 },
      number: { decimalPlaces: 'automatic', displayAs: 'number' },
      dateTime: { displayAs: 'default', format: 'dateTime' },
      boolean: {},
      choice: { allowTextEntry: false, choices: [], displayAs: 'dropDownMenu' },
      personOrGroup: { allowMultipleSelection: false, chooseFromType: 'peopleOnly', displayAs: 'account' },
    };
    const facet = { ...defaults[type], ...given };
    if (type === 'choice' && !Array.isArray(facet['choices'])) throw err.badRequest('choice.choices must be an array of strings.');
    if (type === 'personOrGroup' && facet['allowMultipleSelection'] === true) throw err.notSupported('The simulator supports single-value personOrGroup columns only.');
    const indexed = c['indexed'] === true;
    const unique = c['enforceUniqueValues'] === true;
    if (unique && !indexed) throw err.badRequest('You must index this column to enforce unique values.');
    const col: ColumnRecord = {
      id: guid(),
      name,
      displayName: typeof c['displayName'] === 'string' ? c['displayName'] : name,
      description: typeof c['description'] === 'string' ? c['description'] : '',
      type,
      facet,
      indexed,
      enforceUniqueValues: unique,
      required: c['required'] === true,
      readOnly: false,
      hidden: c['hidden'] === true,
    };
    if (indexed) this.checkIndexable(col);
    return col;
  }

  /** SharePoint cannot index multiple lines of text (nor multi-value columns, which the simulator does not have). */
  private checkIndexable(col: ColumnRecord): void {
    if (col.type === 'text' && col.facet['allowMultipleLines'] === true) {
      throw err.badRequest(`Column '${col.name}' cannot be indexed: multiple lines of text columns do not support indexes.`);
    }
  }

  private addColumn(list: ListRecord, col: ColumnRecord): ColumnRecord {
    if (list.columns.some((x) => x.name.toLowerCase() === col.name.toLowerCase())) {
      throw err.conflict(`A duplicate field name "${col.name}" was found.`);
    }
    if (col.indexed && this.indexedCount(list) >= this.opts.maxIndexedColumns) {
      throw err.badRequest(`A list cannot have more than ${this.opts.maxIndexedColumns} indexed columns.`);
    }
    list.columns.push(col);
    list.modified = this.now();
    return col;
  }

  private indexedCount(list: ListRecord): number {
    return list.columns.filter((c) => c.indexed && c.system !== 'id').length;
  }

  private hasDuplicates(list: ListRecord, col: ColumnRecord): boolean {
    const seen = new Set<string>();
    for (const it of list.items.values()) {
      const v = this.storedValue(it, col);
      if (v === undefined || v === null) continue;
      const k = typeof v === 'string' ? v.toLowerCase() : JSON.stringify(v);
      if (seen.has(k)) return true;
      seen.add(k);
    }
    return false;
  }

  // ===========================================================================================
  // List items
  // ===========================================================================================

  private routeItems(r: SimRequest, tok: TokenInfo, site: SiteRecord, list: ListRecord, segs: string[]): SimResponse {
    const identity = this.identityOf(tok);
    if (segs.length === 0) {
      if (r.method === 'GET') return this.listItems(r, site, list);
      if (r.method === 'POST') {
        if (list.template === 'documentLibrary') throw err.notSupported('Create files in a document library through the drive API (PUT .../content or an upload session).');
        const body = parseJsonBody(r);
        const fields = body['fields'];
        if (fields !== undefined && (typeof fields !== 'object' || fields === null || Array.isArray(fields))) throw err.badRequest('fields must be an object.');
        const item = this.createItem(list, (fields ?? {}) as Record<string, unknown>, identity);
        return this.ok(201, this.listItemJson(site, list, item, { expandFields: true }), { ETag: this.itemETagHeader(item) });
      }
      throw err.methodNotAllowed();
    }
    const idText = segs[0] as string;
    const item = /^\d+$/.test(idText) ? list.items.get(Number(idText)) : undefined;
    if (!item) throw err.notFound('The specified list item was not found.');
    const sub = segs[1];
    if (sub === undefined) {
      if (r.method === 'GET') {
        const expand = parseExpand(r.query.get('$expand')).find((e) => e.name === 'fields');
        const json = this.listItemJson(site, list, item, { expandFields: expand !== undefined, ...(expand?.select ? { fieldsSelect: expand.select } : {}) });
        return this.ok(200, applySelect(json, this.topSelect(r)), { ETag: this.itemETagHeader(item) });
      }
      if (r.method === 'PATCH') {
        this.checkIfMatch(r, item);
        const body = parseJsonBody(r);
        const fields = body['fields'];
        if (fields !== undefined && (typeof fields !== 'object' || fields === null || Array.isArray(fields))) throw err.badRequest('fields must be an object.');
        this.updateItem(list, item, (fields ?? {}) as Record<string, unknown>, identity);
        return this.ok(200, this.listItemJson(site, list, item, { expandFields: true }), { ETag: this.itemETagHeader(item) });
      }
      if (r.method === 'DELETE') {
        this.checkIfMatch(r, item);
        this.deleteItem(list, item);
        return { status: 204, headers: {} };
      }
      throw err.methodNotAllowed();
    }
    if (sub === 'fields' && segs.length === 2) {
      if (r.method === 'GET') return this.ok(200, this.fieldsJson(list, item, parseSelect(r.query.get('$select'))), { ETag: this.itemETagHeader(item) });
      if (r.method === 'PATCH') {
        this.checkIfMatch(r, item);
        this.updateItem(list, item, parseJsonBody(r), identity);
        return this.ok(200, this.fieldsJson(list, item), { ETag: this.itemETagHeader(item) });
      }
      throw err.methodNotAllowed();
    }
    if (sub === 'driveItem' && segs.length === 2 && item.doc && list.driveId) {
      if (r.method !== 'GET') throw err.methodNotAllowed();
      return this.ok(200, this.driveItemJson(this.driveById(list.driveId), list, item));
    }
    throw err.unknownSegment(sub);
  }

  private topSelect(r: SimRequest): string[] | undefined {
    const s = parseSelect(r.query.get('$select'));
    return s ? [...s, 'fields'] : undefined;
  }

  private listItems(r: SimRequest, site: SiteRecord, list: ListRecord): SimResponse {
    if (r.query.has('$skip')) throw err.badRequest('$skip is not supported on list items; follow @odata.nextLink to page.');
    const filterText = r.query.get('$filter');
    const filter: FilterExpr | undefined = filterText ? parseFilter(filterText) : undefined;
    const order: OrderKey[] = parseOrderBy(r.query.get('$orderby'));
    const expand = parseExpand(r.query.get('$expand')).find((e) => e.name === 'fields');
    const topText = r.query.get('$top');
    let pageSize = this.opts.defaultPageSize;
    if (topText !== undefined) {
      if (!/^\d+$/.test(topText) || Number(topText) < 1) throw err.badRequest(`Invalid $top value '${topText}'.`);
      pageSize = Math.min(Number(topText), this.opts.maxPageSize);
    }

    // Every referenced column must exist; non-indexed ones need the Prefer header and a list under the threshold.
    const refs = new Set<string>([...(filter ? filterRefs(filter) : []), ...order.map((o) => o.path)]);
    const nonIndexed: string[] = [];
    for (const ref of refs) {
      const col = this.columnForRef(list, ref);
      if (!col.indexed) nonIndexed.push(col.name);
    }
    if (nonIndexed.length > 0) {
      const prefer = (r.headers['prefer'] ?? '').toLowerCase().split(',').map((s) => s.trim());
      if (!prefer.includes(NON_INDEXED_PREFER)) {
        throw err.badRequest(
          `Field '${nonIndexed[0] as string}' cannot be referenced in filter or orderby as it is not indexed. ` +
            "Provide the 'Prefer: HonorNonIndexedQueriesWarningMayFailRandomly' header to allow this.",
        );
      }
      if (list.items.size > this.opts.listViewThreshold) {
        // The shape Graph returns for such queries (documented by a vendor manual; status not documented).
        throw new GraphHttpError(400, 'notSupported', 'The request is unprocessable because it uses too many resources', 'tooManyResources');
      }
    }

    const resolver = (it: ItemRecord) => (path: string): Resolved => this.resolveItemRef(list, it, path);
    const rows = [...list.items.values()].filter((it) => !filter || evalFilter(filter, resolver(it)));
    const keyOf = (it: ItemRecord): unknown[] => order.map((o) => this.sortValue(list, it, o.path));
    const cmp = (ka: unknown[], ida: number, kb: unknown[], idb: number): number => {
      for (let i = 0; i < order.length; i++) {
        const c = cmpValues(ka[i], kb[i]);
        if (c !== 0) return (order[i] as OrderKey).desc ? -c : c;
      }
      return ida - idb;
    };
    const keyed = rows.map((it) => ({ it, key: keyOf(it) }));
    keyed.sort((a, b) => cmp(a.key, a.it.id, b.key, b.it.id));

    let start = 0;
    const skipToken = r.query.get('$skiptoken');
    if (skipToken !== undefined) {
      let tok: { k: unknown[]; id: number };
      try {
        tok = JSON.parse(Buffer.from(skipToken, 'base64url').toString('utf8')) as { k: unknown[]; id: number };
        if (!Array.isArray(tok.k) || typeof tok.id !== 'number' || tok.k.length !== order.length) throw new Error('shape');
      } catch {
        throw err.badRequest('The $skiptoken is not valid. Use the @odata.nextLink returned by a previous page.');
      }
      start = keyed.findIndex((x) => cmp(x.key, x.it.id, tok.k, tok.id) > 0);
      if (start === -1) start = keyed.length;
    }
    const page = keyed.slice(start, start + pageSize);
    const value = page.map(({ it }) =>
      applySelect(this.listItemJson(site, list, it, { expandFields: expand !== undefined, ...(expand?.select ? { fieldsSelect: expand.select } : {}) }), this.topSelect(r)),
    );
    const out: Record<string, unknown> = { '@odata.context': `${this.baseUrl}/$metadata#sites('${site.id}')/lists('${list.id}')/items` };
    const last = page[page.length - 1];
    if (last && start + pageSize < keyed.length) {
      const token = b64url(JSON.stringify({ k: last.key, id: last.it.id }));
      const kept = r.rawQuery.split('&').filter((p) => p.length > 0 && !/^(\$|%24)skiptoken=/i.test(p));
      kept.push(`$skiptoken=${token}`);
      out['@odata.nextLink'] = `${this.baseUrl}${r.path}?${kept.join('&')}`;
    }
    out['value'] = value;
    return this.ok(200, out);
  }

  private columnForRef(list: ListRecord, ref: string): ColumnRecord {
    const lower = ref.toLowerCase();
    const name = lower.startsWith('fields/') ? ref.slice('fields/'.length) : lower === 'id' ? 'ID' : undefined;
    if (name === undefined) throw err.badRequest(`Only fields/{column} and id can be used in $filter and $orderby on list items (got '${ref}').`);
    const n = name.toLowerCase();
    const col = list.columns.find((c) => c.name.toLowerCase() === n || (c.type === 'personOrGroup' && `${c.name.toLowerCase()}lookupid` === n));
    if (!col) throw err.badRequest(`Field '${name}' is not recognized`);
    return col;
  }

  private kindOf(col: ColumnRecord): ValueKind {
    switch (col.type) {
      case 'number': return 'number';
      case 'dateTime': return 'dateTime';
      case 'boolean': return 'boolean';
      default: return 'text';
    }
  }

  private storedValue(it: ItemRecord, col: ColumnRecord): unknown {
    switch (col.system) {
      case 'id': return it.id;
      case 'created': return isoSeconds(it.created);
      case 'modified': return isoSeconds(it.modified);
      case 'author': return SHAREPOINT_APP_LOOKUP_ID;
      case 'editor': return SHAREPOINT_APP_LOOKUP_ID;
      case 'fileLeafRef': return it.doc?.name;
      default: return col.type === 'personOrGroup' ? it.fields[`${col.name}LookupId`] : it.fields[col.name];
    }
  }

  private resolveItemRef(list: ListRecord, it: ItemRecord, ref: string): Resolved {
    const col = this.columnForRef(list, ref);
    return { kind: this.kindOf(col), value: this.storedValue(it, col) };
  }

  private sortValue(list: ListRecord, it: ItemRecord, ref: string): unknown {
    const { kind, value } = this.resolveItemRef(list, it, ref);
    if (value === undefined || value === null) return null;
    if (kind === 'dateTime' && typeof value === 'string') return Date.parse(value);
    if (kind === 'text' && typeof value === 'string') return value.toLowerCase();
    return value;
  }

  private checkIfMatch(r: SimRequest, item: ItemRecord): void {
    this.checkIfMatchHeader(r.headers['if-match'], item);
  }

  /** If-Match: '*', one or more quoted eTags, or (leniently) the unquoted form Graph sends in the ETag header. */
  private checkIfMatchHeader(h: string | undefined, item: ItemRecord): void {
    if (h === undefined) return;
    const trimmed = h.trim();
    if (trimmed === '*') return;
    const quoted = [...trimmed.matchAll(/(?:W\/)?"([^"]*)"/g)].map((m) => m[1] as string);
    const tags = quoted.length > 0 ? quoted : [trimmed];
    const current = normaliseETag(`${item.uniqueId},${item.version}`);
    if (!tags.some((t) => normaliseETag(t) === current)) throw err.preconditionFailed();
  }

  /** Validates and converts incoming field values; throws 400s Graph-style. */
  private coerceFields(list: ListRecord, input: Record<string, unknown>): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const [key, value] of Object.entries(input)) {
      if (key.includes('@')) continue; // annotations such as Foo@odata.type
      const lower = key.toLowerCase();
      let col = list.columns.find((c) => c.name.toLowerCase() === lower && c.type !== 'personOrGroup');
      let storeKey = col?.name;
      if (!col) {
        col = list.columns.find((c) => c.type === 'personOrGroup' && `${c.name.toLowerCase()}lookupid` === lower);
        storeKey = col ? `${col.name}LookupId` : undefined;
      }
      if (!col || storeKey === undefined) {
        const person = list.columns.find((c) => c.type === 'personOrGroup' && c.name.toLowerCase() === lower);
        if (person) throw err.badRequest(`Field '${key}' is a person column; set '${person.name}LookupId' to the user's site lookup id.`);
        throw err.badRequest(`Field '${key}' is not recognized`);
      }
      if (col.readOnly || col.system) throw err.badRequest(`Field '${key}' is read-only`);
      if (value === null) {
        out.set(storeKey, null);
        continue;
      }
      out.set(storeKey, this.coerceValue(col, key, value));
    }
    return out;
  }

  private coerceValue(col: ColumnRecord, key: string, value: unknown): unknown {
    switch (col.type) {
      case 'text': {
        if (typeof value !== 'string') throw err.badRequest(`Cannot convert a primitive value to the expected type 'Edm.String' for field '${key}'.`);
        const max = col.facet['allowMultipleLines'] === true ? 63999 : Number(col.facet['maxLength'] ?? 255);
        if (value.length > max) throw err.badRequest(`The value of field '${key}' exceeds its maximum length of ${max}.`);
        return value;
      }
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw err.badRequest(`Cannot convert a primitive value to the expected type 'Edm.Double'. See the inner exception for more details. (field '${key}')`);
        }
        return value;
      case 'boolean':
        if (typeof value !== 'boolean') throw err.badRequest(`Cannot convert the literal '${String(value)}' to the expected type 'Edm.Boolean'. (field '${key}')`);
        return value;
      case 'dateTime': {
        const t = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
        if (Number.isNaN(t)) throw err.badRequest(`Cannot convert the literal '${String(value)}' to the expected type 'Edm.DateTimeOffset'. (field '${key}')`);
        return isoSeconds(new Date(t)); // SharePoint keeps whole seconds
      }
      case 'choice': {
        if (typeof value !== 'string') throw err.badRequest(`Cannot convert a primitive value to the expected type 'Edm.String' for field '${key}'.`);
        const choices = (col.facet['choices'] as unknown[]) ?? [];
        if (col.facet['allowTextEntry'] !== true && !choices.includes(value)) {
          throw err.badRequest(`The value '${value}' is not one of the choices of field '${key}'.`);
        }
        return value;
      }
      case 'personOrGroup': {
        const s = typeof value === 'number' ? String(value) : value;
        if (typeof s !== 'string' || !/^\d+$/.test(s)) throw err.badRequest(`Field '${key}' expects a numeric lookup id.`);
        return s;
      }
    }
  }

  private checkUnique(list: ListRecord, values: Map<string, unknown>, self: ItemRecord | undefined): void {
    const clashes: string[] = [];
    for (const col of list.columns) {
      if (!col.enforceUniqueValues) continue;
      const key = col.type === 'personOrGroup' ? `${col.name}LookupId` : col.name;
      if (!values.has(key)) continue;
      const v = values.get(key);
      if (v === null || v === undefined) continue;
      const norm = typeof v === 'string' ? v.toLowerCase() : v;
      for (const other of list.items.values()) {
        if (other === self) continue;
        const ov = other.fields[key];
        if ((typeof ov === 'string' ? ov.toLowerCase() : ov) === norm) {
          clashes.push(col.displayName);
          break;
        }
      }
    }
    if (clashes.length > 0) {
      throw err.conflict(`The list item could not be added or updated because duplicate values were found in the following field(s) in the list: [${clashes.join(', ')}].`);
    }
  }

  private createItem(list: ListRecord, input: Record<string, unknown>, identity: Identity, doc?: ItemRecord['doc']): ItemRecord {
    const values = this.coerceFields(list, input);
    this.checkUnique(list, values, undefined);
    const now = this.now();
    const item: ItemRecord = {
      id: list.nextItemId++,
      uniqueId: guid(),
      version: 1,
      created: now,
      modified: now,
      createdBy: identity,
      modifiedBy: identity,
      fields: {},
      ...(doc ? { doc } : {}),
    };
    for (const [k, v] of values) if (v !== null) item.fields[k] = v;
    list.items.set(item.id, item);
    if (doc && list.driveId) this.driveItems.set(doc.driveItemId, { driveId: list.driveId, itemId: item.id });
    list.modified = now;
    return item;
  }

  private updateItem(list: ListRecord, item: ItemRecord, input: Record<string, unknown>, identity: Identity): void {
    const values = this.coerceFields(list, input);
    this.checkUnique(list, values, item);
    for (const [k, v] of values) {
      if (v === null) delete item.fields[k];
      else item.fields[k] = v;
    }
    this.touch(list, item, identity);
  }

  private touch(list: ListRecord, item: ItemRecord, identity: Identity): void {
    item.version++;
    item.modified = this.now();
    item.modifiedBy = identity;
    list.modified = item.modified;
  }

  private deleteItem(list: ListRecord, item: ItemRecord): void {
    if (item.doc?.isFolder) {
      for (const child of [...list.items.values()]) if (child.doc?.parentId === item.id) this.deleteItem(list, child);
    }
    list.items.delete(item.id);
    if (item.doc) this.driveItems.delete(item.doc.driveItemId);
    list.modified = this.now();
  }

  // ===========================================================================================
  // JSON renderers
  // ===========================================================================================

  private ok(status: number, json: unknown, headers: Record<string, string> = {}): SimResponse {
    return { status, headers: { 'Content-Type': GRAPH_JSON, ...headers }, json };
  }

  private webUrl(site: SiteRecord): string {
    return `https://${site.hostname}${site.path === '/' ? '' : site.path}`;
  }

  private spRestBase(site: SiteRecord): string {
    return `${this.origin}/_sp/${site.hostname}${site.path === '/' ? '' : site.path}`;
  }

  private siteInfo(site: SiteRecord): SiteInfo {
    return { id: site.id, hostname: site.hostname, path: site.path, webUrl: this.webUrl(site), displayName: site.displayName, name: site.name, defaultDriveId: site.defaultDriveId };
  }

  private siteJson(site: SiteRecord): Record<string, unknown> {
    return {
      '@odata.context': `${this.baseUrl}/$metadata#sites/$entity`,
      createdDateTime: site.created.toISOString(),
      description: site.description,
      id: site.id,
      lastModifiedDateTime: site.created.toISOString(),
      name: site.name,
      webUrl: this.webUrl(site),
      displayName: site.displayName,
      root: site.path === '/' ? {} : undefined,
      siteCollection: { hostname: site.hostname },
      // Simulator-only instance annotation (ignored by OData clients): where this site's SharePoint REST sliver lives.
      '@simulator.sharePointRestUrl': this.spRestBase(site),
    };
  }

  private listJson(site: SiteRecord, l: ListRecord): Record<string, unknown> {
    const etag = `"${l.id},${l.columns.length}"`;
    return {
      '@odata.etag': etag,
      createdDateTime: l.created.toISOString(),
      description: l.description,
      eTag: etag,
      id: l.id,
      lastModifiedDateTime: l.modified.toISOString(),
      name: l.name,
      webUrl: `${this.webUrl(site)}/${encodeURI(l.urlPath)}`,
      displayName: l.displayName,
      parentReference: { siteId: site.id },
      list: { contentTypesEnabled: false, hidden: false, template: l.template },
    };
  }

  private columnJson(c: ColumnRecord): Record<string, unknown> {
    return {
      columnGroup: c.system ? '_Hidden' : 'Custom Columns',
      description: c.description,
      displayName: c.displayName,
      enforceUniqueValues: c.enforceUniqueValues,
      hidden: c.hidden,
      id: c.id,
      indexed: c.indexed,
      name: c.name,
      readOnly: c.readOnly,
      required: c.required,
      [c.type]: { ...c.facet },
    };
  }

  private identityOf(tok: TokenInfo): Identity {
    return { application: { id: tok.appId, displayName: tok.displayName }, user: { displayName: 'SharePoint App' } };
  }

  private itemETag(it: ItemRecord): string {
    return `"${it.uniqueId},${it.version}"`;
  }

  /** Graph sends the list-item ETag response header without the surrounding quotes. */
  private itemETagHeader(it: ItemRecord): string {
    return `${it.uniqueId},${it.version}`;
  }

  private fieldsJson(list: ListRecord, it: ItemRecord, select?: string[]): Record<string, unknown> {
    const f: Record<string, unknown> = { '@odata.etag': this.itemETag(it) };
    for (const col of list.columns) {
      if (col.system || col.type === 'personOrGroup') continue;
      const v = it.fields[col.name];
      if (v !== undefined && v !== null) f[col.name] = v;
    }
    for (const col of list.columns) {
      if (col.type === 'personOrGroup' && !col.system) {
        const v = it.fields[`${col.name}LookupId`];
        if (v !== undefined) f[`${col.name}LookupId`] = v;
      }
    }
    f['id'] = String(it.id);
    f['ContentType'] = it.doc ? (it.doc.isFolder ? 'Folder' : 'Document') : 'Item';
    f['Modified'] = isoSeconds(it.modified);
    f['Created'] = isoSeconds(it.created);
    f['AuthorLookupId'] = SHAREPOINT_APP_LOOKUP_ID;
    f['EditorLookupId'] = SHAREPOINT_APP_LOOKUP_ID;
    f['_UIVersionString'] = `${it.version}.0`;
    f['Edit'] = '';
    f['ItemChildCount'] = '0';
    f['FolderChildCount'] = '0';
    if (it.doc) {
      f['FileLeafRef'] = it.doc.name;
      f['LinkFilename'] = it.doc.name;
      f['LinkFilenameNoMenu'] = it.doc.name;
      f['DocIcon'] = it.doc.isFolder ? undefined : it.doc.name.split('.').pop();
      f['FileSizeDisplay'] = it.doc.isFolder ? undefined : String(it.doc.content.length);
      if (it.doc.isFolder) {
        const children = [...list.items.values()].filter((c) => c.doc?.parentId === it.id);
        f['ItemChildCount'] = String(children.filter((c) => !c.doc?.isFolder).length);
        f['FolderChildCount'] = String(children.filter((c) => c.doc?.isFolder).length);
      }
    } else {
      f['Attachments'] = false;
      if (typeof it.fields['Title'] === 'string') {
        f['LinkTitleNoMenu'] = it.fields['Title'];
        f['LinkTitle'] = it.fields['Title'];
      }
    }
    for (const k of Object.keys(f)) if (f[k] === undefined) delete f[k];
    if (!select) return f;
    const wanted = new Set(select.map((s) => s.toLowerCase()));
    const out: Record<string, unknown> = { '@odata.etag': f['@odata.etag'] };
    for (const [k, v] of Object.entries(f)) if (wanted.has(k.toLowerCase())) out[k] = v;
    return out;
  }

  private listItemJson(site: SiteRecord, list: ListRecord, it: ItemRecord, o: { expandFields: boolean; fieldsSelect?: string[] }): Record<string, unknown> {
    const etag = this.itemETag(it);
    const json: Record<string, unknown> = {
      '@odata.etag': etag,
      createdDateTime: isoSeconds(it.created),
      eTag: etag,
      id: String(it.id),
      lastModifiedDateTime: isoSeconds(it.modified),
      webUrl: it.doc
        ? `${this.webUrl(site)}/${encodeURI(list.urlPath)}${encodeURI(this.docPath(list, it))}`
        : `${this.webUrl(site)}/${encodeURI(list.urlPath)}/${it.id}_.000`,
      createdBy: it.createdBy,
      lastModifiedBy: it.modifiedBy,
      parentReference: { id: list.id, siteId: site.id },
      contentType: it.doc
        ? { id: it.doc.isFolder ? '0x0120' : '0x0101', name: it.doc.isFolder ? 'Folder' : 'Document' }
        : { id: '0x0100', name: 'Item' },
    };
    if (o.expandFields) json['fields'] = this.fieldsJson(list, it, o.fieldsSelect);
    return json;
  }

  // ===========================================================================================
  // Drives
  // ===========================================================================================

  private newDriveItemId(): string {
    return `01${guid().replace(/-/g, '').toUpperCase().slice(0, 32)}`;
  }

  private driveById(id: string): DriveRecord {
    const d = this.drives.get(id);
    if (!d) throw err.notFound('The requested drive could not be found.');
    return d;
  }

  private listOfDrive(drive: DriveRecord): ListRecord {
    const site = this.siteById(drive.siteId);
    const list = site.lists.find((l) => l.id === drive.listId);
    if (!list) throw new Error('drive without list');
    return list;
  }

  private driveJson(d: DriveRecord): Record<string, unknown> {
    const list = this.listOfDrive(d);
    const site = this.siteById(d.siteId);
    return {
      createdDateTime: d.created.toISOString(),
      description: list.description,
      id: d.id,
      lastModifiedDateTime: list.modified.toISOString(),
      name: list.displayName,
      webUrl: `${this.webUrl(site)}/${encodeURI(list.urlPath)}`,
      driveType: 'documentLibrary',
      createdBy: { user: { displayName: 'System Account' } },
    };
  }

  private findChild(list: ListRecord, parentId: number, name: string): ItemRecord | undefined {
    const lower = name.toLowerCase();
    for (const it of list.items.values()) if (it.doc && it.doc.parentId === parentId && it.doc.name.toLowerCase() === lower) return it;
    return undefined;
  }

  /** Resolves a path below a folder (0 = root); undefined when any segment is missing. */
  private walk(list: ListRecord, from: number, segs: string[]): ItemRecord | undefined {
    let cur: ItemRecord | undefined;
    let parent = from;
    for (const s of segs) {
      cur = this.findChild(list, parent, s);
      if (!cur) return undefined;
      parent = cur.id;
    }
    return cur;
  }

  private docPath(list: ListRecord, it: ItemRecord): string {
    const names: string[] = [];
    let cur: ItemRecord | undefined = it;
    while (cur?.doc) {
      names.unshift(cur.doc.name);
      cur = cur.doc.parentId === 0 ? undefined : list.items.get(cur.doc.parentId);
    }
    return `/${names.join('/')}`;
  }

  private validateName(name: string): void {
    if (name === '' || /["*:<>?/\\|]/.test(name) || name.endsWith('.') || name.startsWith(' ')) {
      throw new GraphHttpError(400, 'invalidRequest', `The name '${name}' contains invalid characters.`, 'invalidPath');
    }
  }

  private ensureFolders(list: ListRecord, from: number, segs: string[], identity: Identity): number {
    let parent = from;
    for (const s of segs) {
      this.validateName(s);
      const existing = this.findChild(list, parent, s);
      if (existing) {
        if (!existing.doc?.isFolder) throw new GraphHttpError(409, 'nameAlreadyExists', `A file named '${s}' exists where a folder is needed.`);
        parent = existing.id;
        continue;
      }
      const folder = this.createItem(list, {}, identity, { driveItemId: this.newDriveItemId(), name: s, parentId: parent, isFolder: true, content: Buffer.alloc(0), mimeType: '' });
      parent = folder.id;
    }
    return parent;
  }

  private uniqueName(list: ListRecord, parentId: number, name: string): string {
    if (!this.findChild(list, parentId, name)) return name;
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const ext = dot > 0 ? name.slice(dot) : '';
    for (let i = 1; ; i++) {
      const candidate = `${stem} ${i}${ext}`;
      if (!this.findChild(list, parentId, candidate)) return candidate;
    }
  }

  /** Writes a file (new or replacement). Returns the item and whether it was created. */
  private writeFile(
    list: ListRecord, parentSegs: string[], name: string, content: Buffer, behavior: 'fail' | 'replace' | 'rename', identity: Identity, ifMatch?: string,
  ): { item: ItemRecord; created: boolean } {
    this.validateName(name);
    const parentId = this.ensureFolders(list, 0, parentSegs, identity);
    const existing = this.findChild(list, parentId, name);
    if (existing) this.checkIfMatchHeader(ifMatch, existing);
    if (existing && behavior === 'replace') {
      if (existing.doc?.isFolder) throw new GraphHttpError(409, 'nameAlreadyExists', `A folder named '${name}' already exists.`);
      (existing.doc as NonNullable<ItemRecord['doc']>).content = Buffer.from(content);
      this.touch(list, existing, identity);
      return { item: existing, created: false };
    }
    if (existing && behavior === 'fail') throw new GraphHttpError(409, 'nameAlreadyExists', 'The specified item name already exists.');
    const finalName = existing ? this.uniqueName(list, parentId, name) : name;
    const item = this.createItem(list, {}, identity, { driveItemId: this.newDriveItemId(), name: finalName, parentId, isFolder: false, content: Buffer.from(content), mimeType: mimeFor(finalName) });
    return { item, created: true };
  }

  private driveItemJson(drive: DriveRecord, list: ListRecord, it: ItemRecord | 'root'): Record<string, unknown> {
    const site = this.siteById(drive.siteId);
    const libUrl = `${this.webUrl(site)}/${encodeURI(list.urlPath)}`;
    if (it === 'root') {
      const childCount = [...list.items.values()].filter((c) => c.doc?.parentId === 0).length;
      return {
        createdDateTime: drive.created.toISOString(),
        id: drive.rootId,
        lastModifiedDateTime: list.modified.toISOString(),
        name: 'root',
        webUrl: libUrl,
        size: [...list.items.values()].reduce((n, c) => n + (c.doc?.content.length ?? 0), 0),
        parentReference: { driveType: 'documentLibrary', driveId: drive.id },
        folder: { childCount },
        root: {},
      };
    }
    const doc = it.doc as NonNullable<ItemRecord['doc']>;
    const parent = doc.parentId === 0 ? undefined : list.items.get(doc.parentId);
    const parentPath = parent ? this.docPath(list, parent) : '';
    const upper = it.uniqueId.toUpperCase();
    const json: Record<string, unknown> = {
      createdDateTime: isoSeconds(it.created),
      eTag: `"{${upper}},${it.version}"`,
      id: doc.driveItemId,
      lastModifiedDateTime: isoSeconds(it.modified),
      name: doc.name,
      webUrl: `${libUrl}${encodeURI(this.docPath(list, it))}`,
      cTag: `"c:{${upper}},${it.version}"`,
      size: doc.isFolder ? 0 : doc.content.length,
      createdBy: it.createdBy,
      lastModifiedBy: it.modifiedBy,
      parentReference: {
        driveType: 'documentLibrary',
        driveId: drive.id,
        id: parent?.doc?.driveItemId ?? drive.rootId,
        name: parent?.doc?.name ?? list.urlPath,
        path: `/drives/${drive.id}/root:${encodeURI(parentPath)}`,
        siteId: site.id,
      },
      fileSystemInfo: { createdDateTime: isoSeconds(it.created), lastModifiedDateTime: isoSeconds(it.modified) },
    };
    if (doc.isFolder) {
      json['folder'] = { childCount: [...list.items.values()].filter((c) => c.doc?.parentId === it.id).length };
    } else {
      json['@microsoft.graph.downloadUrl'] = this.downloadUrl(drive, it);
      json['file'] = { mimeType: doc.mimeType };
    }
    return json;
  }

  /** Pre-authenticated download URL; the token just encodes drive and item (ids are never reused). */
  private downloadUrl(drive: DriveRecord, it: ItemRecord): string {
    return `${this.origin}/_download/${b64url(JSON.stringify([drive.id, it.id]))}`;
  }

  private routeDrive(r: SimRequest, tok: TokenInfo, drive: DriveRecord, rawRest: string): SimResponse {
    const list = this.listOfDrive(drive);
    const identity = this.identityOf(tok);
    if (rawRest === '' || rawRest === '/') {
      if (r.method !== 'GET') throw err.methodNotAllowed();
      return this.ok(200, this.driveJson(drive));
    }
    // Address: /root | /items/{id}, optionally followed by :/{path}[:] and /{action...}
    let base: ItemRecord | 'root';
    let after: string;
    if (rawRest.startsWith('/root')) {
      base = 'root';
      after = rawRest.slice('/root'.length);
    } else if (rawRest.startsWith('/items/')) {
      const rest = rawRest.slice('/items/'.length);
      const cut = rest.search(/[/:]/);
      const id = decodeSeg(cut === -1 ? rest : rest.slice(0, cut));
      after = cut === -1 ? '' : rest.slice(cut);
      if (id === drive.rootId || id.toLowerCase() === 'root') base = 'root';
      else {
        const ref = this.driveItems.get(id);
        const found = ref && ref.driveId === drive.id ? list.items.get(ref.itemId) : undefined;
        if (!found) throw err.notFound('The resource could not be found.');
        base = found;
      }
    } else {
      throw err.unknownSegment(decodeSeg(rawRest.split('/')[1] ?? ''));
    }
    let relPath: string[] | undefined;
    let action: string[];
    if (after.startsWith(':')) {
      const body = after.slice(1);
      const c = body.indexOf(':');
      relPath = (c === -1 ? body : body.slice(0, c)).split('/').filter((s) => s.length > 0).map(decodeSeg);
      action = (c === -1 ? '' : body.slice(c + 1)).split('/').filter((s) => s.length > 0).map(decodeSeg);
    } else {
      action = after.split('/').filter((s) => s.length > 0).map(decodeSeg);
    }
    const baseFolderId = base === 'root' ? 0 : base.id;
    const target: ItemRecord | 'root' | undefined = relPath && relPath.length > 0 ? this.walk(list, baseFolderId, relPath) : base;
    const act = action[0];

    // Writes that may create the target.
    if (act === 'content' && r.method === 'PUT' && action.length === 1) return this.simpleUpload(r, drive, list, base, relPath, target, identity);
    if (act === 'createUploadSession' && action.length === 1) {
      if (r.method !== 'POST') throw err.methodNotAllowed();
      return this.createUploadSession(r, drive, list, base, relPath, target, identity);
    }

    if (!target) throw err.notFound('The resource could not be found.');
    if (act === undefined) {
      if (r.method === 'GET') return this.ok(200, applySelect(this.driveItemJson(drive, list, target), parseSelect(r.query.get('$select'))));
      if (r.method === 'DELETE') {
        if (target === 'root') throw new GraphHttpError(403, 'accessDenied', 'The root folder cannot be deleted.');
        if (r.headers['if-match'] !== undefined) this.checkIfMatch(r, target);
        this.deleteItem(list, target);
        return { status: 204, headers: {} };
      }
      throw err.methodNotAllowed();
    }
    if (act === 'children' && action.length === 1) {
      if (r.method !== 'GET') throw err.methodNotAllowed();
      const folderId = target === 'root' ? 0 : target.doc?.isFolder ? target.id : -1;
      if (folderId === -1) throw err.badRequest('The item is not a folder.');
      const children = [...list.items.values()].filter((c) => c.doc?.parentId === folderId).sort((a, b) => (a.doc as { name: string }).name.localeCompare((b.doc as { name: string }).name));
      const select = parseSelect(r.query.get('$select'));
      return this.ok(200, { value: children.map((c) => applySelect(this.driveItemJson(drive, list, c), select)) });
    }
    if (act === 'content' && action.length === 1) {
      if (r.method !== 'GET') throw err.methodNotAllowed();
      if (target === 'root' || target.doc?.isFolder) throw err.badRequest('Folders have no content.');
      return { status: 302, headers: { Location: this.downloadUrl(drive, target) } };
    }
    if (act === 'listItem') {
      if (target === 'root') throw err.notFound('The root folder has no list item.');
      const site = this.siteById(drive.siteId);
      if (action.length === 1) {
        if (r.method !== 'GET') throw err.methodNotAllowed();
        const expand = parseExpand(r.query.get('$expand')).find((e) => e.name === 'fields');
        return this.ok(200, this.listItemJson(site, list, target, { expandFields: expand !== undefined, ...(expand?.select ? { fieldsSelect: expand.select } : {}) }), { ETag: this.itemETagHeader(target) });
      }
      if (action[1] === 'fields' && action.length === 2) {
        if (r.method === 'GET') return this.ok(200, this.fieldsJson(list, target, parseSelect(r.query.get('$select'))));
        if (r.method === 'PATCH') {
          this.checkIfMatch(r, target);
          this.updateItem(list, target, parseJsonBody(r), identity);
          return this.ok(200, this.fieldsJson(list, target), { ETag: this.itemETagHeader(target) });
        }
        throw err.methodNotAllowed();
      }
    }
    throw err.unknownSegment(act);
  }

  /** For PUT/createUploadSession: where a new file goes (parent path from the library root, and name). */
  private placement(list: ListRecord, base: ItemRecord | 'root', relPath: string[] | undefined, target: ItemRecord | 'root' | undefined): { parentSegs: string[]; name: string } {
    if (target && target !== 'root' && target.doc && !target.doc.isFolder) {
      const full = this.docPath(list, target).split('/').filter(Boolean);
      return { parentSegs: full.slice(0, -1), name: full[full.length - 1] as string };
    }
    if (!relPath || relPath.length === 0) throw err.badRequest('A file name is required (use root:/{folder}/{file}:/content).');
    const basePath = base === 'root' ? [] : this.docPath(list, base).split('/').filter(Boolean);
    if (base !== 'root' && !base.doc?.isFolder) throw err.badRequest('The parent item is not a folder.');
    return { parentSegs: [...basePath, ...relPath.slice(0, -1)], name: relPath[relPath.length - 1] as string };
  }

  private conflictBehavior(v: unknown, dflt: 'fail' | 'replace' | 'rename'): 'fail' | 'replace' | 'rename' {
    if (v === undefined) return dflt;
    if (v === 'fail' || v === 'replace' || v === 'rename') return v;
    throw err.badRequest(`Invalid @microsoft.graph.conflictBehavior '${String(v)}'.`);
  }

  private simpleUpload(r: SimRequest, drive: DriveRecord, list: ListRecord, base: ItemRecord | 'root', relPath: string[] | undefined, target: ItemRecord | 'root' | undefined, identity: Identity): SimResponse {
    if (r.body.length > this.opts.simpleUploadLimitBytes) {
      throw new GraphHttpError(413, 'invalidRequest', `The request body exceeds the simple upload limit of ${this.opts.simpleUploadLimitBytes} bytes; use an upload session.`, 'maxFileSizeExceeded');
    }
    if (target === 'root' || (target && target.doc?.isFolder)) throw err.badRequest('Cannot upload content to a folder.');
    const where = this.placement(list, base, relPath, target);
    const behavior = this.conflictBehavior(r.query.get('@microsoft.graph.conflictbehavior'), 'replace');
    const { item, created } = this.writeFile(list, where.parentSegs, where.name, r.body, behavior, identity, r.headers['if-match']);
    return this.ok(created ? 201 : 200, this.driveItemJson(drive, list, item));
  }

  // ===========================================================================================
  // Upload sessions
  // ===========================================================================================

  private createUploadSession(r: SimRequest, drive: DriveRecord, list: ListRecord, base: ItemRecord | 'root', relPath: string[] | undefined, target: ItemRecord | 'root' | undefined, identity: Identity): SimResponse {
    const body = parseJsonBody(r);
    if (body['deferCommit'] === true) throw err.notSupported('deferCommit is not supported by the simulator.');
    if (target === 'root' || (target && target.doc?.isFolder)) throw err.badRequest('Cannot upload content to a folder.');
    if (target && r.headers['if-match'] !== undefined) this.checkIfMatch(r, target);
    const item = (body['item'] ?? {}) as Record<string, unknown>;
    const where = this.placement(list, base, relPath, target);
    if (typeof item['name'] === 'string' && item['name'] !== where.name) throw err.badRequest('item.name must match the file name in the path.');
    this.validateName(where.name);
    const fileSize = item['fileSize'];
    const session: UploadSessionRecord = {
      id: b64url(guid()),
      driveId: drive.id,
      parentSegs: where.parentSegs,
      name: where.name,
      conflictBehavior: this.conflictBehavior(item['@microsoft.graph.conflictBehavior'], target ? 'replace' : 'fail'),
      ...(typeof fileSize === 'number' ? { declaredSize: fileSize } : {}),
      chunks: [],
      received: 0,
      expires: new Date(this.now().getTime() + this.opts.uploadSessionTtlMs),
      identity,
    };
    this.uploads.set(session.id, session);
    return this.ok(200, {
      '@odata.context': `${this.baseUrl}/$metadata#microsoft.graph.uploadSession`,
      uploadUrl: `${this.origin}/_upload/${session.id}`,
      expirationDateTime: session.expires.toISOString(),
      nextExpectedRanges: ['0-'],
    });
  }

  private sessionStatus(s: UploadSessionRecord): Record<string, unknown> {
    return { expirationDateTime: s.expires.toISOString(), nextExpectedRanges: [`${s.received}-`] };
  }

  private handleUploadUrl(r: SimRequest): SimResponse {
    const id = decodeSeg(r.path.slice('/_upload/'.length));
    const s = this.uploads.get(id);
    if (!s || s.expires.getTime() <= this.now().getTime()) {
      if (s) this.uploads.delete(id);
      throw new GraphHttpError(404, 'itemNotFound', 'The upload session was not found or has expired.', 'uploadSessionNotFound');
    }
    if (r.method === 'GET') return this.ok(200, this.sessionStatus(s));
    if (r.method === 'DELETE') {
      this.uploads.delete(id);
      return { status: 204, headers: {} };
    }
    if (r.method !== 'PUT') throw err.methodNotAllowed();
    if (this.opts.rejectAuthorizationOnUploadUrl && r.headers['authorization'] !== undefined) {
      throw new GraphHttpError(401, 'unauthenticated', 'Do not send an Authorization header to an upload URL: it is pre-authenticated.');
    }
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec((r.headers['content-range'] ?? '').trim());
    if (!range) throw err.badRequest('A Content-Range header of the form "bytes {start}-{end}/{total}" is required.');
    const start = Number(range[1]);
    const end = Number(range[2]);
    const total = Number(range[3]);
    const len = r.body.length;
    if (len >= MAX_FRAGMENT_BYTES) throw new GraphHttpError(413, 'invalidRequest', 'A fragment must be smaller than 60 MiB.', 'maxFragmentLengthExceeded');
    if (end < start || end >= total) throw new GraphHttpError(416, 'invalidRange', 'The Content-Range is not valid for the declared file size.');
    if (len !== end - start + 1) throw new GraphHttpError(400, 'invalidRequest', 'The number of bytes sent does not match the Content-Range.', 'fragmentLengthMismatch');
    const expectedTotal = s.total ?? s.declaredSize;
    if (expectedTotal !== undefined && expectedTotal !== total) {
      throw new GraphHttpError(400, 'invalidRequest', 'Declared total size for this fragment is different from that of the upload session.', 'fragmentLengthMismatch');
    }
    if (start < s.received) throw new GraphHttpError(416, 'invalidRange', 'The uploaded fragment overlaps with data that has already been received.', 'fragmentOverlap');
    if (start > s.received) throw new GraphHttpError(416, 'invalidRange', `The uploaded fragment is out of order; the next expected byte is ${s.received}.`, 'fragmentOutOfOrder');
    const isLast = end === total - 1;
    if (!isLast && len % CHUNK_MULTIPLE !== 0) {
      throw new GraphHttpError(400, 'invalidRequest', `Every fragment except the last must be a multiple of 320 KiB (327,680 bytes); got ${len} bytes.`, 'invalidFragmentSize');
    }
    s.total = total;
    if (!isLast) {
      s.chunks.push(Buffer.from(r.body));
      s.received += len;
      s.expires = new Date(this.now().getTime() + this.opts.uploadSessionTtlMs);
      return this.ok(202, this.sessionStatus(s));
    }
    const drive = this.driveById(s.driveId);
    const list = this.listOfDrive(drive);
    const content = Buffer.concat([...s.chunks, r.body]);
    const { item, created } = this.writeFile(list, s.parentSegs, s.name, content, s.conflictBehavior, s.identity);
    this.uploads.delete(id);
    return this.ok(created ? 201 : 200, this.driveItemJson(drive, list, item));
  }

  private handleDownload(r: SimRequest): SimResponse {
    if (r.method !== 'GET') throw err.methodNotAllowed();
    let ref: unknown;
    try {
      ref = JSON.parse(Buffer.from(decodeSeg(r.path.slice('/_download/'.length)), 'base64url').toString('utf8'));
    } catch {
      ref = undefined;
    }
    const [driveId, itemId] = Array.isArray(ref) ? (ref as unknown[]) : [];
    const drive = typeof driveId === 'string' ? this.drives.get(driveId) : undefined;
    const item = drive && typeof itemId === 'number' ? this.listOfDrive(drive).items.get(itemId) : undefined;
    if (!item?.doc) throw err.notFound('The download URL is not valid.');
    return { status: 200, headers: { 'Content-Type': item.doc.mimeType }, raw: Buffer.from(item.doc.content) };
  }

  // ===========================================================================================
  // JSON batching
  // ===========================================================================================

  private async handleBatch(r: SimRequest, tok: TokenInfo): Promise<SimResponse> {
    const body = parseJsonBody(r);
    const requests = body['requests'];
    if (!Array.isArray(requests)) throw new GraphHttpError(400, 'BadRequest', 'Invalid batch payload format.');
    if (requests.length === 0) throw new GraphHttpError(400, 'BadRequest', 'The batch must contain at least one request.');
    if (requests.length > 20) throw new GraphHttpError(400, 'BadRequest', `A batch may contain at most 20 requests; this one has ${requests.length}.`);
    interface Step { id: string; method: string; url: string; headers: Record<string, string>; body: Buffer; dependsOn: string[] }
    const steps: Step[] = [];
    const ids = new Set<string>();
    for (const raw of requests as unknown[]) {
      if (typeof raw !== 'object' || raw === null) throw new GraphHttpError(400, 'BadRequest', 'Invalid batch payload format.');
      const q = raw as Record<string, unknown>;
      const id = q['id'];
      const method = q['method'];
      const url = q['url'];
      if (typeof id !== 'string' || id === '' || typeof method !== 'string' || typeof url !== 'string') {
        throw new GraphHttpError(400, 'BadRequest', 'Every request in a batch needs string id, method and url.');
      }
      if (ids.has(id.toLowerCase())) throw new GraphHttpError(400, 'BadRequest', `Duplicate request id '${id}' in batch.`);
      ids.add(id.toLowerCase());
      if (/^[a-z]+:\/\//i.test(url)) throw new GraphHttpError(400, 'BadRequest', `The url of request '${id}' must be relative to the version root, e.g. /sites/...`);
      const headers: Record<string, string> = {};
      const hs = q['headers'];
      if (hs !== undefined) {
        if (typeof hs !== 'object' || hs === null) throw new GraphHttpError(400, 'BadRequest', `headers of request '${id}' must be an object.`);
        for (const [k, v] of Object.entries(hs as Record<string, unknown>)) headers[k.toLowerCase()] = String(v);
      }
      let payload = Buffer.alloc(0);
      if (q['body'] !== undefined) {
        const ct = headers['content-type'];
        if (!ct) throw new GraphHttpError(400, 'BadRequest', `Request '${id}' has a body but no Content-Type header.`);
        if (ct.includes('json')) payload = Buffer.from(typeof q['body'] === 'string' ? q['body'] : JSON.stringify(q['body']), 'utf8');
        else if (typeof q['body'] === 'string') payload = Buffer.from(q['body'], 'base64');
        else throw new GraphHttpError(400, 'BadRequest', `The body of request '${id}' must be base64 for Content-Type ${ct}.`);
      }
      const dependsOn = q['dependsOn'];
      if (dependsOn !== undefined && (!Array.isArray(dependsOn) || dependsOn.some((d) => typeof d !== 'string'))) {
        throw new GraphHttpError(400, 'BadRequest', `dependsOn of request '${id}' must be an array of ids.`);
      }
      steps.push({ id, method: method.toUpperCase(), url, headers, body: payload, dependsOn: (dependsOn ?? []) as string[] });
    }
    for (const s of steps) {
      for (const d of s.dependsOn) {
        if (!ids.has(d.toLowerCase())) throw new GraphHttpError(400, 'BadRequest', `Request '${s.id}' depends on unknown request '${d}'.`);
      }
    }

    const results = new Map<string, { id: string; status: number; headers: Record<string, string>; body?: unknown }>();
    const visiting = new Set<string>();
    const exec = async (s: Step): Promise<void> => {
      const key = s.id.toLowerCase();
      if (results.has(key)) return;
      if (visiting.has(key)) throw new GraphHttpError(400, 'BadRequest', 'The dependsOn graph of the batch has a cycle.');
      visiting.add(key);
      for (const d of s.dependsOn) await exec(steps.find((x) => x.id.toLowerCase() === d.toLowerCase()) as Step);
      const rel = s.url.startsWith('/') ? s.url : `/${s.url}`;
      const qi = rel.indexOf('?');
      const subPath = qi === -1 ? rel : rel.slice(0, qi);
      const subQuery = qi === -1 ? '' : rel.slice(qi + 1);
      const failedDep = s.dependsOn.find((d) => ((results.get(d.toLowerCase())?.status ?? 0) >= 400));
      if (failedDep !== undefined) {
        this.logEntries.push({ seq: ++this.seq, method: s.method, path: subPath, query: subQuery, area: 'graph', inBatch: true, batchEnvelope: false, status: 424, dropped: false, appId: tok.appId });
        results.set(key, {
          id: s.id, status: 424, headers: { 'Content-Type': 'application/json' },
          body: { error: { code: 'failedDependency', message: `The request could not be processed because request '${failedDep}' it depends on failed.` } },
        });
        return;
      }
      const outcome = await this.run({
        area: 'graph', method: s.method, path: subPath, rawQuery: subQuery, query: parseQuery(subQuery), headers: s.headers, body: s.body, inBatch: true, token: tok,
      });
      const res = outcome.res as SimResponse;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (k !== 'request-id' && k !== 'client-request-id') headers[k] = v;
      const entry: { id: string; status: number; headers: Record<string, string>; body?: unknown } = { id: s.id, status: res.status, headers };
      if (res.json !== undefined) entry.body = res.json;
      else if (res.raw) entry.body = res.raw.toString('base64');
      results.set(key, entry);
    };
    for (const s of steps) await exec(s);
    const responses = steps.map((s) => results.get(s.id.toLowerCase()));
    if (this.opts.reverseBatchResponses) responses.reverse();
    return this.ok(200, { responses });
  }

  // ===========================================================================================
  // SharePoint REST sliver
  // ===========================================================================================

  private handleSharePointRest(r: SimRequest): SimResponse {
    const verbose = (r.headers['accept'] ?? '').includes('odata=verbose');
    const reply = (status: number, value: unknown): SimResponse => ({
      status,
      headers: { 'Content-Type': `application/json;odata=${verbose ? 'verbose' : 'nometadata'};charset=utf-8` },
      json: verbose ? { d: value } : value,
    });
    const rest = r.path.slice('/_sp/'.length);
    const apiIdx = rest.indexOf('/_api/');
    if (apiIdx === -1) throw new SpRestError(404, '-1, Microsoft.SharePoint.Client.ResourceNotFoundException', 'Expected /_sp/{hostname}/{site-path}/_api/...');
    const hostAndPath = decodeSeg(rest.slice(0, apiIdx));
    const slash = hostAndPath.indexOf('/');
    const hostname = slash === -1 ? hostAndPath : hostAndPath.slice(0, slash);
    const sitePath = slash === -1 ? '/' : hostAndPath.slice(slash);
    const site = this.findSiteByPath(hostname, sitePath);
    if (!site) throw new SpRestError(404, '-2147024894, System.IO.FileNotFoundException', 'File Not Found.');

    // Authentication: bearer token; app-only tokens from a client secret are refused by SharePoint REST.
    const h = r.headers['authorization'];
    const tok = h && /^bearer\s+\S/i.test(h) ? this.tokens.get(h.replace(/^bearer\s+/i, '').trim()) : undefined;
    if (!tok) throw new SpRestError(401, '-2147024891, System.UnauthorizedAccessException', 'Invalid JWT token: the bearer token is missing or unknown.');
    if (tok.credential === 'secret') throw new SpRestError(401, '-2147024891, System.UnauthorizedAccessException', 'Unsupported app only token.');
    const needed: SiteRole = r.method === 'GET' ? 'read' : 'fullcontrol';
    try {
      this.authorizeSite(tok, site, r.method, needed);
    } catch {
      throw new SpRestError(403, '-2147024891, System.UnauthorizedAccessException', 'Access denied.');
    }

    const api = decodeSeg(rest.slice(apiIdx + '/_api/'.length));
    const m = /^web\/lists(?:\(guid'([0-9a-fA-F-]{36})'\)|\/getbytitle\('((?:[^']|'')*)'\))(.*)$/i.exec(api);
    if (!m) {
      if (/^web\/?$/i.test(api) && r.method === 'GET') return reply(200, { Id: site.id.split(',')[2], Title: site.displayName, Url: this.webUrl(site) });
      throw new SpRestError(404, '-1, Microsoft.SharePoint.Client.ResourceNotFoundException', `Cannot find resource for the request ${api}.`);
    }
    const list = m[1]
      ? site.lists.find((l) => l.id.toLowerCase() === (m[1] as string).toLowerCase())
      : this.findListByTitle(site, (m[2] as string).replace(/''/g, "'"));
    if (!list) throw new SpRestError(404, '-1, System.ArgumentException', `List does not exist at site with URL '${this.webUrl(site)}'.`);
    const tail = (m[3] ?? '').replace(/^\//, '');
    const params = (s: string | undefined): Map<string, string> => {
      const out = new Map<string, string>();
      for (const p of (s ?? '').split(',')) {
        const [k, v] = p.split('=');
        if (k && v !== undefined) out.set(k.trim().toLowerCase(), v.trim());
      }
      return out;
    };
    const flag = (v: string | undefined, name: string): boolean => {
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw new SpRestError(400, '-1, Microsoft.SharePoint.Client.InvalidClientQueryException', `The parameter ${name} must be true or false.`);
    };

    if (tail === '') {
      if (r.method !== 'GET') throw new SpRestError(405, '-1, System.InvalidOperationException', 'Method not allowed.');
      const props: Record<string, unknown> = {
        Id: list.id, Title: list.displayName, HasUniqueRoleAssignments: list.hasUniqueRoleAssignments,
        ItemCount: list.items.size, BaseTemplate: list.template === 'documentLibrary' ? 101 : 100,
      };
      const select = parseSelect(r.query.get('$select'));
      if (!select) return reply(200, props);
      const out: Record<string, unknown> = {};
      for (const s of select) {
        const k = Object.keys(props).find((p) => p.toLowerCase() === s.toLowerCase());
        if (!k) throw new SpRestError(400, '-1, Microsoft.SharePoint.Client.InvalidClientQueryException', `The property '${s}' does not exist on type 'SP.List'.`);
        out[k] = props[k];
      }
      return reply(200, out);
    }
    const call = /^(\w+)(?:\(([^)]*)\))?(?:\/(\w+)(?:\(([^)]*)\))?)?$/.exec(tail);
    const name = call?.[1]?.toLowerCase();
    const sub = call?.[3]?.toLowerCase();
    const voidOk = (method: string): SimResponse => reply(200, verbose ? { [method]: null } : { 'odata.null': true });
    if (name === 'breakroleinheritance' && !sub) {
      if (r.method !== 'POST') throw new SpRestError(405, '-1, System.InvalidOperationException', 'Use POST.');
      const p = params(call?.[2]);
      const copy = flag(p.get('copyroleassignments'), 'copyRoleAssignments');
      flag(p.get('clearsubscopes'), 'clearSubscopes');
      if (!list.hasUniqueRoleAssignments) {
        list.hasUniqueRoleAssignments = true;
        list.roleAssignments = new Map();
        if (copy) for (const [principal, def] of DEFAULT_SITE_ROLE_ASSIGNMENTS) list.roleAssignments.set(principal, new Set([def]));
      }
      return voidOk('BreakRoleInheritance');
    }
    if (name === 'resetroleinheritance' && !sub) {
      if (r.method !== 'POST') throw new SpRestError(405, '-1, System.InvalidOperationException', 'Use POST.');
      list.hasUniqueRoleAssignments = false;
      list.roleAssignments = new Map();
      return voidOk('ResetRoleInheritance');
    }
    if (name === 'roleassignments' && !sub) {
      if (r.method !== 'GET') throw new SpRestError(405, '-1, System.InvalidOperationException', 'Use GET.');
      const expandBindings = (r.query.get('$expand') ?? '').toLowerCase().includes('roledefinitionbindings');
      const source = list.hasUniqueRoleAssignments ? [...list.roleAssignments.entries()] : DEFAULT_SITE_ROLE_ASSIGNMENTS.map(([p, d]) => [p, new Set([d])] as [number, Set<number>]);
      const rows = source.map(([principal, defs]) => {
        const row: Record<string, unknown> = { PrincipalId: principal };
        if (expandBindings) {
          const bindings = [...defs].map((d) => ({ Id: d, Name: ROLE_DEFINITIONS[d] ?? `Role ${d}` }));
          row['RoleDefinitionBindings'] = verbose ? { results: bindings } : bindings;
        }
        return row;
      });
      return reply(200, verbose ? { results: rows } : { value: rows });
    }
    if (name === 'roleassignments' && (sub === 'addroleassignment' || sub === 'removeroleassignment')) {
      if (r.method !== 'POST') throw new SpRestError(405, '-1, System.InvalidOperationException', 'Use POST.');
      const p = params(call?.[4]);
      const principal = Number(p.get('principalid'));
      const def = Number(p.get('roledefid'));
      if (!Number.isInteger(principal) || !Number.isInteger(def)) {
        throw new SpRestError(400, '-1, Microsoft.SharePoint.Client.InvalidClientQueryException', 'principalid and roledefid must be integers.');
      }
      if (!(def in ROLE_DEFINITIONS)) throw new SpRestError(400, '-2146232832, Microsoft.SharePoint.SPException', 'The role definition does not exist.');
      if (!list.hasUniqueRoleAssignments) {
        throw new SpRestError(400, '-2146232832, Microsoft.SharePoint.SPException', 'This operation is not allowed on an object that inherits permissions.');
      }
      if (sub === 'addroleassignment') {
        const set = list.roleAssignments.get(principal) ?? new Set<number>();
        set.add(def);
        list.roleAssignments.set(principal, set);
        return voidOk('AddRoleAssignment');
      }
      const set = list.roleAssignments.get(principal);
      set?.delete(def);
      if (set && set.size === 0) list.roleAssignments.delete(principal);
      return voidOk('RemoveRoleAssignment');
    }
    throw new SpRestError(404, '-1, Microsoft.SharePoint.Client.ResourceNotFoundException', `Cannot find resource for the request ${tail}.`);
  }

  // ===========================================================================================
  // Lookups
  // ===========================================================================================

  private siteById(id: string): SiteRecord {
    const s = this.sites.find((x) => x.id.toLowerCase() === id.toLowerCase());
    if (!s) throw err.notFound('Requested site could not be found');
    return s;
  }

  private findSiteByPath(hostname: string, path: string): SiteRecord | undefined {
    const p = path.replace(/\/+$/, '') || '/';
    return this.sites.find((s) => s.hostname.toLowerCase() === hostname.toLowerCase() && s.path.toLowerCase() === p.toLowerCase());
  }

  private findListByTitle(site: SiteRecord, title: string): ListRecord | undefined {
    return site.lists.find((l) => l.displayName.toLowerCase() === title.toLowerCase());
  }

  /** Graph accepts a list id, its title (displayName) or its URL name. */
  private findList(site: SiteRecord, ref: string): ListRecord | undefined {
    const lower = ref.toLowerCase();
    return site.lists.find((l) => l.id.toLowerCase() === lower) ?? this.findListByTitle(site, ref) ?? site.lists.find((l) => l.name.toLowerCase() === lower);
  }
}
