import Database from 'better-sqlite3';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { run as importCli } from '../../scripts/import-learners';
import { ADMIN, ALEX, execute, message, validForm, type TestUser } from '../support/activities';
import { actions, cardText, facts, input } from '../support/cards';
import { startHarness, writeFile, type Harness } from '../support/harness';

jest.setTimeout(60_000);

const EP: TestUser = { id: '29:ep', aadObjectId: '00000000-0000-0000-0000-0000000000e1', name: 'Eira EP' };
const EHP_CHAIR: TestUser = { id: '29:coord', aadObjectId: '00000000-0000-0000-0000-0000000000c2', name: 'Owen Coordinator' };
let h: Harness;
const o = (extra: { locale?: string; user?: TestUser } = {}) => ({ serviceUrl: h.connector.url, ...extra });
const conv = (u: TestUser) => `a:personal-${u.aadObjectId}`;
const sink = () => {
  let text = '';
  return { stream: new Writable({ write(c, _e, cb) { text += String(c); cb(); } }), text: () => text };
};
const query = <T>(sql: string, ...args: unknown[]): T[] => {
  const db = new Database(join(h.dir, 'inclusion.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...args) as T[];
  } finally {
    db.close();
  }
};
async function invoke(verb: string, data: unknown, extra: { locale?: string; user?: TestUser } = {}) {
  const res = await h.post(execute(verb, data, o(extra)));
  expect(res.status).toBe(200);
  return res.body.value as Record<string, unknown>;
}
async function say(text: string, user: TestUser = ALEX, locale = 'en-GB') {
  h.connector.clear();
  const res = await h.post(message(text, o({ user, locale })));
  expect(res.status).toBe(200);
  return { cards: h.connector.cards(conv(user)), texts: h.connector.texts(conv(user)) };
}

const CSV = [
  'local_ref,initials,upn,date_of_birth,year_group,idp_issue_date,idp_maintained_by,alnco',
  `ADM-1,A.B.,,2015-04-02,year-5,2025-11-20,school,${ALEX.aadObjectId}`,
  `ADM-2,CD,A123456789012,2012-01-15,year-9,2026-01-10,la,${ALEX.aadObjectId}`,
  `ADM-3,EF,,2019-09-09,year-1,,school,00000000-0000-0000-0000-000000000001`,
].join('\n');

beforeAll(async () => {
  h = await startHarness({}, { now: '2026-11-23T10:00:00Z' });
});
afterAll(async () => {
  await h.close();
});

describe('/deadline', () => {
  test('the card offers the clocks, a start date and the school, every input labelled', async () => {
    const { cards } = await say('/deadline');
    expect(cards).toHaveLength(1);
    for (const id of ['clockId', 'start', 'schoolId']) expect(input(cards[0], id)!.label).toMatch(/^[^$]{3,}$/);
    expect(JSON.stringify(cards[0])).not.toContain('${');
  });

  test('35 school days from 23 Nov 2026: due Tue 26 Jan 2027, with the rule, its citation and the count in English', async () => {
    const card = await invoke('deadline.compute', { clockId: 'wales-school-35sd', start: '2026-11-23', schoolId: 'w-6784021' });
    const f = facts(card);
    expect(f['Due by']).toBe('Tuesday 26 January 2027');
    expect(f['Rule']).toBe('ALNET Act 2018 s.11; ALN Code 2021');
    const text = cardText(card);
    expect(text).toMatch(/Skipped the school holiday Christmas holiday 2026/);
    expect(text).toMatch(/Skipped Monday 4 January 2027: INSET day/);
    expect(text).toMatch(/Counted 35 school days, from Tuesday 24 November 2026 to Tuesday 26 January 2027\./);
    expect(JSON.stringify(card)).not.toContain('${');
  });

  test('in Welsh, with the bank holiday named by its key (Boxing Day substitute rolls a 6-week NHS period on)', async () => {
    const card = await invoke('deadline.compute', { clockId: 'wales-nhs-6w', start: '2026-11-16' }, { locale: 'cy-GB' });
    expect(facts(card)['Erbyn']).toBe('Dydd Mawrth 29 Rhagfyr 2026');
    const text = cardText(card);
    expect(text).toContain('Hepgorwyd Dydd Llun 28 Rhagfyr 2026: Gŵyl San Steffan (gŵyl banc).');
    expect(text).toContain('Deddf ADYTA 2018 a.20; Cod ADY 2021');
  });

  test('a date beyond the configured term dates says so clearly instead of guessing', async () => {
    const card = await invoke('deadline.compute', { clockId: 'wales-school-35sd', start: '2028-06-20', schoolId: 'w-6784021' });
    expect(cardText(card)).toMatch(/term dates configured run only to Thursday 31 August 2028: \d+ of 35 school days fit/);
    expect(facts(card)['Due by']).toBeUndefined();
  });

  test('a school-day clock without a school asks for one, keeping what was entered', async () => {
    const card = await invoke('deadline.compute', { clockId: 'wales-school-35sd', start: '2026-11-23' });
    expect(cardText(card)).toMatch(/choose the school/);
    expect(input(card, 'start')!.value).toBe('2026-11-23');
  });
});

describe('learners: CSV import and /idp', () => {
  const env = () => ({ SQLITE_PATH: join(h.dir, 'inclusion.db'), SCHOOLS_FILE: 'config/schools.yaml' });

  test('a file with bad rows is refused whole, naming each row; a good file imports; a second run changes nothing', async () => {
    const bad = writeFile(h.dir, 'bad.csv', CSV + '\nADM-4,toolongX,,2030-01-01,year-77,,maybe,x y');
    const err = sink();
    expect(await importCli(['--school', 'w-6784021', bad], env(), sink().stream, err.stream)).toBe(3);
    expect(err.text()).toMatch(/line 5, initials/);
    expect(err.text()).toMatch(/line 5, year_group/);
    expect(err.text()).toMatch(/line 5, idp_maintained_by/);
    expect(query('SELECT * FROM learners')).toHaveLength(0);

    const good = writeFile(h.dir, 'good.csv', CSV);
    const out = sink();
    expect(await importCli(['--school', 'w-6784021', good], env(), out.stream, sink().stream)).toBe(0);
    expect(out.text()).toMatch(/3 new, 0 already known/);
    const again = sink();
    expect(await importCli(['--school', 'w-6784021', good], env(), again.stream, sink().stream)).toBe(0);
    expect(again.text()).toMatch(/0 new, 3 already known/);
    const rows = query<{ local_ref: string; initials: string; upn_hash: string | null; year_group_academic_year: number }>('SELECT * FROM learners ORDER BY id');
    expect(rows.map((r) => [r.local_ref, r.initials, r.year_group_academic_year])).toEqual([['ADM-1', 'AB', 2026], ['ADM-2', 'CD', 2026], ['ADM-3', 'EF', 2026]]);
    expect(rows[1]!.upn_hash).toMatch(/^[0-9a-f]{64}$/); // the UPN itself is never stored
    expect(JSON.stringify(rows)).not.toContain('A123456789012');
  });

  test('/idp records a revision date for a learner of the ALNCo\'s school, restarting the 12 months (audited)', async () => {
    const { cards } = await say('/idp');
    for (const id of ['schoolId', 'localRef', 'kind', 'date']) expect(input(cards[0], id)!.label).toMatch(/^[^$]{3,}$/);
    const unknown = await invoke('idp.record', { schoolId: 'w-6784021', localRef: 'NOPE', kind: 'revised', date: '2026-11-02' });
    expect(cardText(unknown)).toMatch(/No learner with that local reference/);
    const card = await invoke('idp.record', { schoolId: 'w-6784021', localRef: 'ADM-3', kind: 'revised', date: '2026-11-02' });
    expect(cardText(card)).toBe('Recorded for EF: IDP revised on Monday 2 November 2026. Next review due by Tuesday 2 November 2027.');
    expect(query<{ idp_issued_on: string }>("SELECT idp_issued_on FROM learners WHERE local_ref = 'ADM-3'")[0]!.idp_issued_on).toBe('2026-11-02');
    expect(query("SELECT * FROM audit WHERE action = 'idp.revised'")).toHaveLength(1);
    const notMine = await invoke('idp.record', { schoolId: 'w-6784060', localRef: 'ADM-2', kind: 'issued', date: '2026-11-02' });
    expect(cardText(notMine)).toMatch(/Only an ALNCo of the learner's school/);
  });
});

describe('/reviews, Done and Snooze', () => {
  test('lists the overdue IDP review and this year\'s transition milestones; Done needs the new issue date and restarts the clock', async () => {
    const { cards } = await say('/reviews 8');
    const text = cardText(cards[0]);
    expect(text).toMatch(/Overdue/);
    expect(text).toMatch(/IDP review for AB \(Example Primary School\): due by Friday 20 November 2026/);
    expect(text).not.toMatch(/for EF/); // another ALNCo's learner
    const open = actions(cards[0]).find((a) => (a.data as { subject: string }).subject === 'idp:1')!;
    const reminder = await invoke('reminder.open', open.data);
    expect(input(reminder, 'newIssueDate')!.label).toMatch(/restarts the 12 months/);
    expect(actions(reminder).map((a) => a.verb)).toEqual(['reminder.done', 'reminder.snooze']);

    const missing = await invoke('reminder.done', { ...(open.data as object) });
    expect(cardText(missing)).toMatch(/Give the date the reviewed IDP was issued/);
    const done = await invoke('reminder.done', { ...(open.data as object), newIssueDate: '2026-11-20' });
    expect(cardText(done)).toBe('Recorded: the IDP was issued on Friday 20 November 2026; the next review is due by Saturday 20 November 2027.');
    expect(query<{ idp_issued_on: string }>("SELECT idp_issued_on FROM learners WHERE local_ref = 'ADM-1'")[0]!.idp_issued_on).toBe('2026-11-20');
    expect(cardText((await say('/reviews 8')).cards[0])).not.toMatch(/IDP review for AB/);
  });

  test('Snooze needs a future date and a reason; the item shows as snoozed; someone else cannot act on it', async () => {
    const { cards } = await say('/reviews 20');
    const item = actions(cards[0]).find((a) => String((a.data as { subject: string }).subject).startsWith('ms:1:'))!;
    const noReason = await invoke('reminder.snooze', { ...(item.data as object), snoozeUntil: '2026-12-01', snoozeReason: ' ' });
    expect(cardText(noReason)).toMatch(/Say why/);
    const ok = await invoke('reminder.snooze', { ...(item.data as object), snoozeUntil: '2026-12-01', snoozeReason: 'Waiting for the secondary school to confirm a date' });
    expect(cardText(ok)).toBe('Snoozed until Tuesday 1 December 2026.');
    expect(cardText((await say('/reviews 20')).cards[0])).toMatch(/Snoozed until Tuesday 1 December 2026/);
    const forged = await invoke('reminder.done', { ...(item.data as object) }, { user: EP });
    expect(cardText(forged)).toMatch(/for someone else/);
    expect(query("SELECT * FROM audit WHERE action = 'reminder.snooze'")).toHaveLength(1);
  });
});

describe('the sweep: once per (subject, due date, lead), in the send window, catching up once', () => {
  test('evening sweep waits for 08:00; sends once in the ALNCo\'s language; a second sweep queues nothing new', async () => {
    await say('/language cy'); // ALEX reads Welsh; his conversation reference is stored
    // 10 school days before Sun 10 Jan 2027 (Christmas holiday and the 4 January INSET day skipped) is Fri 11 Dec 2026.
    h.clock.set('2026-12-14T19:30:00Z');
    await h.bot.runScheduledJobs();
    const queued = query<{ key: string; next_attempt_at: string }>("SELECT key, next_attempt_at FROM outbox WHERE key LIKE 'reminder:%'");
    expect(queued.map((q) => q.key).sort()).toEqual(['reminder:idp:2:2027-01-10:sd-10']);
    expect(queued[0]!.next_attempt_at).toBe('2026-12-15T08:00:00.000Z');
    h.connector.clear();
    await h.bot.flushOutbox();
    expect(h.connector.cards(conv(ALEX))).toHaveLength(0); // quiet hours
    h.clock.set('2026-12-15T08:00:00Z');
    await h.bot.flushOutbox();
    const sent = h.connector.cards(conv(ALEX));
    expect(sent).toHaveLength(1);
    expect(cardText(sent[0])).toMatch(/Adolygu CDU CD \(Ysgol Gynradd Enghreifftiol\): erbyn Dydd Sul 10 Ionawr 2027/);
    h.clock.set('2026-12-15T09:30:00Z');
    await h.bot.runScheduledJobs();
    await h.bot.flushOutbox();
    expect(h.connector.cards(conv(ALEX))).toHaveLength(1);
    await say('/language en');
  });

  test('after five weeks of downtime the sweep runs once and sends one overdue reminder, not a burst', async () => {
    h.clock.set('2027-02-16T10:00:00Z');
    const before = query<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE key LIKE 'reminder:idp:2:%'")[0]!.n;
    expect(await h.bot.runScheduledJobs()).toContain('reminder-sweep');
    expect(await h.bot.runScheduledJobs()).toEqual([]);
    const keys = query<{ key: string }>("SELECT key FROM outbox WHERE key LIKE 'reminder:idp:2:%' ORDER BY id").map((r) => r.key);
    expect(keys.length).toBe(before + 1);
    expect(keys.at(-1)).toBe('reminder:idp:2:2027-01-10:late-w5');
  });
});

describe('Early Help Panel referrals reach the EPs who should know', () => {
  test('the linked EP gets a 1:1 card queued with the referral; the answer is recorded and audited', async () => {
    h.clock.set('2026-11-25T10:00:00Z');
    await say('/help', EP); // the EP has the bot installed
    const { cards } = await say('/refer');
    const key = (actions(cards[0]).find((a) => a.verb === 'referral.submit')!.data as { idempotencyKey: string }).idempotencyKey;
    const confirm = await invoke('referral.submit', { ...validForm({ routeId: 'early-help-panel', learnerRef: 'ADM-9', initials: 'GH', areasOfNeed: 'semh,slc' }), idempotencyKey: key });
    const reference = facts(confirm)['Reference']!;
    const queued = query<{ key: string; target: string }>("SELECT key, target FROM outbox WHERE key LIKE 'ep-match:%'");
    expect(queued).toEqual([{ key: `ep-match:${reference}:${EP.aadObjectId}`, target: JSON.stringify({ kind: 'user', aadObjectId: EP.aadObjectId }) }]);
    h.connector.clear();
    await h.bot.flushOutbox();
    const card = h.connector.cards(conv(EP))[0]!;
    const f = facts(card);
    expect(f).toMatchObject({ Reference: reference, Initials: 'GH', School: 'Example Primary School', 'Panel date': 'Not set yet' });
    expect(f['Areas of need']).toMatch(/Social, emotional and mental health.*; Speech, language and communication/);
    const known = actions(card).find((a) => (a.data as { answer: string }).answer === 'known')!;
    const answered = await invoke('ep.answer', known.data, { user: EP });
    expect(cardText(answered)).toMatch(/recorded for the Early Help Panel coordinator \(known to you\)/);
    expect(query("SELECT * FROM ep_answers WHERE answer = 'known'")).toHaveLength(1);
    expect(query("SELECT * FROM audit WHERE action = 'ep.answer'")).toHaveLength(1);
    // Only EPs can answer.
    expect(cardText(await invoke('ep.answer', known.data))).toMatch(/Only Educational Psychologists/);
    // The Early Help Panel's chair (config/panels.yaml) and an administrator see who knows the learner; others are refused, and audited.
    expect((await say(`/ep answers ${reference}`, EHP_CHAIR)).texts[0]).toBe(`${reference}\n\nEP Example EP (Caldicot cluster): knows this learner`);
    expect((await say(`/ep answers ${reference}`, ADMIN)).texts[0]).toBe(`${reference}\n\nEP Example EP (Caldicot cluster): knows this learner`);
    expect((await say(`/ep answers ${reference}`)).texts[0]).toMatch(/Only the chair or coordinator of the panel/);
    expect(query("SELECT action FROM audit WHERE action LIKE 'ep.answers.%' ORDER BY id")).toEqual([{ action: 'ep.answers.view' }, { action: 'ep.answers.view' }, { action: 'ep.answers.refused' }]);
  });

  test('an EP who knows the learner hears of a later referral even after dropping the school; /ep schools sets their own', async () => {
    const rw = new Database(join(h.dir, 'inclusion.db'));
    rw.prepare("UPDATE panels SET meeting_date = '2026-12-03' WHERE id = 'early-help'").run();
    rw.close();
    const { texts } = await say('/ep schools w-6784060', EP);
    expect(texts[0]).toBe('Your link schools: Example Comprehensive School');
    const { cards } = await say('/refer');
    const key = (actions(cards[0]).find((a) => a.verb === 'referral.submit')!.data as { idempotencyKey: string }).idempotencyKey;
    const confirm = await invoke('referral.submit', { ...validForm({ routeId: 'early-help-panel', learnerRef: 'ADM-9', initials: 'GH', areasOfNeed: 'semh' }), idempotencyKey: key });
    const reference = facts(confirm)['Reference']!;
    expect(query<{ payload: string }>('SELECT payload FROM outbox WHERE key = ?', `ep-match:${reference}:${EP.aadObjectId}`)[0]!.payload).toMatch(/"reason":"known-learner"/);
    // the Early Help Panel's next meeting, once set, is on the card
    expect(query<{ payload: string }>('SELECT payload FROM outbox WHERE key = ?', `ep-match:${reference}:${EP.aadObjectId}`)[0]!.payload).toMatch(/"panelDate":"2026-12-03"/);
    expect((await say('/ep schools nowhere', EP)).texts[0]).toMatch(/Unknown school id\(s\): nowhere/);
    expect((await say('/ep schools w-1', ALEX)).texts[0]).toMatch(/Only Educational Psychologists/);
  });
});

describe('/admin outbox', () => {
  test('admins see counts, dead letters without personal data, and users who never installed the bot', async () => {
    h.clock.set('2026-11-26T10:00:00Z');
    await h.bot.flushOutbox(); // only the two messages below are due from here
    const db = new Database(join(h.dir, 'inclusion.db'));
    db.prepare("INSERT INTO outbox (key, target, payload, state, attempts, next_attempt_at, created_at) VALUES ('t1', ?, ?, 'pending', 0, ?, ?)").run(
      JSON.stringify({ kind: 'user', aadObjectId: 'never-installed-1' }), JSON.stringify({ template: 'reminder', data: { initials: 'ZZ' } }), '2026-11-26T09:00:00.000Z', '2026-11-26T09:00:00.000Z',
    );
    db.prepare("INSERT INTO outbox (key, target, payload, state, attempts, next_attempt_at, created_at) VALUES ('t2', ?, ?, 'pending', 0, ?, ?)").run(
      JSON.stringify({ kind: 'user', aadObjectId: ALEX.aadObjectId }), JSON.stringify({ template: 'reminder', data: { subject: 'idp:2', kind: 'idp-review', due: '2027-01-10', owner: ALEX.aadObjectId, initials: 'QX', schoolId: 'w-6784021' } }), '2026-11-26T09:00:00.000Z', '2026-11-26T09:00:00.000Z',
    );
    db.close();
    h.connector.failNext(403); // the bot was removed: permanent, parked at once
    await h.bot.flushOutbox();
    expect(h.logs.join('')).toMatch(/"event":"outbox.user_not_installed"/);
    const refused = await say('/admin outbox');
    expect(cardText(refused.cards[0])).toMatch(/Only the bot's administrators/);
    const { cards } = await say('/admin outbox', ADMIN);
    const text = cardText(cards[0]);
    expect(facts(cards[0])['Dead letters']).toBe('1');
    expect(text).toMatch(/#\d+ reminder to a user, 1 attempt\(s\), SendFailure: connector answered 403/);
    expect(text).toMatch(/never-installed-1: 1 waiting/);
    expect(text).not.toMatch(/QX|ZZ/);
  });
});
