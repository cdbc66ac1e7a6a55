import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ALEX, STRANGER, execute, message, validForm, type TestUser } from '../support/activities';
import { actions, cardText, errorTexts, facts, input } from '../support/cards';
import { startHarness, type Harness } from '../support/harness';

const CHAIR: TestUser = { id: '29:chair', aadObjectId: '00000000-0000-0000-0000-0000000000c1', name: 'Carys Chair' };
const COORD: TestUser = { id: '29:coord', aadObjectId: '00000000-0000-0000-0000-0000000000c2', name: 'Owen Coordinator' };
const HEALTH: TestUser = { id: '29:health', aadObjectId: '00000000-0000-0000-0000-0000000000c4', name: 'Haf Health' };
const SOCIAL: TestUser = { id: '29:social', aadObjectId: '00000000-0000-0000-0000-0000000000c5', name: 'Sion Social Care' };
const EP: TestUser = { id: '29:ep', aadObjectId: '00000000-0000-0000-0000-0000000000c6', name: 'Eira EP' };
const CHANNEL = '19:mams-caldicot@thread.tacv2';

let h: Harness;
const o = () => ({ serviceUrl: h.connector.url });
const inChannel = (user: TestUser) => ({ ...o(), user, conversationType: 'channel' as const, conversationId: CHANNEL });
const q = (sql: string, ...args: unknown[]) => {
  const db = new Database(join(h.dir, 'inclusion.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...args) as Record<string, unknown>[];
  } finally {
    db.close();
  }
};

beforeEach(async () => {
  h = await startHarness({ PANELS_FILE: 'config/panels.yaml' });
});
afterEach(async () => h.close());

async function referMams(n = 1): Promise<string[]> {
  const refs: string[] = [];
  for (let i = 0; i < n; i++) {
    await h.post(message('/refer', o()));
    const key = (actions(h.connector.cards(`a:personal-${ALEX.aadObjectId}`).at(-1)).find((a) => a.verb === 'referral.submit')!.data as { idempotencyKey: string }).idempotencyKey;
    const res = await h.post(execute('referral.submit', { ...validForm({ routeId: 'multi-agency-discussion', learnerRef: `MAMS-${i}` }), idempotencyKey: key }, o()));
    refs.push(facts(res.body.value)['Reference']!);
  }
  return refs;
}

async function linkAndOpen(): Promise<{ itemIds: number[]; cards: Record<string, unknown>[] }> {
  await h.post(message('<at>Inclusion bot</at> panel link mams-caldicot', inChannel(CHAIR)));
  expect(h.connector.texts(CHANNEL).at(-1)).toContain('This channel is now linked to Caldicot cluster MAMS');
  await h.post(message('/panel agenda mams-caldicot', { ...o(), user: COORD }));
  h.connector.clear();
  await h.post(message('panel open', inChannel(COORD)));
  const cards = h.connector.cards(CHANNEL);
  const itemIds = cards.map((c) => (actions(c).find((a) => a.verb === 'panel.recommend')!.data as { itemId: number }).itemId);
  return { itemIds, cards };
}

const recommend = (user: TestUser, itemId: number, value: string, extra: Record<string, string> = {}) =>
  h.post(execute('panel.recommend', { itemId, value, otherRoute: '', comment: '', ...extra }, inChannel(user)));

test('the whole flow: agenda, cards in the channel, recommendations, the chair\'s decision, the outcome to the ALNCo', async () => {
  const [ref1, ref2] = await referMams(2);
  // the case cards waited for the channel; the agenda collects the referrals in order
  await h.post(message('panel link mams-caldicot', inChannel(CHAIR)));
  h.connector.clear();
  await h.post(message('/panel agenda mams-caldicot', { ...o(), user: COORD }));
  const agenda = h.connector.cards(`a:personal-${COORD.aadObjectId}`)[0]!;
  const agendaText = cardText(agenda);
  expect(agendaText.indexOf(ref1!)).toBeLessThan(agendaText.indexOf(ref2!));
  // reorder and set the meeting date
  const down = actions(agenda).find((a) => a.verb === 'panel.agenda' && (a.data as { op: string }).op === 'down')!;
  const moved = (await h.post(execute('panel.agenda', down.data, { ...o(), user: COORD }))).body.value;
  expect(cardText(moved).indexOf(ref2!)).toBeLessThan(cardText(moved).indexOf(ref1!));
  const dated = (await h.post(execute('panel.agenda', { panelId: 'mams-caldicot', op: 'date', date: '2026-12-03' }, { ...o(), user: COORD }))).body.value;
  expect(cardText(dated)).toContain('Meeting on Thursday 3 December 2026');

  h.connector.clear();
  await h.post(message('panel open', inChannel(COORD)));
  const cards = h.connector.cards(CHANNEL);
  expect(cards).toHaveLength(2);
  expect(h.connector.texts(CHANNEL).at(-1)).toBe('Posted 2 item(s) for Caldicot cluster MAMS.');
  // shared card: reference, initials, route only, Welsh first; no school, year group, needs or names of the learner
  const shared = JSON.stringify(cards[0]);
  expect(facts(cards[0])['Cyfeirnod / Reference']).toBe(ref2);
  for (const secret of ['Example Primary', 'Year 4', 'Speech', 'MAMS-', 'phonics', '2018-03-14']) expect(shared).not.toContain(secret);
  expect(cardText(cards[0]).indexOf('Cefnogi')).toBeLessThan(cardText(cards[0]).indexOf('Support'));
  expect((cards[0] as { refresh: { userIds: string[] } }).refresh.userIds).toHaveLength(6);
  expect(q("SELECT status FROM referrals WHERE reference = ?", ref2)).toEqual([{ status: 'on-agenda' }]);

  const itemId = (actions(cards[0]).find((a) => a.verb === 'panel.recommend')!.data as { itemId: number }).itemId;
  // members recommend; a member changes their mind; a member declares an interest
  let view = (await recommend(HEALTH, itemId, 'support')).body.value;
  expect(cardText(view)).toContain('Your recommendation: Support');
  await recommend(EP, itemId, 'more-information');
  await recommend(EP, itemId, 'support', { comment: 'Seen in school last term' });
  await recommend(ALEX, itemId, 'conflict');
  view = (await recommend(SOCIAL, itemId, 'refer-elsewhere', { otherRoute: 'early-help-panel' })).body.value;
  expect(cardText(view)).toContain('Your recommendation: Refer to another route (Early Help Panel)');
  expect(cardText(view)).toContain('Support 2 · Do not support 0 · More information 0 · Refer elsewhere 1');
  expect(cardText(view)).toContain('3 counted · 1 declared an interest');
  // the only education member who answered declared an interest, so education is still missing from the quorum
  expect(cardText(view)).toContain('Quorum not met: no response yet from Education');
  view = (await recommend(COORD, itemId, 'support')).body.value;
  expect(cardText(view)).toContain('Quorum met');
  expect(cardText(view)).toContain('Awaiting: Carys Chair');
  expect(q('SELECT COUNT(*) AS n FROM recommendations')).toEqual([{ n: 5 }]);
  // each member's answer is personal: nothing was broadcast per click (the shared card is updated once, coalesced)
  expect(h.connector.received.filter((r) => r.method === 'PUT')).toHaveLength(0);

  // a non-member is refused and audited; a member cannot decide
  const refused = (await recommend(STRANGER, itemId, 'support')).body.value;
  expect(cardText(refused)).toContain('Only members of this panel can record a recommendation');
  expect(q("SELECT COUNT(*) AS n FROM audit WHERE action = 'panel.recommend.refused' AND actor = ?", STRANGER.aadObjectId)).toEqual([{ n: 1 }]);
  expect(cardText((await h.post(execute('panel.decideForm', { itemId }, inChannel(HEALTH)))).body.value)).toContain('Only the chair');

  // the chair records the decision: reasons required, next steps validated
  const form = (await h.post(execute('panel.decideForm', { itemId }, inChannel(CHAIR)))).body.value;
  expect(input(form, 'reasons')!.label).toBe('Reasons for the decision');
  const bad = (await h.post(execute('panel.decide', { itemId, outcome: 'agreed', reasons: '', lead: 'Education', step1Owner: HEALTH.aadObjectId, step1Text: 'SALT assessment', step1Due: '2026-01-01' }, inChannel(CHAIR)))).body.value;
  expect(errorTexts(bad)).toEqual(expect.arrayContaining(['This is required.', 'This date cannot be in the past.']));
  expect(q('SELECT COUNT(*) AS n FROM decisions')).toEqual([{ n: 0 }]);
  h.connector.clear();
  const closed = (await h.post(execute('panel.decide', {
    itemId, outcome: 'agreed-with-changes', reasons: 'Needs are clear; SALT input first.', lead: 'Health (SALT)',
    step1Owner: HEALTH.aadObjectId, step1Text: 'SALT assessment', step1Due: '2027-01-15',
    step2Owner: ALEX.aadObjectId, step2Text: 'Update the one-page profile', step2Due: '2027-01-08',
  }, inChannel(CHAIR)))).body.value;
  expect(cardText(closed)).toContain('Closed: Agreed with changes');
  // the shared card was updated for everyone at once
  const updates = h.connector.received.filter((r) => r.method === 'PUT' && r.conversationId === CHANNEL);
  expect(updates.length).toBeGreaterThanOrEqual(1);
  expect(cardText((updates.at(-1)!.body.attachments as { content: unknown }[])[0]!.content)).toContain('Ar gau: Cytunwyd gyda newidiadau');
  expect(q("SELECT status FROM referrals WHERE reference = ?", ref2)).toEqual([{ status: 'decided' }]);
  expect(q('SELECT owner_aad_id AS owner, due_date AS due FROM next_steps ORDER BY id')).toEqual([
    { owner: HEALTH.aadObjectId, due: '2027-01-15' },
    { owner: ALEX.aadObjectId, due: '2027-01-08' },
  ]);
  // a closed item refuses further recommendations
  expect(cardText((await recommend(HEALTH, itemId, 'not-support')).body.value)).toContain('closed this item');

  // the outcome reaches the referring ALNCo 1:1 in their language; the next step reaches its owner
  await h.post(message('/iaith', o()));
  await h.post(message('hello', { ...o(), user: HEALTH, conversationId: `a:personal-${HEALTH.aadObjectId}` }));
  h.connector.clear();
  await h.flushOutbox();
  const outcome = h.connector.cards(`a:personal-${ALEX.aadObjectId}`).find((c) => cardText(c).includes('Penderfyniad y panel'));
  expect(outcome).toBeDefined();
  expect(cardText(outcome)).toContain('Cytunwyd gyda newidiadau');
  expect(cardText(outcome)).toContain('Update the one-page profile (erbyn Dydd Gwener 8 Ionawr 2027)');
  expect(cardText(h.connector.cards(`a:personal-${HEALTH.aadObjectId}`)[0])).toContain('SALT assessment (by Friday 15 January 2027)');
  expect(q("SELECT COUNT(*) AS n FROM audit WHERE action = 'panel.decide' AND record_id = ?", ref2)).toEqual([{ n: 1 }]);
});

test('view details: members get the full referral in a dialog (audited); others a polite refusal (audited)', async () => {
  const [ref] = await referMams(1);
  await linkAndOpen();
  const fetchDetails = (user: TestUser) =>
    h.post({ ...execute('x', {}, inChannel(user)), name: 'task/fetch', value: { data: { msteams: { type: 'task/fetch' }, verb: 'panel.details', reference: ref } } });
  const ok = await fetchDetails(EP);
  expect(ok.body.task.type).toBe('continue');
  const text = cardText(ok.body.task.value.card.content);
  expect(text).toContain('Small-group phonics');
  expect(text).toContain('Example Primary School');
  const no = await fetchDetails(STRANGER);
  expect(no.body.task).toMatchObject({ type: 'message', value: expect.stringContaining('only for members of the panel') });
  expect(q("SELECT actor, action FROM audit WHERE record_id = ? AND action LIKE 'referral.view%' ORDER BY id", ref)).toEqual([
    { actor: EP.aadObjectId, action: 'referral.view' },
    { actor: STRANGER.aadObjectId, action: 'referral.view.refused' },
  ]);
  // refreshing the card is not a read of details
  await h.post(execute('panel.refresh', { itemId: 1 }, inChannel(EP)));
  expect(q("SELECT COUNT(*) AS n FROM audit WHERE action LIKE 'referral.view%'")).toEqual([{ n: 2 }]);
});

test('forged and malformed invokes get a clean refusal, not a crash', async () => {
  await referMams(1);
  const { itemIds } = await linkAndOpen();
  for (const data of [{}, { itemId: 'x', value: 'support' }, { itemId: itemIds[0], value: 'veto' }, { itemId: itemIds[0], value: 'support', admin: true }, 'junk', null]) {
    const res = await h.post(execute('panel.recommend', data, inChannel(HEALTH)));
    expect(res.status).toBe(200);
    expect(cardText(res.body.value)).toContain('That action could not be read');
  }
  expect(cardText((await recommend(HEALTH, 999, 'support')).body.value)).toContain('no longer exists');
  expect(cardText((await h.post(execute('panel.decide', { itemId: itemIds[0], outcome: 'agreed', reasons: 'x', lead: 'y' }, inChannel(STRANGER)))).body.value)).toContain('Only the chair');
  expect(q('SELECT COUNT(*) AS n FROM recommendations')).toEqual([{ n: 0 }]);
  expect(q('SELECT COUNT(*) AS n FROM decisions')).toEqual([{ n: 0 }]);
});

test('closing without quorum needs a recorded reason', async () => {
  await referMams(1);
  const { itemIds } = await linkAndOpen();
  await recommend(HEALTH, itemIds[0]!, 'support');
  const form = (await h.post(execute('panel.decideForm', { itemId: itemIds[0] }, inChannel(CHAIR)))).body.value;
  expect(cardText(form)).toContain('Quorum is not met');
  const bad = (await h.post(execute('panel.decide', { itemId: itemIds[0], outcome: 'deferred', reasons: 'More advice needed', lead: 'Education' }, inChannel(CHAIR)))).body.value;
  expect(errorTexts(bad)).toContain('Quorum is not met: give the reason for deciding now.');
  const ok = (await h.post(execute('panel.decide', { itemId: itemIds[0], outcome: 'deferred', reasons: 'More advice needed', lead: 'Education', quorumOverrideReason: 'Snow: two members could not attend' }, inChannel(CHAIR)))).body.value;
  expect(cardText(ok)).toContain('Closed: Deferred');
  // a deferred referral queues again for the next meeting
  expect(q("SELECT status FROM referrals")).toEqual([{ status: 'submitted' }]);
  h.connector.clear();
  await h.post(message('/panel agenda mams-caldicot', { ...o(), user: COORD }));
  expect(cardText(h.connector.cards(`a:personal-${COORD.aadObjectId}`)[0])).toContain('MON-2026-000001');
});

test('/panel members: the chair changes membership in the store; only chair or coordinator', async () => {
  await h.post(message('/panel members mams-caldicot add 00000000-0000-0000-0000-0000000000d9 member third-sector Dafydd Third Sector', { ...o(), user: CHAIR, conversationId: 'a:chair' }));
  expect(h.connector.texts('a:chair').at(-1)).toContain('Dafydd Third Sector (Member, Third sector)');
  await h.post(message('/panel members mams-caldicot remove 00000000-0000-0000-0000-0000000000c5', { ...o(), user: CHAIR, conversationId: 'a:chair' }));
  expect(h.connector.texts('a:chair').at(-1)).not.toContain('Sion Social Care');
  await h.post(message('/panel members mams-caldicot add x member health X', { ...o(), user: HEALTH, conversationId: 'a:health' }));
  expect(h.connector.texts('a:health').at(-1)).toBe("Only the panel's chair or coordinator can do that.");
  expect(q("SELECT active FROM panel_members WHERE panel_id = 'mams-caldicot' AND aad_object_id = ?", SOCIAL.aadObjectId)).toEqual([{ active: 0 }]);
});

test('/panel minutes: the meeting\'s record as Markdown, HTML and CSV in the panel\'s documents; cards stay under 40 KB', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  await referMams(1);
  const { itemIds, cards } = await linkAndOpen();
  for (const u of [HEALTH, EP, COORD, ALEX]) await recommend(u, itemIds[0]!, u === ALEX ? 'conflict' : 'support', { comment: 'x'.repeat(1000) });
  await h.post(execute('panel.decide', { itemId: itemIds[0], outcome: 'agreed', reasons: 'Clear need =SUM(A1) "quoted", <b>', lead: 'Education', step1Owner: HEALTH.aadObjectId, step1Text: 'SALT', step1Due: '2027-01-15' }, inChannel(CHAIR)));
  await h.post(message('/panel minutes mams-caldicot', { ...o(), user: COORD, conversationId: 'a:coord' }));
  expect(h.connector.texts('a:coord').at(-1)).toMatch(/Minutes for Caldicot cluster MAMS .* are stored as "minutes-mams-caldicot-2026-11-23.md"/);
  const folder = join(h.dir, 'documents', 'MINUTES-MAMS-CALDICOT-2026-11-23');
  expect(readdirSync(folder).filter((f) => !f.endsWith('.meta.json')).sort()).toEqual(['decisions-mams-caldicot-2026-11-23.csv', 'minutes-mams-caldicot-2026-11-23.html', 'minutes-mams-caldicot-2026-11-23.md']);
  const md = readFileSync(join(folder, 'minutes-mams-caldicot-2026-11-23.md'), 'utf8');
  expect(md).toContain('support 3');
  expect(md).toContain('Declared an interest: Alex Wilber');
  expect(md).toContain('SALT (Haf Health, by 2027-01-15)');
  expect(readFileSync(join(folder, 'minutes-mams-caldicot-2026-11-23.html'), 'utf8')).toContain('&lt;b&gt;');
  // a formula-looking cell is neutralised for spreadsheets; quotes escaped
  expect(readFileSync(join(folder, 'decisions-mams-caldicot-2026-11-23.csv'), 'utf8')).toContain('"Clear need =SUM(A1) ""quoted"", <b>"');
  // the largest realistic card: 60+ members' names and long route titles stay within Teams' 40 KB message limit
  for (let i = 0; i < 70; i++) await h.post(message(`/panel members mams-caldicot add m-${i} member health Member With A Long Name Number ${i}`, { ...o(), user: CHAIR, conversationId: 'a:chair' }));
  const big = (await h.post(execute('panel.refresh', { itemId: itemIds[0] }, inChannel(HEALTH)))).body.value;
  const { cardSize } = await import('../../src/adapters/cards/render');
  expect(cardSize(big)).toBeLessThan(40 * 1024);
  expect((big as { refresh: { userIds: string[] } }).refresh.userIds).toHaveLength(60);
  expect(cardSize(cards[0] as never)).toBeLessThan(40 * 1024);
});

test('a member of one panel cannot act on another panel\'s item (forged invoke), and it is audited', async () => {
  await referMams(1);
  const { itemIds } = await linkAndOpen();
  // an Early Help Panel referral, opened in the Early Help Panel's channel by its chair
  await h.post(message('/refer', o()));
  const key = (actions(h.connector.cards(`a:personal-${ALEX.aadObjectId}`).at(-1)).find((a) => a.verb === 'referral.submit')!.data as { idempotencyKey: string }).idempotencyKey;
  await h.post(execute('referral.submit', { ...validForm({ routeId: 'early-help-panel', learnerRef: 'EHP-1' }), idempotencyKey: key }, o()));
  const EHP = '19:early-help@thread.tacv2';
  const ehp = (user: TestUser) => ({ ...o(), user, conversationType: 'channel' as const, conversationId: EHP });
  await h.post(message('panel link early-help', ehp(COORD)));
  await h.post(message('panel agenda early-help', { ...o(), user: COORD, conversationId: 'a:coord' }));
  h.connector.clear();
  await h.post(message('panel open early-help', ehp(COORD)));
  const ehpItem = (actions(h.connector.cards(EHP)[0]).find((a) => a.verb === 'panel.recommend')!.data as { itemId: number }).itemId;
  expect(ehpItem).not.toBe(itemIds[0]);
  // Sion (MAMS only) forges a recommendation and a decision on the Early Help Panel's item from the MAMS channel
  expect(cardText((await recommend(SOCIAL, ehpItem, 'support')).body.value)).toContain('Only members of this panel');
  expect(cardText((await h.post(execute('panel.decide', { itemId: ehpItem, outcome: 'agreed', reasons: 'x', lead: 'y' }, inChannel(CHAIR)))).body.value)).toContain('Only the chair');
  expect(q('SELECT COUNT(*) AS n FROM recommendations WHERE item_id = ?', ehpItem)).toEqual([{ n: 0 }]);
  expect(q("SELECT action FROM audit WHERE actor IN (?, ?) AND action LIKE '%refused' ORDER BY id", SOCIAL.aadObjectId, CHAIR.aadObjectId)).toEqual([
    { action: 'panel.recommend.refused' },
    { action: 'panel.decide.refused' },
  ]);
});

test('a channel\'s threads are one channel: /panel open works in any thread of the linked channel; case cards start new posts', async () => {
  const [ref] = await referMams(1);
  await h.post(message('panel link mams-caldicot', { ...inChannel(CHAIR), conversationId: `${CHANNEL};messageid=1111` }));
  await h.flushOutbox();
  // the waiting case card went to the channel itself, not into the thread where the link was made
  expect(h.connector.cards(CHANNEL).some((c) => facts(c)['Cyfeirnod / Reference'] === ref)).toBe(true);
  await h.post(message('/panel agenda mams-caldicot', { ...o(), user: COORD }));
  const thread = `${CHANNEL};messageid=2222`;
  h.connector.clear();
  await h.post(message('panel open', { ...inChannel(COORD), conversationId: thread }));
  expect(h.connector.texts(thread).at(-1)).toBe('Posted 1 item(s) for Caldicot cluster MAMS.');
  const itemId = (actions(h.connector.cards(thread)[0]).find((a) => a.verb === 'panel.recommend')!.data as { itemId: number }).itemId;
  await recommend(HEALTH, itemId, 'support');
  await h.post(execute('panel.decide', { itemId, outcome: 'deferred', reasons: 'x', lead: 'y', quorumOverrideReason: 'z' }, { ...inChannel(CHAIR), conversationId: thread }));
  // the shared card is updated where it was posted: in that thread
  expect(h.connector.received.filter((r) => r.method === 'PUT').map((r) => r.conversationId)).toContain(thread);
});
