/**
 * STORE=sharepoint runs the WHOLE product on the SharePoint site (the Graph simulator): referrals, panels (agenda,
 * recommendations, decisions, next steps), proactive messages, reminders, EP links and the scheduler's lease all
 * live on the site's lists — the instance keeps nothing of its own (no SQLite file is created).
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { ALEX, execute, message, validForm, type TestUser } from '../support/activities';
import { actions, cardText, facts } from '../support/cards';
import { startHarness, type Harness } from '../support/harness';
import { LISTS } from '../../src/adapters/graph/schema';
import { run as importLearnersCli } from '../../scripts/import-learners';
import { provisionSite, SITE, startSim, TOKEN } from './support';

const CHAIR: TestUser = { id: '29:chair', aadObjectId: '00000000-0000-0000-0000-0000000000c1', name: 'Carys Chair' };
const COORD: TestUser = { id: '29:coord', aadObjectId: '00000000-0000-0000-0000-0000000000c2', name: 'Owen Coordinator' };
const HEALTH: TestUser = { id: '29:health', aadObjectId: '00000000-0000-0000-0000-0000000000c4', name: 'Haf Health' };
const SOCIAL: TestUser = { id: '29:social', aadObjectId: '00000000-0000-0000-0000-0000000000c5', name: 'Sion Social Care' };
const EP: TestUser = { id: '29:ep', aadObjectId: '00000000-0000-0000-0000-0000000000c6', name: 'Eira EP' };
const CHANNEL = '19:mams-caldicot@thread.tacv2';

let env: Awaited<ReturnType<typeof startSim>>;
let h: Harness;
beforeAll(async () => {
  env = await startSim();
});
afterAll(() => env.stop());

const spEnv = () => ({
  STORE: 'sharepoint', SHAREPOINT_SITE: SITE, GRAPH_BASE_URL: env.sim.baseUrl, GRAPH_CREDENTIAL: 'token', GRAPH_ACCESS_TOKEN: TOKEN,
  UPN_HASH_KEY: 'test-upn-hash-key-0123456789abcdefghij', PANELS_FILE: 'config/panels.yaml',
  QUIET_HOURS_START: '0', QUIET_HOURS_END: '24', QUIET_HOURS_WORKING_DAYS_ONLY: 'false',
});
const items = (list: keyof typeof LISTS) => env.sim.getItems(env.site.id, LISTS[list].displayName);
const o = () => ({ serviceUrl: h.connector.url });
const inChannel = (user: TestUser) => ({ ...o(), user, conversationType: 'channel' as const, conversationId: CHANNEL });
const recommend = (user: TestUser, itemId: number, value: string, extra: Record<string, string> = {}) =>
  h.post(execute('panel.recommend', { itemId, value, otherRoute: '', comment: '', ...extra }, inChannel(user)));

test('refer → panel agenda → recommendations → decision → outcome to the ALNCo, all on SharePoint', async () => {
  env.reset();
  await provisionSite(env);
  h = await startHarness(spEnv(), { worker: false });
  try {
    // Two MAMS referrals.
    const refs: string[] = [];
    for (let i = 0; i < 2; i++) {
      await h.post(message('/refer', o()));
      const key = (actions(h.connector.cards(`a:personal-${ALEX.aadObjectId}`).at(-1)).find((a) => a.verb === 'referral.submit')!.data as { idempotencyKey: string }).idempotencyKey;
      const res = await h.post(execute('referral.submit', { ...validForm({ routeId: 'multi-agency-discussion', learnerRef: `MAMS-${i}` }), idempotencyKey: key }, o()));
      refs.push(facts(res.body.value)['Reference']!);
    }
    expect(items('referrals')).toHaveLength(2);
    // The panels file seeded the site's lists.
    expect(items('panels').map((p) => p.fields['PanelId'])).toEqual(expect.arrayContaining(['mams-caldicot', 'early-help', 'la-panel']));

    await h.post(message('<at>Inclusion bot</at> panel link mams-caldicot', inChannel(CHAIR)));
    expect(h.connector.texts(CHANNEL).at(-1)).toContain('This channel is now linked to Caldicot cluster MAMS');
    await h.post(message('/panel agenda mams-caldicot', { ...o(), user: COORD }));
    const agenda = cardText(h.connector.cards(`a:personal-${COORD.aadObjectId}`).at(-1));
    expect(agenda.indexOf(refs[0]!)).toBeLessThan(agenda.indexOf(refs[1]!));
    h.connector.clear();
    await h.post(message('panel open', inChannel(COORD)));
    const cards = h.connector.cards(CHANNEL);
    expect(cards).toHaveLength(2);
    expect(items('agenda').map((i) => i.fields['Status'])).toEqual(['open', 'open']);
    expect(items('referrals').map((r) => r.fields['Status'])).toEqual(['on-agenda', 'on-agenda']);

    const itemId = (actions(cards[0]).find((a) => a.verb === 'panel.recommend')!.data as { itemId: number }).itemId;
    await recommend(HEALTH, itemId, 'support');
    await recommend(EP, itemId, 'more-information');
    await recommend(EP, itemId, 'support', { comment: 'Seen in school last term' });
    await recommend(SOCIAL, itemId, 'support');
    const view = (await recommend(COORD, itemId, 'support')).body.value;
    expect(cardText(view)).toContain('Support 4');
    expect(cardText(view)).toContain('Quorum met');
    expect(items('recommendations')).toHaveLength(4); // one per member: the EP's change of mind updated theirs

    const closed = (await h.post(execute('panel.decide', {
      itemId, outcome: 'agreed', reasons: 'Needs are clear.', lead: 'Health (SALT)',
      step1Owner: HEALTH.aadObjectId, step1Text: 'SALT assessment', step1Due: '2027-01-15',
    }, inChannel(CHAIR)))).body.value;
    expect(cardText(closed)).toContain('Closed: Agreed');
    const decided = items('referrals').find((r) => r.fields['Status'] === 'decided');
    expect(decided).toBeDefined();
    expect(items('decisions')).toHaveLength(1);
    expect(items('nextSteps').map((s) => [s.fields['OwnerAadId'], s.fields['DueDate'], s.fields['State']])).toEqual([[HEALTH.aadObjectId, '2027-01-15', 'open']]);
    expect(cardText((await recommend(HEALTH, itemId, 'not-support')).body.value)).toContain('closed this item');

    // The minutes go to the library, in the meeting's folder, with their columns.
    await h.post(message('/panel minutes mams-caldicot', { ...o(), user: COORD, conversationId: 'a:coord' }));
    expect(h.connector.texts('a:coord').at(-1)).toMatch(/are stored as "minutes-mams-caldicot-2026-11-23.md"/);
    const library = items('documents').filter((d) => d.fields['DocumentReference'] === 'MINUTES-MAMS-CALDICOT-2026-11-23');
    expect(library.map((d) => d.fields['DocumentType']).sort()).toEqual(['csv', 'html', 'md']);

    // The outcome reaches the referring ALNCo; the next step its owner.
    await h.post(message('hello', { ...o(), user: HEALTH, conversationId: `a:personal-${HEALTH.aadObjectId}` }));
    h.connector.clear();
    await h.flushOutbox();
    expect(h.connector.cards(`a:personal-${ALEX.aadObjectId}`).some((c) => cardText(c).includes('Agreed'))).toBe(true);
    expect(cardText(h.connector.cards(`a:personal-${HEALTH.aadObjectId}`)[0])).toContain('SALT assessment');
    const audit = items('audit').map((a) => a.fields['Action']);
    for (const action of ['referral.submit', 'panel.recommend', 'panel.decide']) expect(audit).toContain(action);

    // The scheduled jobs ran on the site's schedule list, not in the instance.
    await h.bot.runScheduledJobs();
    expect(items('schedule').map((s) => s.fields['Name'])).toEqual(expect.arrayContaining(['job:reminder-sweep', 'job:reminder-digest', 'job:ep-digest']));

    // Health reports the site, and nothing was kept in the instance.
    const health = await (await fetch(`${h.bot.url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, store: { kind: 'sharepoint', ok: true } });
    expect(existsSync(join(h.dir, 'inclusion.db'))).toBe(false);
  } finally {
    await h.close();
  }
});

test('/healthz answers 503 when the site stops answering', async () => {
  env.reset();
  await provisionSite(env);
  h = await startHarness(spEnv(), { worker: false });
  try {
    expect((await fetch(`${h.bot.url}/healthz`)).status).toBe(200);
    env.sim.faults.set({ rate: 1, kinds: ['503'], retryAfterSeconds: 0, seed: 1 });
    const res = await fetch(`${h.bot.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, store: { kind: 'sharepoint', ok: false } });
  } finally {
    env.sim.faults.clear();
    await h.close();
  }
});

test('two instances on one site: one holds the sending lease, every message is sent once, the other takes over when it stops', async () => {
  env.reset();
  await provisionSite(env);
  const fast = { OUTBOX_POLL_MS: '50', LEASE_TTL_MS: '600' };
  const a = await startHarness({ ...spEnv(), ...fast }, { worker: true });
  const b = await startHarness({ ...spEnv(), ...fast }, { worker: true });
  let stopped: Harness | undefined;
  try {
    // Every activity names instance a's connector, so whichever instance sends, the sends land in one place.
    const via = (_x: Harness) => ({ serviceUrl: a.connector.url });
    await a.post(message('<at>Inclusion bot</at> panel link mams-caldicot', { ...via(a), user: CHAIR, conversationType: 'channel', conversationId: CHANNEL }));
    const refs: string[] = [];
    for (let i = 0; i < 6; i++) {
      const x = i % 2 === 0 ? a : b;
      await x.post(message('/refer', via(x)));
      const key = (actions(a.connector.cards(`a:personal-${ALEX.aadObjectId}`).at(-1)).find((c) => c.verb === 'referral.submit')!.data as { idempotencyKey: string }).idempotencyKey;
      const res = await x.post(execute('referral.submit', { ...validForm({ routeId: 'multi-agency-discussion', learnerRef: `TWO-${i}` }), idempotencyKey: key }, via(x)));
      refs.push(facts(res.body.value)['Reference']!);
    }
    const caseCards = () => a.connector.cards(CHANNEL).filter((c) => refs.some((r) => JSON.stringify(c).includes(r)));
    for (let t = 0; t < 200 && caseCards().length < refs.length; t++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500)); // time for a duplicate to show, if there were one
    expect(caseCards()).toHaveLength(refs.length);
    expect(items('outbox').filter((m) => String(m.fields['Key']).startsWith('case-card:')).map((m) => m.fields['State'])).toEqual(refs.map(() => 'sent'));
    const lease = () => items('schedule').find((s) => s.fields['Name'] === 'lease:sender');
    const first = String(lease()?.fields['Holder']);
    expect(first).not.toBe('');

    // The holder stops (it gives the lease up); the other instance takes over and sends what comes next.
    const [holder, other] = a.logs.join('').includes(first) ? [a, b] : [b, a];
    stopped = holder;
    await holder.bot.close();
    await other.post(message('/refer', via(other)));
    const key = (actions(a.connector.cards(`a:personal-${ALEX.aadObjectId}`).at(-1)).find((c) => c.verb === 'referral.submit')!.data as { idempotencyKey: string }).idempotencyKey;
    const res = await other.post(execute('referral.submit', { ...validForm({ routeId: 'multi-agency-discussion', learnerRef: 'TWO-LATE' }), idempotencyKey: key }, via(other)));
    refs.push(facts(res.body.value)['Reference']!);
    for (let t = 0; t < 200 && caseCards().length < refs.length; t++) await new Promise((r) => setTimeout(r, 50));
    expect(caseCards()).toHaveLength(refs.length);
    expect(String(lease()?.fields['Holder'])).not.toBe(first);
  } finally {
    // The stopped instance's bot is closed already; its connector (and a's, which receives every send) closes last.
    for (const x of [b, a]) {
      if (x === stopped) {
        await x.connector.stop();
        rmSync(x.dir, { recursive: true, force: true });
      } else {
        await x.close();
      }
    }
  }
}, 60_000);

test('learners, reviews, Done, the reminder sweep and the EPs, all on SharePoint', async () => {
  env.reset();
  await provisionSite(env);
  h = await startHarness(spEnv(), { worker: false, now: '2026-11-23T10:00:00Z' });
  try {
    // The IDP import goes to the site (the CLI with the same settings as the bot).
    const csv = join(h.dir, 'learners.csv');
    writeFileSync(csv, ['local_ref,initials,upn,date_of_birth,year_group,idp_issue_date,idp_maintained_by,alnco', `ADM-1,AB,,2015-04-02,year-5,2025-11-20,school,${ALEX.aadObjectId}`, `ADM-2,CD,A123456789012,2012-01-15,year-9,2026-01-10,la,${ALEX.aadObjectId}`].join('\n'));
    let out = '';
    const sink = new Writable({ write(c, _e, cb) { out += String(c); cb(); } });
    expect(await importLearnersCli(['--school', 'w-6784021', csv], { ...process.env, ...spEnv(), SCHOOLS_FILE: 'config/schools.yaml' }, sink, sink)).toBe(0);
    expect(out).toMatch(/2 new, 0 already known/);
    expect(items('learners').map((l) => l.fields['LocalRef']).sort()).toEqual(['ADM-1', 'ADM-2']);
    expect(JSON.stringify(items('learners'))).not.toContain('A123456789012');

    // /reviews lists the overdue review; Done records the new issue date on the site.
    h.connector.clear();
    await h.post(message('/reviews 8', o()));
    const list = h.connector.cards(`a:personal-${ALEX.aadObjectId}`)[0]!;
    expect(cardText(list)).toMatch(/IDP review for AB/);
    const open = actions(list).find((a) => String((a.data as { subject: string }).subject).startsWith('idp:'))!;
    const done = (await h.post(execute('reminder.done', { ...(open.data as object), newIssueDate: '2026-11-20' }, o()))).body.value;
    expect(cardText(done)).toMatch(/^Recorded: the IDP was issued on Friday 20 November 2026/);
    expect(items('learners').find((l) => l.fields['LocalRef'] === 'ADM-1')!.fields['IdpIssuedOn']).toBe('2026-11-20');
    expect(items('reminderStates').length).toBeGreaterThanOrEqual(1);

    // The sweep queues the next reminder in the site's outbox, once.
    h.clock.set('2026-12-14T10:30:00Z');
    expect(await h.bot.runScheduledJobs()).toContain('reminder-sweep');
    await h.bot.runScheduledJobs();
    expect(items('outbox').filter((m) => String(m.fields['Key']).startsWith('reminder:')).map((m) => m.fields['Key'])).toEqual(['reminder:idp:' + items('learners').find((l) => l.fields['LocalRef'] === 'ADM-2')!.id + ':2027-01-10:sd-10']);

    // An Early Help Panel referral from a school the EP links with queues the EP's card; the answer is on the site.
    h.clock.set('2026-11-25T10:00:00Z');
    const EPU: TestUser = { id: '29:ep', aadObjectId: '00000000-0000-0000-0000-0000000000e1', name: 'Eira EP' };
    await h.post(message('/help', { ...o(), user: EPU }));
    await h.post(message('/refer', o()));
    const key = (actions(h.connector.cards(`a:personal-${ALEX.aadObjectId}`).at(-1)).find((a) => a.verb === 'referral.submit')!.data as { idempotencyKey: string }).idempotencyKey;
    const confirm = (await h.post(execute('referral.submit', { ...validForm({ routeId: 'early-help-panel', learnerRef: 'ADM-9', initials: 'GH', areasOfNeed: 'semh,slc' }), idempotencyKey: key }, o()))).body.value;
    const reference = facts(confirm)['Reference']!;
    expect(items('outbox').map((m) => m.fields['Key'])).toContain(`ep-match:${reference}:${EPU.aadObjectId}`);
    h.connector.clear();
    await h.flushOutbox();
    const card = h.connector.cards(`a:personal-${EPU.aadObjectId}`).find((c) => JSON.stringify(c).includes(reference))!;
    const known = actions(card).find((a) => (a.data as { answer: string }).answer === 'known')!;
    await h.post(execute('ep.answer', known.data, { ...o(), user: EPU }));
    expect(items('epAnswers').map((a) => [a.fields['Reference'], a.fields['Answer']])).toEqual([[reference, 'known']]);
    h.connector.clear();
    await h.post(message(`/ep answers ${reference}`, { ...o(), user: COORD }));
    expect(h.connector.texts(`a:personal-${COORD.aadObjectId}`).at(-1)).toMatch(/knows this learner/);
    expect(existsSync(join(h.dir, 'inclusion.db'))).toBe(false);
  } finally {
    await h.close();
  }
}, 60_000);

test('Graph requests per turn through /api/messages, warm: a message 1 (the preferences read), a submit 4 (that read + 3)', async () => {
  env.reset();
  await provisionSite(env);
  h = await startHarness(spEnv(), { worker: false });
  try {
    const counts: { open: number; submit: number }[] = [];
    for (let i = 0; i < 2; i++) {
      env.sim.clearLog();
      await h.post(message('/refer', o()));
      const open = env.sim.requestCount();
      const key = (actions(h.connector.cards(`a:personal-${ALEX.aadObjectId}`).at(-1)).find((a) => a.verb === 'referral.submit')!.data as { idempotencyKey: string }).idempotencyKey;
      env.sim.clearLog();
      await h.post(execute('referral.submit', { ...validForm({ learnerRef: `COUNT-${i}` }), idempotencyKey: key }, o()));
      counts.push({ open, submit: env.sim.requestCount() });
    }
    // The first message also saves the user's conversation reference (find + create); later ones find it unchanged.
    expect(counts).toEqual([{ open: 3, submit: 4 }, { open: 1, submit: 4 }]);
  } finally {
    await h.close();
  }
});
