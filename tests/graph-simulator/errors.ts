/** Error helpers: Graph's `{ error: { code, message, innerError } }` and SharePoint REST's `odata.error`. */

export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const err = {
  badRequest: (message: string, innerCode?: string): GraphHttpError => new GraphHttpError(400, 'invalidRequest', message, innerCode),
  /** Graph's gateway answers unknown segments with code BadRequest. */
  unknownSegment: (segment: string): GraphHttpError => new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`),
  notFound: (message = 'The resource could not be found.'): GraphHttpError => new GraphHttpError(404, 'itemNotFound', message),
  accessDenied: (message = 'Access denied'): GraphHttpError => new GraphHttpError(403, 'accessDenied', message),
  conflict: (message: string): GraphHttpError => new GraphHttpError(409, 'nameAlreadyExists', message),
  preconditionFailed: (): GraphHttpError =>
    new GraphHttpError(412, 'resourceModified', 'The resource has changed since the caller last read it; usually an eTag mismatch'),
  methodNotAllowed: (): GraphHttpError => new GraphHttpError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.'),
  notSupported: (message: string): GraphHttpError => new GraphHttpError(400, 'notSupported', message),
};

export function graphErrorBody(e: GraphHttpError, requestId: string, clientRequestId: string | undefined, now: Date): unknown {
  const inner: Record<string, unknown> = {
    date: now.toISOString().slice(0, 19),
    'request-id': requestId,
    'client-request-id': clientRequestId ?? requestId,
  };
  if (e.innerCode) inner['code'] = e.innerCode;
  return { error: { code: e.code, message: e.message, innerError: inner } };
}

/** SharePoint REST errors carry a CLR-ish code and a localised message object. */
export class SpRestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function spErrorBody(e: SpRestError, verbose: boolean): unknown {
  const inner = { code: e.code, message: { lang: 'en-US', value: e.message } };
  return verbose ? { error: inner } : { 'odata.error': inner };
}
