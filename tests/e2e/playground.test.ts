/**
 * End to end in a real client: the Microsoft 365 Agents Playground in Debian's Chromium, driven by playwright-core,
 * against the real bot (main()) on a temp SQLite file and documents folder. See tests/e2e/README.md.
 */
import { testEnv } from '../support/harness';
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Locator, Page } from 'playwright-core';
import { createLogger } from '../../src/adapters/log';
import { strings, type Strings } from '../../src/i18n';
import { main, type Running } from '../../src/index';
import { CardForm, Chat, chromiumMissing, openBrowser, startPlayground, type Browser, type RunningPlayground } from '../support/playground';

const ARTIFACTS = join(__dirname, 'artifacts');
const CONVERSATION_ID = 'e2e-personal-alex';
const ALEX = '00000000-0000-0000-0000-0000000000020';

/**
 * The Playground signs in one user per process (Alex Wilber), so for the panel scenario Alex chairs the panels: he
 * records a recommendation as a member and closes the item as chair. Separate members and chair, forged invokes and
 * quorum overrides are covered through HTTP in tests/http/panels.test.ts.
 */
const PANELS_YAML = `panels:
  - id: mams-caldicot
    name: { en: Caldicot cluster MAMS, cy: MAMS clwstwr Cil-y-coed }
    kind: MAMS
    routes: [multi-agency-discussion]
    clusters: [caldicot]
    cadence: fortnightly
    quorum: { minMembers: 1 }
    members:
      - { aadObjectId: ${ALEX}, name: Alex Wilber, role: chair, agency: education }
      - { aadObjectId: 00000000-0000-0000-0000-0000000000c4, name: Haf Health, role: member, agency: health }
  - id: early-years
    name: { en: Early Years ALN Panel, cy: Panel ADY y Blynyddoedd Cynnar }
    kind: EarlyYearsPanel
    routes: [early-years-panel]
    cadence: termly
    quorum: { minMembers: 1 }
    members:
      - { aadObjectId: ${ALEX}, name: Alex Wilber, role: chair, agency: education }
`;
const missing = chromiumMissing();
const inCI = process.env.CI === 'true';
if (missing && !inCI) process.stdout.write(`\n[e2e] Agents Playground tests SKIPPED: ${missing}. CI=true makes this a failure.\n\n`);
const describeBrowser = missing && !inCI ? describe.skip : describe;

const en = strings('en');
const cy = strings('cy');

describeBrowser('the Agents Playground against the real bot', () => {
  let dir: string;
  let bot: Running;
  let playground: RunningPlayground | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let chat: Chat;
  const logs: string[] = [];

  const count = (table: 'referrals' | 'audit' | 'outbox') => {
    const db = new Database(join(dir, 'inclusion.db'), { readonly: true });
    try {
      return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const newestReference = () => {
    const db = new Database(join(dir, 'inclusion.db'), { readonly: true });
    try {
      return (db.prepare('SELECT reference FROM referrals ORDER BY rowid DESC LIMIT 1').get() as { reference: string }).reference;
    } finally {
      db.close();
    }
  };
  /** Screenshot a card (or the page): the chat pane scrolls inside the page, so a tall viewport shows a long card whole. */
  const shot = async (name: string, target?: Locator) => {
    const path = join(ARTIFACTS, `${name}.png`);
    if (!target) return void (await page.screenshot({ path }));
    await page.setViewportSize({ width: 1280, height: 2600 });
    try {
      await target.scrollIntoViewIfNeeded();
      await target.screenshot({ path });
    } finally {
      await page.setViewportSize({ width: 1280, height: 1000 });
    }
  };

  beforeAll(async () => {
    if (missing) throw new Error(`CI=true and ${missing}. CI must run the browser tests: .ci/run installs Chromium from Debian.`);
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'inclusion-e2e-'));
    writeFileSync(join(dir, 'panels.yaml'), PANELS_YAML);
    // Real time, but starting on a fixed school day so the statutory due date is known: Mon 23 Nov 2026, 10:00.
    const base = Date.parse('2026-11-23T10:00:00Z');
    const started = Date.now();
    bot = await main({
      env: testEnv(dir, { PANELS_FILE: join(dir, 'panels.yaml'), OUTBOX_POLL_MS: '200', LOG_LEVEL: 'info' }),
      clock: { now: () => new Date(base + (Date.now() - started)) },
      log: createLogger('info', new Writable({ write(chunk, _e, cb) { logs.push(String(chunk)); cb(); } })),
      worker: true, // the outcome card reaches the ALNCo through the outbox, as proactive messages do in Teams
    });
    playground = await startPlayground({ botUrl: bot.url, conversationId: CONVERSATION_ID, dir });
    browser = await openBrowser(playground.url, dir);
    page = browser.page;
    chat = new Chat(page);
    // Opening the Playground installs the bot: its bilingual welcome proves the round trip before any scenario.
    await chat.paragraphs('Croeso! Welcome!').first().waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await playground?.close();
    if (playground && existsSync(playground.logFile)) copyFileSync(playground.logFile, join(ARTIFACTS, 'm365agentsplayground.log'));
    await bot?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  /** Fill the referral card with a valid referral for Example Primary School, in the card's language. */
  async function fillValid(
    form: CardForm,
    s: Strings,
    o: { initials: string; learnerRef: string; language: 'english' | 'welsh'; tried?: string; ask?: string; route?: keyof Strings['routes'] },
  ) {
    await form.choose(s.form.routeId, s.routes[o.route ?? 'school-aln-decision']);
    // School: Alex is ALNCo of two demo schools, so the choice is offered.
    await form.choose(s.form.schoolId, s === cy ? 'Ysgol Gynradd Enghreifftiol' : 'Example Primary School');
    await form.text(s.form.learnerRef, o.learnerRef);
    await form.text(s.form.initials, o.initials);
    await form.choose(s.form.yearGroup, s.yearGroups['year-4']);
    await form.date(s.form.dateOfBirth, '2018-03-14');
    await form.choose(s.form.language, s.languagesOfEducation[o.language]);
    await form.check(s.form.areasOfNeed, s.areas.slc, s.areas['cognition-learning']);
    await form.choose(s.form.stage, s.stages.wales['level-3']);
    await form.text(s.form.tried, o.tried ?? 'Small-group phonics three times a week since September; speech and language screening.');
    await form.text(s.form.ask, o.ask ?? 'A decision on whether the learner has ALN and an IDP.');
    await form.radio(s.form.urgency, s.urgency.routine);
  }

  test('(1) /refer: fill and submit the card, see the reference and due date, and /my lists it', async () => {
    const stored = count('referrals');
    const card = await chat.sendForCard('/refer', en.form.title);
    const form = new CardForm(page, card);
    await fillValid(form, en, { initials: 'JD', learnerRef: 'ADM-4471', language: 'english' });
    await shot('1-refer-form-filled', card);

    await form.press(en.form.submit);
    // Action.Execute: the bot's answer replaces the form in place.
    await card.getByText(en.confirm.title, { exact: true }).waitFor();
    expect(count('referrals')).toBe(stored + 1);
    const reference = newestReference();
    expect(reference).toMatch(/^MON-2026-\d{6}$/);
    const text = await card.innerText();
    expect(text).toMatch(new RegExp(`${en.confirm.reference}\\s+${reference}`));
    expect(text).toMatch(/Due by\s+Tuesday 26 January 2027/);
    expect(text).toContain("School's ALN decision and IDP: 35 school days");
    expect(text).toContain('Example Primary School');
    await shot('1-refer-confirmation', card);

    const my = await chat.sendForCard('/my', reference);
    const myText = await my.innerText();
    expect(myText).toContain(en.my.title);
    expect(myText).toContain('Due Tuesday 26 January 2027');
    await shot('1-my-referrals', my);
    await shot('1-chat');
  }, 45_000);

  test('(2) the same in Welsh after /iaith: Welsh form, labels, confirmation and /fy', async () => {
    try {
      await chat.sendForText('/iaith', 'Byddaf yn siarad Cymraeg');
      const stored = count('referrals');
      const card = await chat.sendForCard('/atgyfeirio', cy.form.title);
      const form = new CardForm(page, card);
      // Every field is found by its Welsh label: a missing translation fails here.
      await fillValid(form, cy, {
        initials: 'CE',
        learnerRef: 'YGE-0112',
        language: 'welsh',
        tried: "Grŵp ffoneg bach dair gwaith yr wythnos ers mis Medi; sgrinio lleferydd ac iaith.",
        ask: "Penderfyniad a oes gan y dysgwr ADY ac a oes angen CDU.",
      });
      await shot('2-cy-refer-form-filled', card);

      await form.press(cy.form.submit);
      await card.getByText(cy.confirm.title, { exact: true }).waitFor();
      expect(count('referrals')).toBe(stored + 1);
      const reference = newestReference();
      const text = await card.innerText();
      expect(text).toMatch(new RegExp(`${cy.confirm.reference}\\s+${reference}`));
      expect(text).toMatch(/Erbyn\s+Dydd Mawrth 26 Ionawr 2027/);
      expect(text).toContain('Ysgol Gynradd Enghreifftiol');
      expect(text).toContain(cy.routes['school-aln-decision']);
      expect(text).not.toContain('Referral received');
      await shot('2-cy-refer-confirmation', card);

      const my = await chat.sendForCard('/fy', reference);
      const myText = await my.innerText();
      expect(myText).toContain(cy.my.title);
      expect(myText).toContain('Erbyn Dydd Mawrth 26 Ionawr 2027');
      await shot('2-cy-my-referrals', my);
    } finally {
      // Back to English for the other scenarios (the choice is stored per user).
      await chat.sendForText('/language', 'I will speak English');
    }
  }, 45_000);

  test('(3) a missing required field: errors on the card, nothing stored; corrected, it is stored once', async () => {
    const before = { referrals: count('referrals'), audit: count('audit'), outbox: count('outbox') };
    const card = await chat.sendForCard('/refer', en.form.title);
    const form = new CardForm(page, card);
    await fillValid(form, en, { initials: '', learnerRef: 'ADM-5000', language: 'english' });

    // Left empty: the client itself refuses (isRequired) and shows the card's errorMessage under the field.
    await form.press(en.form.submit);
    await card.getByText(en.errors.required, { exact: true }).waitFor();
    expect(await card.getByText(en.form.fixErrors).count()).toBe(0);
    await shot('3-missing-client-side', card);
    expect({ referrals: count('referrals'), audit: count('audit'), outbox: count('outbox') }).toEqual(before);

    // Only spaces pass the client's check; the bot refuses and re-renders the card with its own messages.
    await form.text(en.form.initials, '   ');
    await form.press(en.form.submit);
    await card.getByText(en.form.fixErrors, { exact: true }).waitFor();
    expect(await card.getByText(en.errors.required, { exact: true }).count()).toBeGreaterThanOrEqual(1);
    // the other values are kept
    expect(await card.getByRole('textbox', { name: /^School's reference for the learner/ }).inputValue()).toBe('ADM-5000');
    await shot('3-missing-server-side', card);
    expect({ referrals: count('referrals'), audit: count('audit'), outbox: count('outbox') }).toEqual(before);

    // Corrected on the same card: stored exactly once.
    await form.text(en.form.initials, 'KL');
    await form.press(en.form.submit);
    await card.getByText(en.confirm.title, { exact: true }).waitFor();
    expect(count('referrals')).toBe(before.referrals + 1);
  }, 45_000);

  test('(4) panel: a member records a recommendation → tally; the chair closes → outcome card to the ALNCo', async () => {
    // The referral: a multi-agency discussion, which needs agreement to share.
    await chat.open(/^Personal Chat/);
    const card = await chat.sendForCard('/refer', en.form.title);
    const form = new CardForm(page, card);
    await fillValid(form, en, { initials: 'MP', learnerRef: 'MAMS-0042', language: 'english', route: 'multi-agency-discussion' });
    await form.choose(en.form.consentGivenBy, en.consentGivers.parent);
    await form.date(en.form.consentDate, '2026-11-02');
    await form.check(en.form.consentAgencies, en.agencies.education, en.agencies.health);
    await form.press(en.form.submit);
    await card.getByText(en.confirm.title, { exact: true }).waitFor();
    const reference = newestReference();

    // The chair links the panel's channel and opens the agenda there (a reply in the link's thread: see test 4b).
    await chat.open('My Team - General');
    const thread = await chat.post('panel link mams-caldicot');
    await thread.getByRole('paragraph').filter({ hasText: 'This channel is now linked to Caldicot cluster MAMS' }).waitFor();
    await chat.reply(thread, 'panel open');
    await thread.getByRole('paragraph').filter({ hasText: 'Posted 1 item(s) for Caldicot cluster MAMS.' }).waitFor();
    const item = thread.locator('.ac-adaptiveCard').filter({ hasText: reference });
    const itemText = await item.innerText();
    // Shared card: bilingual, Welsh first; reference, initials and route only.
    expect(itemText).toContain('Cyfeirnod / Reference');
    expect(itemText).toContain('MP');
    for (const secret of ['MAMS-0042', 'Example Primary', 'Year 4', 'phonics', 'Speech']) expect(itemText).not.toContain(secret);
    expect(itemText).toContain('Support 0 · Do not support 0');
    await shot('4-panel-item-posted', item);

    // A member's recommendation: the answer is their own view; the shared card follows once the burst settles.
    await item.getByRole('button', { name: 'Cefnogi / Support', exact: true }).click();
    const mine = item.getByRole('paragraph').filter({ hasText: 'Your recommendation: Support' });
    await mine.waitFor();
    await item.getByRole('paragraph').filter({ hasText: 'Support 1 · Do not support 0 · More information 0 · Refer elsewhere 0' }).waitFor();
    expect(await item.innerText()).toMatch(/1 counted · 0 declared an interest[\s\S]*Quorum met[\s\S]*Responded: Alex Wilber[\s\S]*Awaiting: Haf Health/);
    await shot('4-panel-tally', item);
    await mine.waitFor({ state: 'detached' }); // the coalesced update of the shared card has replaced it

    // The chair records the decision from the card ("More" → "Record decision").
    await item.getByRole('button', { name: 'Mwy / More', exact: true }).click();
    await item.getByRole('button', { name: "Cofnodi'r penderfyniad / Record decision", exact: true }).click();
    const decision = thread.locator('.ac-adaptiveCard').filter({ hasText: `Decision on ${reference}` });
    await decision.waitFor();
    const chair = new CardForm(page, decision);
    await chair.choose('Outcome', 'Agreed');
    await chair.text('Reasons for the decision', 'Needs are best met by speech and language therapy input alongside the school plan.');
    await chair.text('Lead agency or named lead', 'Health: speech and language therapy');
    await chair.choose('Next step 1: who', 'Haf Health');
    await chair.text('Next step 1: what', 'Arrange a speech and language assessment');
    await chair.date('Next step 1: by when', '2026-12-18');
    await shot('4-panel-decision-form', decision);
    await chair.press('Record decision and close');
    const closed = thread.locator('.ac-adaptiveCard').filter({ hasText: 'Closed: Agreed' });
    await closed.waitFor();
    expect(await closed.getByRole('button', { name: 'Cefnogi / Support' }).count()).toBe(0);
    await shot('4-panel-closed', closed);

    const db = new Database(join(dir, 'inclusion.db'), { readonly: true });
    try {
      expect(db.prepare("SELECT COUNT(*) AS n FROM audit WHERE action = 'panel.recommend' AND record_id = ?").get(reference)).toEqual({ n: 1 });
    } finally {
      db.close();
    }

    // The outcome reaches the referring ALNCo in their personal chat (outbox → proactive message).
    await chat.open(/^Personal Chat/);
    const outcome = chat.cards().filter({ hasText: `Panel decision on ${reference}` });
    await outcome.waitFor({ timeout: 20_000 });
    const outcomeText = await outcome.innerText();
    expect(outcomeText).toContain('Caldicot cluster MAMS has decided on your referral.');
    expect(outcomeText).toMatch(/Outcome\s+Agreed/);
    expect(outcomeText).toContain('Arrange a speech and language assessment (by Friday 18 December 2026)');
    await shot('4-outcome-to-alnco', outcome);
  }, 90_000);

  // Regression: every channel thread has its own conversation id ("<channel id>;messageid=<root post>"); the panel is
  // linked to the channel, so /panel open is accepted in any thread of it.
  test('(4b) /panel open in a new post of the linked channel is accepted', async () => {
    await chat.open('My Team - General');
    const linked = await chat.post('panel link early-years');
    await linked.getByRole('paragraph').filter({ hasText: 'This channel is now linked to Early Years ALN Panel' }).waitFor();
    const open = await chat.post('panel open early-years');
    const answer = open.getByRole('paragraph').filter({ hasText: /Early Years ALN Panel|linked channel/ });
    await answer.waitFor();
    expect(await answer.innerText()).toBe('There are no items to open for Early Years ALN Panel.');
  }, 45_000);
});
