import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ALEX, STRANGER, execute, message, validForm, installed } from '../support/activities';
import { actions, cardText, errorTexts, facts, input, inputs } from '../support/cards';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;
const conv = `a:personal-${ALEX.aadObjectId}`;
const o = () => ({ serviceUrl: h.connector.url });
const db = () => new Database(join(h.dir, 'inclusion.db'), { readonly: true });
const count = (sql: string) => {
  const d = db();
  try {
    return (d.prepare(sql).get() as { n: number }).n;
  } finally {
    d.close();
  }
};

async function openForm(user = ALEX, locale = 'en-GB'): Promise<{ card: any; key: string }> {
  h.connector.clear();
  const res = await h.post(message('/refer', { ...o(), user, locale }));
  expect(res.status).toBe(200);
  const cards = h.connector.cards(`a:personal-${user.aadObjectId}`);
  expect(cards).toHaveLength(1);
  const submit = actions(cards[0]).find((a) => a.verb === 'referral.submit')!;
  return { card: cards[0], key: (submit.data as { idempotencyKey: string }).idempotencyKey };
}

async function submit(data: unknown, user = ALEX, locale = 'en-GB') {
  const res = await h.post(execute('referral.submit', data, { ...o(), user, locale }));
  expect(res.status).toBe(200);
  expect(res.body.statusCode).toBe(200);
  return res.body.value as Record<string, unknown>;
}

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

test('/refer answers with the referral card offering only the ALNCo\'s schools', async () => {
  const { card, key } = await openForm();
  expect(key).toMatch(/^[0-9a-f-]{36}$/);
  const schools = (input(card, 'schoolId')!.choices as { value: string }[]).map((c) => c.value);
  expect(schools.sort()).toEqual(['w-6784021', 'w-6784050']);
  const ids = Object.keys(inputs(card));
  for (const f of ['routeId', 'learnerRef', 'initials', 'yearGroup', 'dateOfBirth', 'areasOfNeed', 'tried', 'ask', 'consentGivenBy']) expect(ids).toContain(f);
  // Every input has a visible label (the Playground and screen readers find fields by label).
  for (const id of ids) expect(input(card, id)!.label).toMatch(/^[^$]{3,}$/);
  expect(JSON.stringify(card)).not.toContain('${');
  expect(card.version).toBe('1.5');
});

test('a valid submit stores one referral, audits it, queues the channel card, and confirms with the 35-school-day due date', async () => {
  const { key } = await openForm();
  const card = await submit({ ...validForm(), idempotencyKey: key });
  const f = facts(card);
  expect(f['Reference']).toBe('MON-2026-000001');
  expect(f['Route']).toBe('Request for an ALN decision / IDP (school)');
  expect(f['Status']).toBe('Submitted');
  expect(f['Statutory clock']).toMatch(/35 school days/);
  // 23 Nov 2026 + 35 school days: 19 to the end of term (18 Dec), Christmas, INSET 4 Jan, then 16 more → Tue 26 Jan 2027.
  expect(f['Due by']).toBe('Tuesday 26 January 2027');
  expect(actions(card).map((a) => a.verb)).toEqual(['documents.choose', 'my.page']);
  expect(JSON.stringify(card)).not.toContain('${');

  expect(count('SELECT COUNT(*) AS n FROM referrals')).toBe(1);
  expect(count("SELECT COUNT(*) AS n FROM audit WHERE action = 'referral.submit' AND record_id = 'MON-2026-000001'")).toBe(1);
  expect(count("SELECT COUNT(*) AS n FROM outbox WHERE key = 'case-card:MON-2026-000001' AND state = 'pending'")).toBe(1);
  const d = db();
  const row = d.prepare('SELECT body FROM referrals').get() as { body: string };
  d.close();
  const stored = JSON.parse(row.body);
  expect(stored.submittedBy).toEqual({ aadObjectId: ALEX.aadObjectId, name: ALEX.name });
  expect(stored.clock).toEqual({ clockId: 'wales-school-35sd', start: '2026-11-23', due: '2027-01-26' });
  expect(stored.learner.initials).toBe('JD');
  // The referral carries no personal data into the logs.
  const logs = h.logs.join('');
  expect(logs).toContain('MON-2026-000001');
  for (const secret of ['ADM-4471', '2018-03-14', 'phonics', 'Alex Wilber', 'SALT']) expect(logs).not.toContain(secret);
});

test('the same card submitted twice (double click, Teams retry) stores one referral', async () => {
  const { key } = await openForm();
  const first = await submit({ ...validForm(), idempotencyKey: key });
  const again = await Promise.all([1, 2, 3].map(() => submit({ ...validForm(), idempotencyKey: key })));
  for (const card of again) {
    expect(facts(card)['Reference']).toBe(facts(first)['Reference']);
    expect(cardText(card)).toContain('already been received');
  }
  expect(count('SELECT COUNT(*) AS n FROM referrals')).toBe(1);
  expect(count('SELECT COUNT(*) AS n FROM outbox')).toBe(1);
});

test('a missing required field re-renders the card with the values kept and a message beside the field; nothing is stored', async () => {
  const { key } = await openForm();
  const card = await submit({ ...validForm({ initials: '', tried: '' }), idempotencyKey: key });
  expect(cardText(card)).toContain('Please correct the fields marked below');
  const errors = errorTexts(card);
  expect(errors).toContain('This is required.');
  expect(inputs(card).learnerRef).toBe('ADM-4471');
  expect(inputs(card).ask).toBe(validForm().ask);
  // the same idempotency key is kept, so the corrected submit is still one referral
  expect((actions(card)[0]!.data as { idempotencyKey: string }).idempotencyKey).toBe(key);
  expect(count('SELECT COUNT(*) AS n FROM referrals')).toBe(0);
  expect(count('SELECT COUNT(*) AS n FROM outbox')).toBe(0);
  expect(count('SELECT COUNT(*) AS n FROM audit')).toBe(0);
});

test('wrong types, bad choices, bad dates and a 1 MB text come back as field errors; nothing stored; the card stays under 40 KB', async () => {
  const { key } = await openForm();
  const big = 'x'.repeat(1024 * 1024);
  const card = await submit({
    ...validForm({ routeId: 'fast-track', dateOfBirth: '2026-02-30', upn: 'not-a-upn' }),
    initials: 12345,
    areasOfNeed: ['asd'],
    tried: big,
    idempotencyKey: key,
  });
  const text = errorTexts(card).join('\n');
  expect(text).toContain('Choose one of the options offered.');
  expect(text).toContain('Enter a real date as YYYY-MM-DD.');
  expect(text).toContain('at most 2000 characters');
  expect(text).toContain('A UPN is a letter followed by 12 characters');
  expect((inputs(card).tried as string).length).toBe(2000);
  expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThan(40 * 1024);
  expect(count('SELECT COUNT(*) AS n FROM referrals')).toBe(0);
});

test('unknown fields in the card data are refused with a message; nothing stored', async () => {
  const { key } = await openForm();
  const card = await submit({ ...validForm(), idempotencyKey: key, isAdmin: 'true' });
  expect(cardText(card)).toContain('The card sent a field it should not have (isAdmin)');
  expect(count('SELECT COUNT(*) AS n FROM referrals')).toBe(0);
  const noKey = await submit({ ...validForm() });
  expect(cardText(noKey)).toContain("The card's data could not be read");
  const notObject = await submit('drop table referrals');
  expect(cardText(notObject)).toContain("The card's data could not be read");
  expect(count('SELECT COUNT(*) AS n FROM referrals')).toBe(0);
});

test('injection-looking text is stored and echoed verbatim', async () => {
  const { key } = await openForm();
  const nasty = "Robert'); DROP TABLE referrals;-- ${t.form.title} <script>alert(1)</script> **bold** [x](https://evil.example)";
  await submit({ ...validForm({ tried: nasty, learnerRef: "O'Brien-${x}" }), idempotencyKey: key });
  const d = db();
  const stored = JSON.parse((d.prepare('SELECT body FROM referrals').get() as { body: string }).body);
  d.close();
  expect(stored.tried).toBe(nasty);
  expect(stored.learner.localRef).toBe("O'Brien-${x}");
  // and re-rendered verbatim when the form comes back with an error
  const again = await openForm();
  const card = await submit({ ...validForm({ tried: nasty, initials: '' }), idempotencyKey: again.key });
  expect(inputs(card).tried).toBe(nasty);
});

test('consent rules: sharing routes need agreement; a young person must consent to an ALN decision; a child\'s referral is never blocked', async () => {
  let { key } = await openForm();
  let card = await submit({ ...validForm({ routeId: 'multi-agency-discussion', consentGivenBy: '', consentDate: '', consentAgencies: '' }), idempotencyKey: key });
  expect(errorTexts(card).join('\n')).toContain('needs agreement to share');
  ({ key } = await openForm());
  card = await submit({ ...validForm({ yearGroup: 'year-12', dateOfBirth: '2009-05-01', consentGivenBy: 'parent' }), idempotencyKey: key });
  expect(errorTexts(card).join('\n')).toContain('young person over compulsory school age');
  ({ key } = await openForm());
  card = await submit({ ...validForm({ consentGivenBy: '', consentDate: '', consentAgencies: '', parentView: '' }), idempotencyKey: key });
  expect(facts(card)['Reference']).toBe('MON-2026-000001');
});

test('someone who is not an ALNCo is refused, naming who to contact, and cannot submit', async () => {
  h.connector.clear();
  await h.post(message('refer', { ...o(), user: STRANGER }));
  expect(cardText(h.connector.cards(`a:personal-${STRANGER.aadObjectId}`)[0])).toMatch(/not listed as ALNCo.*Inclusion Service/s);
  const card = await submit({ ...validForm(), idempotencyKey: 'abcdef12-forged' }, STRANGER);
  expect(cardText(card)).toContain('not listed as ALNCo');
  expect(count('SELECT COUNT(*) AS n FROM referrals')).toBe(0);
});

test('an ALNCo cannot refer for another school', async () => {
  const { key } = await openForm();
  const card = await submit({ ...validForm({ schoolId: 'w-6784060' }), idempotencyKey: key });
  expect(errorTexts(card)).toContain('You can refer only for the schools you are ALNCo for.');
  expect(count('SELECT COUNT(*) AS n FROM referrals')).toBe(0);
});

test('in Welsh after /iaith: the form, the errors and the confirmation are Welsh', async () => {
  await h.post(message('/iaith', o()));
  expect(h.connector.texts(conv).at(-1)).toContain('Byddaf yn siarad Cymraeg');
  const { card, key } = await openForm();
  expect(cardText(card)).toContain('Atgyfeiriad newydd');
  expect(input(card, 'initials')!.label).toBe("Blaenlythrennau'r dysgwr");
  const bad = await submit({ ...validForm({ initials: '' }), idempotencyKey: key });
  expect(errorTexts(bad)).toContain('Mae angen hwn.');
  const ok = await submit({ ...validForm(), idempotencyKey: key });
  const f = facts(ok);
  expect(f['Cyfeirnod']).toBe('MON-2026-000001');
  expect(f['Erbyn']).toBe('Dydd Mawrth 26 Ionawr 2027');
  expect(cardText(ok)).toContain('Atgyfeiriad wedi dod i law');
  await h.post(message('/language', o()));
  expect(h.connector.texts(conv).at(-1)).toContain('I will speak English');
});

test('the Teams locale sets the first language: cy-GB gets Welsh without /iaith', async () => {
  const { card } = await openForm(ALEX, 'cy-GB');
  expect(cardText(card)).toContain('Atgyfeiriad newydd');
});

test('/my lists the user\'s referrals newest first, paged, with due dates, and the read is audited', async () => {
  for (let i = 0; i < 7; i++) {
    const { key } = await openForm();
    h.clock.set(`2026-11-23T10:0${i}:00Z`);
    await submit({ ...validForm({ learnerRef: `REF-${i}` }), idempotencyKey: key });
  }
  h.connector.clear();
  await h.post(message('/my', o()));
  const card = h.connector.cards(conv)[0];
  expect(JSON.stringify(card)).not.toContain('${');
  const text = cardText(card);
  expect(text).toContain('MON-2026-000007');
  expect(text).not.toContain('MON-2026-000002');
  expect(text.indexOf('MON-2026-000007')).toBeLessThan(text.indexOf('MON-2026-000006'));
  expect(text).toContain('Page 1 of 2 (7 referrals)');
  expect(text).toContain('Due Tuesday 26 January 2027');
  const next = actions(card).find((a) => a.verb === 'my.page')!;
  const page2 = (await h.post(execute('my.page', next.data, o()))).body.value;
  expect(cardText(page2)).toContain('MON-2026-000001');
  expect(cardText(page2)).toContain('Page 2 of 2');
  expect(count("SELECT COUNT(*) AS n FROM audit WHERE action = 'referral.list'")).toBe(2);
  // another user sees none of them
  h.connector.clear();
  await h.post(message('/my', { ...o(), user: STRANGER }));
  expect(cardText(h.connector.cards(`a:personal-${STRANGER.aadObjectId}`)[0])).toContain('not submitted any referrals');
});

test('/refer in a channel is refused so no details appear there', async () => {
  await h.post(message('refer', { ...o(), conversationType: 'channel', conversationId: '19:channel@thread.tacv2' }));
  expect(h.connector.texts('19:channel@thread.tacv2')[0]).toContain('personal chat');
  expect(h.connector.cards('19:channel@thread.tacv2')).toHaveLength(0);
});

test('/help and unknown text are answered in the user\'s language', async () => {
  await h.post(message('/help', o()));
  expect(cardText(h.connector.cards(conv)[0])).toContain('/refer: start a new referral');
  await h.post(message('hello there', o()));
  expect(h.connector.texts(conv).at(-1)).toContain('Type /help');
});

test('installing the bot stores the conversation reference and welcomes the user bilingually', async () => {
  await h.post(installed(o()));
  expect(cardText(h.connector.cards(conv)[0])).toMatch(/Croeso! Welcome!/);
  const d = db();
  const ref = d.prepare('SELECT ref FROM conversations WHERE key = ?').get(`user:${ALEX.aadObjectId}`) as { ref: string };
  d.close();
  expect(JSON.parse(ref.ref).conversation.id).toBe(conv);
});

test('malformed bodies get a 4xx and the server keeps serving', async () => {
  const url = `${h.bot.url}/api/messages`;
  expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type": "message", ' })).status).toBe(400);
  expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' })).status).toBe(415);
  expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2,3]' })).status).toBe(400);
  expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"no":"type"}' })).status).toBe(400);
  expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(5 * 1024 * 1024) })).status).toBe(413);
  const health = await fetch(`${h.bot.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true, store: { kind: 'sqlite', ok: true } });
  const { key } = await openForm();
  expect(key).toBeTruthy();
});
