/**
 * Tests of the Graph simulator, talking to it over real HTTP with Node's global fetch
 * (and, in one test, through @microsoft/microsoft-graph-client).
 */
import { Client, GraphError, HTTPMessageHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';
import { GraphSimulator, type SiteInfo } from './index';

const HOST = 'contoso.sharepoint.com';
const TOKEN = 'token-readwrite';

interface Reply {
  status: number;
  json: any; // test convenience: arbitrary Graph JSON
  headers: Headers;
}

let sim: GraphSimulator;
let baseUrl: string;
let site: SiteInfo;

async function call(
  method: string,
  url: string,
  opts: { body?: unknown; raw?: Buffer; headers?: Record<string, string>; token?: string | null } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers['Authorization'] = `Bearer ${token}`;
  let body: NonNullable<Parameters<typeof fetch>[1]>['body'];
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  } else if (opts.raw) body = opts.raw;
  const res = await fetch(url.startsWith('http') ? url : `${baseUrl}${url}`, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

async function createList(displayName: string, columns: unknown[], template = 'genericList'): Promise<string> {
  const r = await call('POST', `/sites/${site.id}/lists`, { body: { displayName, columns, list: { template } } });
  expect(r.status).toBe(201);
  return r.json.id as string;
}

beforeAll(async () => {
  sim = new GraphSimulator();
  ({ baseUrl } = await sim.start());
});

afterAll(async () => {
  await sim.stop();
});

beforeEach(() => {
  sim.reset();
  sim.addToken(TOKEN, { appId: 'app-rw', roles: ['Sites.ReadWrite.All'] });
  site = sim.addSite(HOST, '/sites/inclusion', { displayName: 'Inclusion' });
});

describe('sites and lists', () => {
  it('gets a site by hostname and path, and by id', async () => {
    const byPath = await call('GET', `/sites/${HOST}:/sites/inclusion`);
    expect(byPath.status).toBe(200);
    expect(byPath.json).toMatchObject({ id: site.id, webUrl: 'https://contoso.sharepoint.com/sites/inclusion', displayName: 'Inclusion', name: 'inclusion' });
    expect(byPath.json.id).toMatch(/^contoso\.sharepoint\.com,[0-9a-f-]{36},[0-9a-f-]{36}$/);
    const byId = await call('GET', `/sites/${encodeURIComponent(site.id)}`);
    expect(byId.json.id).toBe(site.id);
    const missing = await call('GET', `/sites/${HOST}:/sites/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('itemNotFound');
  });

  it('creates a list with columns, finds it by displayName, refuses a duplicate', async () => {
    const id = await createList('Referrals', [
      { name: 'RefKey', text: {}, indexed: true, enforceUniqueValues: true },
      { name: 'Score', number: {} },
      { name: 'Due', dateTime: { format: 'dateTime' } },
      { name: 'Urgent', boolean: {} },
      { name: 'Stage', choice: { choices: ['New', 'Panel', 'Closed'] } },
      { name: 'Owner', personOrGroup: {} },
    ]);
    const found = await call('GET', `/sites/${site.id}/lists?$filter=displayName eq 'Referrals'&$select=id,displayName`);
    expect(found.status).toBe(200);
    expect(found.json.value).toEqual([{ '@odata.etag': expect.any(String), id, displayName: 'Referrals' }]);
    const byTitle = await call('GET', `/sites/${site.id}/lists/Referrals`);
    expect(byTitle.json).toMatchObject({ id, list: { template: 'genericList' } });

    const cols = await call('GET', `/sites/${site.id}/lists/${id}/columns`);
    const refKey = cols.json.value.find((c: { name: string }) => c.name === 'RefKey');
    expect(refKey).toMatchObject({ indexed: true, enforceUniqueValues: true, text: { maxLength: 255 } });

    const dup = await call('POST', `/sites/${site.id}/lists`, { body: { displayName: 'referrals', list: { template: 'genericList' } } });
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe('nameAlreadyExists');

    const added = await call('POST', `/sites/${site.id}/lists/${id}/columns`, { body: { name: 'School', text: {} } });
    expect(added.status).toBe(201);
    expect(added.json.indexed).toBe(false);
    const patched = await call('PATCH', `/sites/${site.id}/lists/${id}/columns/${added.json.id}`, { body: { indexed: true } });
    expect(patched.status).toBe(200);
    expect(patched.json.indexed).toBe(true);
    const notes = await call('POST', `/sites/${site.id}/lists/${id}/columns`, { body: { name: 'Notes', text: { allowMultipleLines: true } } });
    expect(notes.status).toBe(201);
    expect((await call('PATCH', `/sites/${site.id}/lists/${id}/columns/${notes.json.id}`, { body: { indexed: true } })).status).toBe(400);
    const uniqueWithoutIndex = await call('POST', `/sites/${site.id}/lists/${id}/columns`, { body: { name: 'X', text: {}, enforceUniqueValues: true } });
    expect(uniqueWithoutIndex.status).toBe(400);
  });

  it('a documentLibrary list gets a drive', async () => {
    const id = await createList('Evidence', [{ name: 'Category', text: {} }], 'documentLibrary');
    const drives = await call('GET', `/sites/${site.id}/drives`);
    expect(drives.json.value.map((d: { name: string }) => d.name).sort()).toEqual(['Documents', 'Evidence']);
    const drive = await call('GET', `/sites/${site.id}/lists/${id}/drive`);
    expect(drive.json.driveType).toBe('documentLibrary');
    expect(sim.getList(site.id, id)?.driveId).toBe(drive.json.id);
  });
});

describe('list items', () => {
  let listId: string;
  beforeEach(async () => {
    listId = await createList('Referrals', [
      { name: 'RefKey', text: {}, indexed: true, enforceUniqueValues: true },
      { name: 'Score', number: {} },
      { name: 'Due', dateTime: {} },
      { name: 'Stage', choice: { choices: ['New', 'Panel'] } },
    ]);
  });
  const items = (): string => `/sites/${site.id}/lists/${listId}/items`;

  it('CRUD with monotonic ids that are never reused', async () => {
    const a = await call('POST', items(), { body: { fields: { Title: 'A', RefKey: 'k-1', Score: 3, Due: '2025-01-02T03:04:05.678Z', Stage: 'New' } } });
    expect(a.status).toBe(201);
    expect(a.json).toMatchObject({ id: '1', createdDateTime: expect.any(String), lastModifiedDateTime: expect.any(String) });
    expect(a.json.eTag).toMatch(/^"[0-9a-f-]{36},1"$/);
    expect(a.json.fields).toMatchObject({ Title: 'A', RefKey: 'k-1', Score: 3, Due: '2025-01-02T03:04:05Z', Stage: 'New', id: '1' });

    const b = await call('POST', items(), { body: { fields: { Title: 'B' } } });
    expect(b.json.id).toBe('2');
    expect(b.json.fields).not.toHaveProperty('Score'); // empty values are omitted, as Graph does
    expect((await call('DELETE', `${items()}/2`)).status).toBe(204);
    expect((await call('GET', `${items()}/2`)).status).toBe(404);
    const c = await call('POST', items(), { body: { fields: { Title: 'C' } } });
    expect(c.json.id).toBe('3');

    const got = await call('GET', `${items()}/1?$expand=fields($select=Title,Score)`);
    expect(got.status).toBe(200);
    expect(got.json.fields).toEqual({ '@odata.etag': a.json.eTag, Title: 'A', Score: 3 });

    const patched = await call('PATCH', `${items()}/1/fields`, { body: { Score: 4, Stage: null } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ Score: 4, Title: 'A' });
    expect(patched.json).not.toHaveProperty('Stage');
    expect(patched.json['@odata.etag']).toMatch(/,2"$/);
  });

  it('If-Match: stale eTag gives 412 and changes nothing; current eTag and * succeed', async () => {
    const a = await call('POST', items(), { body: { fields: { Title: 'A', Score: 1 } } });
    const first = await call('PATCH', `${items()}/1/fields`, { body: { Score: 2 }, headers: { 'If-Match': a.json.eTag } });
    expect(first.status).toBe(200);
    const stale = await call('PATCH', `${items()}/1/fields`, { body: { Score: 99 }, headers: { 'If-Match': a.json.eTag } });
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe('resourceModified');
    expect(sim.getItems(site.id, listId)[0]?.fields['Score']).toBe(2);
    const star = await call('PATCH', `${items()}/1/fields`, { body: { Score: 3 }, headers: { 'If-Match': '*' } });
    expect(star.status).toBe(200);
    const current = star.json['@odata.etag'] as string;
    expect((await call('DELETE', `${items()}/1`, { headers: { 'If-Match': a.json.eTag } })).status).toBe(412);
    expect((await call('DELETE', `${items()}/1`, { headers: { 'If-Match': current } })).status).toBe(204);
  });

  it('unique column rejects duplicates (case-insensitively) with 409, also on update', async () => {
    expect((await call('POST', items(), { body: { fields: { RefKey: 'idem-1' } } })).status).toBe(201);
    const dup = await call('POST', items(), { body: { fields: { RefKey: 'IDEM-1' } } });
    expect(dup.status).toBe(409);
    expect(dup.json.error.message).toContain('duplicate values were found in the following field(s) in the list: [RefKey]');
    expect(sim.getList(site.id, listId)?.itemCount).toBe(1);
    await call('POST', items(), { body: { fields: { RefKey: 'idem-2' } } });
    expect((await call('PATCH', `${items()}/2/fields`, { body: { RefKey: 'idem-1' } })).status).toBe(409);
    expect((await call('PATCH', `${items()}/2/fields`, { body: { RefKey: 'idem-2' } })).status).toBe(200);
  });

  it('enforces column types lightly', async () => {
    const str = await call('POST', items(), { body: { fields: { Score: '3' } } });
    expect(str.status).toBe(400);
    expect(str.json.error.code).toBe('invalidRequest');
    expect((await call('POST', items(), { body: { fields: { Stage: 'Elsewhere' } } })).status).toBe(400);
    expect((await call('POST', items(), { body: { fields: { Due: 'tomorrow' } } })).status).toBe(400);
    const unknown = await call('POST', items(), { body: { fields: { Nope: 1 } } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe("Field 'Nope' is not recognized");
  });

  it('pages through 450 items with @odata.nextLink', async () => {
    sim.seedItems(site.id, listId, Array.from({ length: 450 }, (_, i) => ({ Title: `item ${i}`, RefKey: `k${i}` })));
    const seen: string[] = [];
    let url: string | undefined = `${items()}?$expand=fields($select=Title)`;
    let pages = 0;
    while (url) {
      const r: Reply = await call('GET', url);
      expect(r.status).toBe(200);
      pages++;
      for (const it of r.json.value) {
        seen.push(it.id);
        expect(Object.keys(it.fields).sort()).toEqual(['@odata.etag', 'Title']);
      }
      url = r.json['@odata.nextLink'];
      if (url) expect(url).toContain('$expand=fields($select=Title)');
    }
    expect(pages).toBe(3); // default page size 200
    expect(seen).toEqual(Array.from({ length: 450 }, (_, i) => String(i + 1)));

    let next: string | undefined = `${items()}?$top=100&$orderby=fields/RefKey desc`;
    const keys: string[] = [];
    pages = 0;
    while (next) {
      const r: Reply = await call('GET', next);
      pages++;
      keys.push(...r.json.value.map((it: { id: string }) => it.id));
      next = r.json['@odata.nextLink'];
    }
    expect(pages).toBe(5);
    expect(new Set(keys).size).toBe(450);

    const capped = await call('GET', `${items()}?$top=5000`);
    expect(capped.json.value).toHaveLength(450); // 450 < 999: the cap is not reached
    expect((await call('GET', `${items()}?$skiptoken=garbage`)).status).toBe(400);
  });

  it('filtering on a non-indexed column needs the Prefer header, and fails past the list view threshold', async () => {
    sim.seedItems(site.id, listId, [{ Score: 1 }, { Score: 5 }, { Score: 9 }]);
    const denied = await call('GET', `${items()}?$filter=fields/Score ge 3`);
    expect(denied.status).toBe(400);
    expect(denied.json.error.code).toBe('invalidRequest');
    expect(denied.json.error.message).toContain("Field 'Score' cannot be referenced in filter or orderby as it is not indexed");
    expect(denied.json.error.message).toContain('HonorNonIndexedQueriesWarningMayFailRandomly');
    const ordered = await call('GET', `${items()}?$orderby=fields/Score`);
    expect(ordered.status).toBe(400);

    const prefer = { Prefer: 'HonorNonIndexedQueriesWarningMayFailRandomly' };
    const allowed = await call('GET', `${items()}?$expand=fields&$filter=fields/Score ge 3`, { headers: prefer });
    expect(allowed.status).toBe(200);
    expect(allowed.json.value.map((i: { fields: { Score: number } }) => i.fields.Score)).toEqual([5, 9]);

    sim.seedItems(site.id, listId, Array.from({ length: 4998 }, () => ({ Score: 2 })));
    expect(sim.getList(site.id, listId)?.itemCount).toBe(5001);
    const lvt = await call('GET', `${items()}?$filter=fields/Score ge 3`, { headers: prefer });
    expect(lvt.status).toBe(400);
    expect(lvt.json.error).toMatchObject({ code: 'notSupported', innerError: { code: 'tooManyResources' } });
    // Indexed columns still work on the large list.
    const indexed = await call('GET', `${items()}?$filter=fields/RefKey eq 'x'`);
    expect(indexed.status).toBe(200);
  });

  it('supports eq, ne, lt, le, gt, ge, and, or, not, startswith on indexed columns', async () => {
    const l = await createList('Cases', [
      { name: 'Code', text: {}, indexed: true },
      { name: 'N', number: {}, indexed: true },
      { name: 'When', dateTime: {}, indexed: true },
      { name: 'Open', boolean: {}, indexed: true },
    ]);
    sim.seedItems(site.id, l, [
      { Code: 'ALN-001', N: 1, When: '2025-01-01T00:00:00Z', Open: true },
      { Code: 'ALN-002', N: 2, When: '2025-02-01T00:00:00Z', Open: false },
      { Code: 'REF-003', N: 3, When: '2025-03-01T00:00:00Z', Open: true },
      { Code: "O'Brien", N: 4 },
    ]);
    const ids = async (filter: string): Promise<string[]> => {
      const r = await call('GET', `/sites/${site.id}/lists/${l}/items?$filter=${encodeURIComponent(filter)}`);
      expect(r.status).toBe(200);
      return r.json.value.map((i: { id: string }) => i.id);
    };
    expect(await ids("fields/Code eq 'aln-001'")).toEqual(['1']);
    expect(await ids("fields/Code ne 'ALN-001'")).toEqual(['2', '3', '4']);
    expect(await ids('fields/N lt 2')).toEqual(['1']);
    expect(await ids('fields/N le 2')).toEqual(['1', '2']);
    expect(await ids('fields/N gt 2 and fields/N lt 4')).toEqual(['3']);
    expect(await ids('fields/N ge 4 or fields/N eq 1')).toEqual(['1', '4']);
    expect(await ids("startswith(fields/Code,'ALN')")).toEqual(['1', '2']);
    expect(await ids("not startswith(fields/Code,'ALN') and fields/N ge 3")).toEqual(['3', '4']);
    expect(await ids("fields/When ge '2025-02-01T00:00:00Z'")).toEqual(['2', '3']);
    expect(await ids('fields/When lt 2025-02-01T00:00:00Z')).toEqual(['1']);
    expect(await ids('fields/Open eq true')).toEqual(['1', '3']);
    expect(await ids("fields/Code eq 'O''Brien'")).toEqual(['4']);
    expect(await ids('fields/When eq null')).toEqual(['4']);
    const desc = await call('GET', `/sites/${site.id}/lists/${l}/items?$orderby=fields/N desc&$top=2`);
    expect(desc.json.value.map((i: { id: string }) => i.id)).toEqual(['4', '3']);
    expect((await call('GET', `/sites/${site.id}/lists/${l}/items?$filter=fields/N eq`)).status).toBe(400);
  });
});

describe('JSON batching', () => {
  let listId: string;
  beforeEach(async () => {
    listId = await createList('Outbox', [{ name: 'Key', text: {}, indexed: true, enforceUniqueValues: true }]);
  });
  const itemsUrl = (): string => `/sites/${site.id}/lists/${listId}/items`;
  const post = (id: string, key: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    id, method: 'POST', url: itemsUrl(), headers: { 'Content-Type': 'application/json' }, body: { fields: { Key: key } }, ...extra,
  });

  it('runs 20 requests, refuses 21, and counts each sub-request', async () => {
    sim.clearLog();
    const ok = await call('POST', '/$batch', { body: { requests: Array.from({ length: 20 }, (_, i) => post(String(i + 1), `k${i}`)) } });
    expect(ok.status).toBe(200);
    expect(ok.json.responses).toHaveLength(20);
    for (const r of ok.json.responses) {
      expect(r.status).toBe(201);
      expect(r.body.fields.Key).toBe(`k${Number(r.id) - 1}`);
      expect(r.headers['Content-Type']).toContain('application/json');
    }
    expect(sim.requestCount()).toBe(20);
    expect(sim.requestCount({ includeBatchEnvelopes: true })).toBe(21);
    expect(sim.httpRequestCount()).toBe(1);
    expect(sim.log.filter((e) => e.inBatch)).toHaveLength(20);

    const tooMany = await call('POST', '/$batch', { body: { requests: Array.from({ length: 21 }, (_, i) => post(String(i), `x${i}`)) } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.message).toContain('at most 20');
    expect(sim.getList(site.id, listId)?.itemCount).toBe(20);
    const dupIds = await call('POST', '/$batch', { body: { requests: [post('a', 'y1'), post('A', 'y2')] } });
    expect(dupIds.status).toBe(400);
  });

  it('is not atomic, and a failed dependency gives 424', async () => {
    const r = await call('POST', '/$batch', {
      body: {
        requests: [
          post('1', 'same'),
          post('2', 'same'), // duplicate unique value → 409
          post('3', 'after-2', { dependsOn: ['2'] }), // → 424
          post('4', 'after-3', { dependsOn: ['3'] }), // → 424 (cascade)
          post('5', 'after-1', { dependsOn: ['1'] }), // → 201
          { id: '6', method: 'GET', url: `${itemsUrl()}?$expand=fields`, dependsOn: ['5'] },
        ],
      },
    });
    expect(r.status).toBe(200);
    const byId = new Map<string, { status: number; body: any }>(r.json.responses.map((x: { id: string; status: number; body: unknown }) => [x.id, x]));
    expect(byId.get('1')?.status).toBe(201);
    expect(byId.get('2')?.status).toBe(409);
    expect(byId.get('3')?.status).toBe(424);
    expect(byId.get('4')?.status).toBe(424);
    expect(byId.get('5')?.status).toBe(201);
    expect(byId.get('6')?.status).toBe(200);
    expect(byId.get('6')?.body.value.map((i: { fields: { Key: string } }) => i.fields.Key)).toEqual(['same', 'after-1']);
  });

  it('can throttle a single sub-request (429 with Retry-After inside the batch response)', async () => {
    sim.faults.next('POST', /\/items$/, '429', { inBatch: true, retryAfterSeconds: 7 });
    const r = await call('POST', '/$batch', { body: { requests: [post('1', 'a'), post('2', 'b'), post('3', 'c')] } });
    expect(r.status).toBe(200);
    const statuses = r.json.responses.map((x: { status: number }) => x.status);
    expect(statuses).toEqual([429, 201, 201]);
    expect(r.json.responses[0].headers['Retry-After']).toBe('7');
    expect(r.json.responses[0].body.error.code).toBe('activityLimitReached');
    expect(sim.getItems(site.id, listId).map((i) => i.fields['Key'])).toEqual(['b', 'c']);
  });
});

describe('drives and uploads', () => {
  const KIB320 = 327_680;
  const bytes = (n: number, seed = 7): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

  it('simple upload creates folders implicitly; metadata, children, content, 404, 413', async () => {
    const drive = site.defaultDriveId;
    const put = await call('PUT', `/drives/${drive}/root:/Referrals/2025/form.txt:/content`, { raw: Buffer.from('hello'), headers: { 'Content-Type': 'text/plain' } });
    expect(put.status).toBe(201);
    expect(put.json).toMatchObject({ name: 'form.txt', size: 5, file: { mimeType: 'text/plain' }, parentReference: { driveId: drive, path: `/drives/${drive}/root:/Referrals/2025` } });
    const replaced = await call('PUT', `/drives/${drive}/root:/Referrals/2025/form.txt:/content`, { raw: Buffer.from('hello again') });
    expect(replaced.status).toBe(200);
    expect(replaced.json.id).toBe(put.json.id);

    const meta = await call('GET', `/drives/${drive}/root:/Referrals/2025/form.txt`);
    expect(meta.status).toBe(200);
    expect(meta.json.size).toBe(11);
    expect((await call('GET', `/drives/${drive}/root:/Referrals/missing.txt`)).json.error.code).toBe('itemNotFound');
    const children = await call('GET', `/drives/${drive}/root:/Referrals:/children`);
    expect(children.json.value.map((c: { name: string; folder?: unknown }) => [c.name, Boolean(c.folder)])).toEqual([['2025', true]]);
    const viaSite = await call('GET', `/sites/${site.id}/drive/root:/Referrals/2025:/children`);
    expect(viaSite.json.value[0].name).toBe('form.txt');

    const content = await fetch(`${baseUrl}/drives/${drive}/items/${put.json.id}/content`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(content.status).toBe(200); // after following the 302 to the pre-authenticated URL
    expect(Buffer.from(await content.arrayBuffer()).toString()).toBe('hello again');

    const big = await call('PUT', `/drives/${drive}/root:/big.bin:/content`, { raw: Buffer.alloc(4 * 1024 * 1024 + 1) });
    expect(big.status).toBe(413);
  });

  it('upload session: 320 KiB chunks, a rejected non-multiple chunk, resume after a dropped chunk', async () => {
    const drive = site.defaultDriveId;
    const file = bytes(3 * KIB320 + 1000);
    const session = await call('POST', `/drives/${drive}/root:/Evidence/report.pdf:/createUploadSession`, {
      body: { item: { '@microsoft.graph.conflictBehavior': 'replace' } },
    });
    expect(session.status).toBe(200);
    expect(session.json.nextExpectedRanges).toEqual(['0-']);
    const uploadUrl: string = session.json.uploadUrl;
    expect(typeof session.json.expirationDateTime).toBe('string');

    const chunk = async (start: number, end: number, headers: Record<string, string> = {}): Promise<Reply> =>
      call('PUT', uploadUrl, { raw: file.subarray(start, end + 1), token: null, headers: { 'Content-Range': `bytes ${start}-${end}/${file.length}`, ...headers } });

    expect((await chunk(0, KIB320 - 1, { Authorization: `Bearer ${TOKEN}` })).status).toBe(401);
    const odd = await chunk(0, 99_999);
    expect(odd.status).toBe(400);
    expect(odd.json.error.message).toContain('320 KiB');

    const c1 = await chunk(0, KIB320 - 1);
    expect(c1.status).toBe(202);
    expect(c1.json.nextExpectedRanges).toEqual([`${KIB320}-`]);

    sim.faults.next('PUT', /^\/_upload\//, 'drop');
    await expect(chunk(KIB320, 2 * KIB320 - 1)).rejects.toThrow();
    const status = await call('GET', uploadUrl, { token: null });
    expect(status.status).toBe(200);
    expect(status.json.nextExpectedRanges).toEqual([`${KIB320}-`]); // the dropped chunk was not kept

    expect((await chunk(KIB320, 2 * KIB320 - 1)).status).toBe(202);
    expect((await chunk(KIB320, 2 * KIB320 - 1)).status).toBe(416); // already received
    expect((await chunk(2 * KIB320, 3 * KIB320 - 1)).status).toBe(202);
    const done = await chunk(3 * KIB320, file.length - 1);
    expect(done.status).toBe(201);
    expect(done.json).toMatchObject({ name: 'report.pdf', size: file.length, file: { mimeType: 'application/pdf' } });
    expect(sim.getFileContent(drive, 'Evidence/report.pdf')?.equals(file)).toBe(true);
    expect((await call('GET', uploadUrl, { token: null })).status).toBe(404);
  });

  it('library columns through listItem/fields, with If-Match', async () => {
    const libId = await createList('Evidence', [{ name: 'Category', choice: { choices: ['Report', 'Plan'] } }], 'documentLibrary');
    const driveId = sim.getList(site.id, libId)?.driveId as string;
    const put = await call('PUT', `/drives/${driveId}/root:/plan.docx:/content`, { raw: Buffer.from('doc') });
    const li = await call('GET', `/drives/${driveId}/items/${put.json.id}/listItem?$expand=fields`);
    expect(li.status).toBe(200);
    expect(li.json.fields).toMatchObject({ FileLeafRef: 'plan.docx', ContentType: 'Document' });
    const patched = await call('PATCH', `/drives/${driveId}/items/${put.json.id}/listItem/fields`, { body: { Category: 'Plan' }, headers: { 'If-Match': li.json.eTag } });
    expect(patched.status).toBe(200);
    expect(patched.json.Category).toBe('Plan');
    const stale = await call('PATCH', `/drives/${driveId}/items/${put.json.id}/listItem/fields`, { body: { Category: 'Report' }, headers: { 'If-Match': li.json.eTag } });
    expect(stale.status).toBe(412);
    const viaList = await call('GET', `/sites/${site.id}/lists/${libId}/items?$expand=fields($select=FileLeafRef,Category)`);
    expect(viaList.json.value[0].fields).toMatchObject({ FileLeafRef: 'plan.docx', Category: 'Plan' });
  });
});

describe('authentication and Sites.Selected permissions', () => {
  const APP = 'bot-app-id';
  beforeEach(() => {
    sim.addToken('app-token', { appId: APP, roles: ['Sites.Selected'] });
    sim.addToken('admin-token', { appId: 'admin-app', roles: ['Sites.FullControl.All'] });
    sim.requireSiteGrant(APP);
  });

  it('answers 401 without a bearer token or with an unknown one', async () => {
    const none = await call('GET', `/sites/${site.id}`, { token: null });
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('InvalidAuthenticationToken');
    expect((await call('GET', `/sites/${site.id}`, { token: 'forged' })).status).toBe(401);
  });

  it('answers 403 until the site grants the app, and enforces read vs write', async () => {
    const denied = await call('GET', `/sites/${HOST}:/sites/inclusion`, { token: 'app-token' });
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('accessDenied');

    expect((await call('POST', `/sites/${site.id}/permissions`, { token: 'app-token', body: {} })).status).toBe(403);
    const grant = await call('POST', `/sites/${site.id}/permissions`, {
      token: 'admin-token',
      body: { roles: ['read'], grantedToIdentities: [{ application: { id: APP, displayName: 'Inclusion bot' } }] },
    });
    expect(grant.status).toBe(201);
    expect(grant.json).toMatchObject({ roles: ['read'], grantedToIdentitiesV2: [{ application: { id: APP } }] });
    const listed = await call('GET', `/sites/${site.id}/permissions`, { token: 'admin-token' });
    expect(listed.json.value).toHaveLength(1);

    expect((await call('GET', `/sites/${site.id}/lists`, { token: 'app-token' })).status).toBe(200);
    expect((await call('POST', `/sites/${site.id}/lists`, { token: 'app-token', body: { displayName: 'L' } })).status).toBe(403);
    expect((await call('PATCH', `/sites/${site.id}/permissions/${grant.json.id}`, { token: 'admin-token', body: { roles: ['write'] } })).status).toBe(200);
    expect((await call('POST', `/sites/${site.id}/lists`, { token: 'app-token', body: { displayName: 'L' } })).status).toBe(201);

    const other = sim.addSite(HOST, '/sites/other');
    expect((await call('GET', `/drives/${other.defaultDriveId}`, { token: 'app-token' })).status).toBe(403);
    const batch = await call('POST', '/$batch', {
      token: 'app-token',
      body: { requests: [{ id: '1', method: 'GET', url: `/sites/${site.id}` }, { id: '2', method: 'GET', url: `/sites/${other.id}` }] },
    });
    expect(batch.json.responses.map((r: { status: number }) => r.status)).toEqual([200, 403]);
  });
});

describe('SharePoint REST sliver (unique permissions)', () => {
  it('breaks inheritance and adds a role assignment on a list', async () => {
    const listId = await createList('Confidential', []);
    const siteJson = await call('GET', `/sites/${site.id}`);
    const spBase: string = siteJson.json['@simulator.sharePointRestUrl'];
    expect(spBase).toBe(sim.sharePointRestBaseUrl(site.webUrl));
    const listUrl = `${spBase}/_api/web/lists(guid'${listId}')`;
    const sp = (method: string, url: string, token = TOKEN): Promise<Reply> => call(method, url, { token, headers: { Accept: 'application/json;odata=nometadata' } });

    expect((await sp('GET', `${listUrl}?$select=HasUniqueRoleAssignments`)).json).toEqual({ HasUniqueRoleAssignments: false });
    const early = await sp('POST', `${listUrl}/roleassignments/addroleassignment(principalid=7,roledefid=1073741827)`);
    expect(early.status).toBe(400);
    expect(early.json['odata.error'].message.value).toContain('inherits permissions');

    expect((await sp('POST', `${listUrl}/breakroleinheritance(copyRoleAssignments=false,clearSubscopes=true)`)).status).toBe(200);
    expect((await sp('POST', `${listUrl}/roleassignments/addroleassignment(principalid=7,roledefid=1073741827)`)).status).toBe(200);
    expect((await sp('GET', `${listUrl}?$select=HasUniqueRoleAssignments`)).json).toEqual({ HasUniqueRoleAssignments: true });
    expect(sim.getList(site.id, listId)?.roleAssignments).toEqual([{ principalId: 7, roleDefinitionIds: [1073741827] }]);
    const verbose = await call('GET', `${listUrl}?$select=HasUniqueRoleAssignments`, { headers: { Accept: 'application/json;odata=verbose' } });
    expect(verbose.json).toEqual({ d: { HasUniqueRoleAssignments: true } });

    sim.addToken('secret-token', { appId: 'secret-app', credential: 'secret' });
    const secret = await sp('GET', listUrl, 'secret-token');
    expect(secret.status).toBe(401);
    expect(secret.json['odata.error'].message.value).toBe('Unsupported app only token.');

    sim.addToken('selected', { appId: 'sel', roles: ['Sites.Selected'] });
    sim.requireSiteGrant('sel');
    sim.grantSite(site.id, 'sel', ['write']);
    expect((await sp('POST', `${listUrl}/breakroleinheritance(copyRoleAssignments=false,clearSubscopes=true)`, 'selected')).status).toBe(403);
    sim.grantSite(site.id, 'sel', ['fullcontrol']);
    expect((await sp('POST', `${listUrl}/breakroleinheritance(copyRoleAssignments=false,clearSubscopes=true)`, 'selected')).status).toBe(200);
  });
});

describe('fault injection', () => {
  async function statuses(seed: number): Promise<Array<[number, string | null]>> {
    const s = new GraphSimulator();
    const { baseUrl: b } = await s.start();
    try {
      s.addToken('t', { appId: 'a' });
      const st = s.addSite(HOST, '/sites/x');
      s.faults.set({ rate: 0.3, kinds: ['429', '503', '504'], retryAfterSeconds: 2, seed });
      const out: Array<[number, string | null]> = [];
      for (let i = 0; i < 40; i++) {
        const r = await fetch(`${b}/sites/${st.id}`, { headers: { Authorization: 'Bearer t' } });
        await r.arrayBuffer();
        out.push([r.status, r.headers.get('retry-after')]);
      }
      return out;
    } finally {
      await s.stop();
    }
  }

  it('is deterministic for a seed, and never sleeps for Retry-After', async () => {
    const started = Date.now();
    const a = await statuses(42);
    const b = await statuses(42);
    const c = await statuses(43);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const faulted = a.filter(([st]) => st !== 200);
    expect(faulted.length).toBeGreaterThan(3);
    expect(faulted.length).toBeLessThan(30);
    for (const [st, retry] of a) {
      if (st === 429 || st === 503) expect(retry).toBe('2');
      if (st === 200) expect(retry).toBeNull();
    }
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('drop loses the write; dropAfterApply keeps it although the client never hears', async () => {
    const listId = await createList('Outbox', [{ name: 'Key', text: {}, indexed: true, enforceUniqueValues: true }]);
    const url = `/sites/${site.id}/lists/${listId}/items`;
    sim.faults.next('POST', /\/items$/, 'drop');
    await expect(call('POST', url, { body: { fields: { Key: 'k1' } } })).rejects.toThrow();
    expect(sim.getItems(site.id, listId)).toHaveLength(0);

    sim.faults.next('POST', /\/items$/, 'dropAfterApply');
    await expect(call('POST', url, { body: { fields: { Key: 'k1' } } })).rejects.toThrow();
    expect(sim.getItems(site.id, listId).map((i) => i.fields['Key'])).toEqual(['k1']);
    // The client's retry hits the unique idempotency column.
    expect((await call('POST', url, { body: { fields: { Key: 'k1' } } })).status).toBe(409);
    // A dropped answer is dropped even when the request failed.
    sim.faults.next('POST', /\/items$/, 'dropAfterApply');
    await expect(call('POST', url, { body: { fields: { Key: 'k1' } } })).rejects.toThrow();
    const dropped = sim.log.filter((e) => e.dropped);
    expect(dropped.map((e) => [e.fault, e.status])).toEqual([['drop', null], ['dropAfterApply', 201], ['dropAfterApply', 409]]);
  });

  it('412 faults only hit requests carrying If-Match; latency is real but optional', async () => {
    const listId = await createList('L', []);
    const url = `/sites/${site.id}/lists/${listId}/items`;
    sim.faults.set({ rate: 1, kinds: ['412'], seed: 1 });
    expect((await call('POST', url, { body: { fields: { Title: 'x' } } })).status).toBe(201);
    expect((await call('PATCH', `${url}/1/fields`, { body: { Title: 'y' }, headers: { 'If-Match': '*' } })).status).toBe(412);
    sim.faults.clear();
    sim.latencyMs = 40;
    const t0 = Date.now();
    expect((await call('GET', url)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35);
  });
});

describe('@microsoft/microsoft-graph-client against the simulator', () => {
  /** Adds the bearer token itself: the SDK's AuthenticationHandler only does so for https Graph hosts or customHosts. */
  class BearerMiddleware implements Middleware {
    private next: Middleware | undefined;
    constructor(private readonly token: () => Promise<string>) {}
    async execute(context: Context): Promise<void> {
      const options = context.options ?? {};
      options.headers = { ...(options.headers as Record<string, string> | undefined), Authorization: `Bearer ${await this.token()}` };
      context.options = options;
      if (!this.next) throw new Error('BearerMiddleware must not be last');
      await this.next.execute(context);
    }
    setNext(next: Middleware): void {
      this.next = next;
    }
  }

  it('works with initWithMiddleware({ baseUrl, defaultVersion, middleware })', async () => {
    const origin = baseUrl.replace(/\/v1\.0$/, '');
    const client = Client.initWithMiddleware({
      baseUrl: `${origin}/`,
      defaultVersion: 'v1.0',
      middleware: [new BearerMiddleware(async () => TOKEN), new HTTPMessageHandler()],
    });
    const s = await client.api(`/sites/${HOST}:/sites/inclusion`).get();
    expect(s.id).toBe(site.id);
    const list = await client.api(`/sites/${site.id}/lists`).post({ displayName: 'Sdk', columns: [{ name: 'Key', text: {}, indexed: true }] });
    for (let i = 0; i < 5; i++) await client.api(`/sites/${site.id}/lists/${list.id}/items`).post({ fields: { Key: `k${i}` } });

    // nextLink is absolute; the SDK only strips https:// origins, so hand it a path relative to the version root.
    const relative = (link: string): string => link.slice(baseUrl.length);
    let page = await client.api(`/sites/${site.id}/lists/${list.id}/items`).query({ $expand: 'fields', $top: 2 }).get();
    const keys: string[] = page.value.map((i: { fields: { Key: string } }) => i.fields.Key);
    while (page['@odata.nextLink']) {
      page = await client.api(relative(page['@odata.nextLink'])).get();
      keys.push(...page.value.map((i: { fields: { Key: string } }) => i.fields.Key));
    }
    expect(keys).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);

    const filtered = await client
      .api(`/sites/${site.id}/lists/${list.id}/items`)
      .header('Prefer', 'HonorNonIndexedQueriesWarningMayFailRandomly')
      .expand('fields')
      .filter("fields/Key eq 'k3'")
      .get();
    expect(filtered.value.map((i: { id: string }) => i.id)).toEqual(['4']);

    const batch = await client.api('/$batch').post({ requests: [{ id: '1', method: 'GET', url: `/sites/${site.id}/lists/${list.id}/items/1` }] });
    expect(batch.responses[0].status).toBe(200);

    const error = await client.api(`/sites/${site.id}/lists/${list.id}/items/1/fields`).header('If-Match', '"stale,1"').patch({ Key: 'z' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).statusCode).toBe(412);
    expect((error as GraphError).code).toBe('resourceModified');
  });
});
