import Database from 'better-sqlite3';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALEX, STRANGER, execute, fileAttachment, message, validForm } from '../support/activities';
import { actions, cardText, facts } from '../support/cards';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
let files: Server;
let filesUrl = '';
const conv = `a:personal-${ALEX.aadObjectId}`;
const o = () => ({ serviceUrl: h.connector.url });
const PDF = Buffer.from('%PDF-1.4\n% test document for MON referral\n%%EOF\n');

beforeAll(async () => {
  // Stands in for the pre-authorised download URL Teams gives for a file sent in chat.
  files = createServer((req, res) => {
    if (req.url === '/ok.pdf') { res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': PDF.length }); res.end(PDF); }
    else if (req.url === '/big.pdf') { res.writeHead(200, { 'content-type': 'application/pdf' }); res.end(Buffer.alloc(2048, 1)); }
    else { res.writeHead(404); res.end(); }
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', () => r()));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((r) => files.close(() => r())));
beforeEach(async () => { h = await startHarness({ DOCUMENT_MAX_BYTES: '1024' }); });
afterEach(async () => h.close());

async function refer(): Promise<string> {
  h.connector.clear();
  await h.post(message('/refer', o()));
  const key = (actions(h.connector.cards(conv)[0]).find((a) => a.verb === 'referral.submit')!.data as { idempotencyKey: string }).idempotencyKey;
  const res = await h.post(execute('referral.submit', { ...validForm(), idempotencyKey: key }, o()));
  return facts(res.body.value)['Reference']!;
}

test('"Add documents" then a file in chat: downloaded, checked, stored with the referral, confirmed by name, audited', async () => {
  const reference = await refer();
  const chosen = await h.post(execute('documents.choose', { reference }, o()));
  expect(cardText(chosen.body.value)).toContain(`Send the documents for ${reference}`);
  h.connector.clear();
  await h.post(message('', { ...o(), attachments: [fileAttachment('IDP draft.pdf', `${filesUrl}/ok.pdf`, 'pdf')] }));
  expect(h.connector.texts(conv)).toEqual([`Stored "IDP draft.pdf" with ${reference}.`]);
  const stored = join(h.dir, 'documents', reference, 'IDP draft.pdf');
  expect(readFileSync(stored)).toEqual(PDF);
  // a second file with the same name is kept beside the first, never overwriting it
  await h.post(message('', { ...o(), attachments: [fileAttachment('IDP draft.pdf', `${filesUrl}/ok.pdf`, 'pdf')] }));
  expect(h.connector.texts(conv).at(-1)).toBe(`Stored "IDP draft (2).pdf" with ${reference}.`);
  expect(existsSync(join(h.dir, 'documents', reference, 'IDP draft (2).pdf'))).toBe(true);
  const db = new Database(join(h.dir, 'inclusion.db'), { readonly: true });
  const audits = db.prepare("SELECT actor, record_id, detail FROM audit WHERE action = 'document.add'").all() as { actor: string; record_id: string; detail: string }[];
  db.close();
  expect(audits).toHaveLength(2);
  expect(audits[0]).toMatchObject({ actor: ALEX.aadObjectId, record_id: reference });
  expect(JSON.parse(audits[0]!.detail)).toEqual({ type: 'pdf', size: PDF.length });
});

test('a file whose download fails gets a clear message and the referral is unaffected', async () => {
  const reference = await refer();
  await h.post(execute('documents.choose', { reference }, o()));
  h.connector.clear();
  await h.post(message('', { ...o(), attachments: [fileAttachment('report.pdf', `${filesUrl}/gone.pdf`, 'pdf')] }));
  expect(h.connector.texts(conv)[0]).toContain('"report.pdf" could not be downloaded from Teams');
  expect(existsSync(join(h.dir, 'documents', reference, 'report.pdf'))).toBe(false);
  h.connector.clear();
  await h.post(message('/my', o()));
  expect(cardText(h.connector.cards(conv)[0])).toContain(reference);
});

test('files of a refused type or over the size limit are not stored, with the reason', async () => {
  const reference = await refer();
  await h.post(execute('documents.choose', { reference }, o()));
  h.connector.clear();
  await h.post(message('', { ...o(), attachments: [fileAttachment('run-me.exe', `${filesUrl}/ok.pdf`, 'exe')] }));
  await h.post(message('', { ...o(), attachments: [fileAttachment('scan.pdf', `${filesUrl}/big.pdf`, 'pdf')] }));
  const [typeMsg, sizeMsg] = h.connector.texts(conv);
  expect(typeMsg).toContain('"run-me.exe" was not stored: this type of file is not accepted');
  expect(sizeMsg).toContain('"scan.pdf" was not stored: it is larger than');
  expect(existsSync(join(h.dir, 'documents', reference))).toBe(false);
});

test('a file sent with no referral chosen gets a card asking which referral; choosing attaches it', async () => {
  const reference = await refer();
  h.connector.clear();
  await h.post(message('', { ...o(), attachments: [fileAttachment('letter.pdf', `${filesUrl}/ok.pdf`, 'pdf')] }));
  const card = h.connector.cards(conv)[0];
  expect(cardText(card)).toContain('Which referral does "letter.pdf" belong to?');
  const attach = actions(card).find((a) => a.title === `Attach to ${reference}`)!;
  const res = await h.post(execute('documents.choose', attach.data, o()));
  expect(cardText(res.body.value)).toContain(`Stored "letter.pdf" with ${reference}.`);
  expect(readFileSync(join(h.dir, 'documents', reference, 'letter.pdf'))).toEqual(PDF);
});

test('the document target lasts 30 minutes', async () => {
  const reference = await refer();
  await h.post(execute('documents.choose', { reference }, o()));
  h.clock.set('2026-11-23T10:31:00Z');
  h.connector.clear();
  await h.post(message('', { ...o(), attachments: [fileAttachment('late.pdf', `${filesUrl}/ok.pdf`, 'pdf')] }));
  expect(cardText(h.connector.cards(conv)[0])).toContain('Which referral does "late.pdf" belong to?');
});

test('nobody can add documents to someone else\'s referral, and files are refused in channels', async () => {
  const reference = await refer();
  const res = await h.post(execute('documents.choose', { reference }, { ...o(), user: STRANGER }));
  expect(cardText(res.body.value)).toContain('only to referrals you submitted');
  const forged = await h.post(execute('documents.choose', { reference: '../../etc', file: 'x' }, o()));
  expect(cardText(forged.body.value)).toContain('could not be found');
  await h.post(message('', { ...o(), conversationType: 'channel', conversationId: '19:c@thread', attachments: [fileAttachment('x.pdf', `${filesUrl}/ok.pdf`, 'pdf')] }));
  expect(h.connector.texts('19:c@thread')[0]).toContain('only in your personal chat');
});
