import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

/**
 * Drive the Microsoft 365 Agents Playground (the local Teams-like client) from a test, with Debian's Chromium
 * through playwright-core. Facts this relies on are in /work/shared/TOOLCHAIN.md ("Driving the Playground").
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM_PATH) ? undefined : `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RunningPlayground {
  /** Where the browser goes, e.g. http://127.0.0.1:41234 (the port the Playground really took). */
  readonly url: string;
  readonly port: number;
  readonly logFile: string;
  output(): string;
  close(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * `agentsplayground -e <bot>/api/messages -c msteams -p <port> --dt --conversation-id <id>` with no browser of its own,
 * its working directory and log file under `dir`. Resolves when `/_debug/ping` answers `pong` on the port it announced
 * (it silently falls back to another port when the one asked for is taken).
 */
export async function startPlayground(o: { botUrl: string; conversationId: string; dir: string }): Promise<RunningPlayground> {
  const pkg = require.resolve('@microsoft/m365agentsplayground/package.json');
  const bin = (require(pkg) as { bin: Record<string, string> }).bin.agentsplayground!;
  const asked = await freePort();
  const logFile = join(o.dir, 'm365agentsplayground.log');
  const child = spawn(process.execPath, [join(dirname(pkg), bin), '-e', `${o.botUrl}/api/messages`, '-c', 'msteams', '-p', String(asked), '--dt', '--conversation-id', o.conversationId], {
    cwd: o.dir,
    env: { PATH: process.env.PATH ?? '', HOME: o.dir, TEAMSAPPTESTER_BROWSER: 'none', TEAMSAPPTESTER_LOGFILE: logFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
    running.delete(child);
  });
  const close = async () => {
    if (exited !== undefined) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  };
  try {
    const port = await until('the Playground to announce its port', 20_000, async () => {
      if (exited !== undefined) throw new Error(`agentsplayground exited with ${exited}:\n${out}`);
      const m = /Listening on (\d+)/.exec(out);
      return m ? Number(m[1]) : undefined;
    });
    const url = `http://127.0.0.1:${port}`;
    await until('GET /_debug/ping to answer pong', 20_000, async () => ((await (await fetch(`${url}/_debug/ping`)).text()).includes('pong') ? true : undefined));
    return { url, port, logFile, output: () => out, close };
  } catch (e) {
    await close();
    throw new Error(`${(e as Error).message}\nPlayground output:\n${out}`);
  }
}

export interface Browser {
  readonly context: BrowserContext;
  readonly page: Page;
  close(): Promise<void>;
}

/** Debian Chromium, fresh profile under `dir`, every non-loopback request blocked, the Playground loaded. */
export async function openBrowser(url: string, dir: string): Promise<Browser> {
  const context = await chromium.launchPersistentContext(join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 1000 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    await context.route(/^https?:\/\/(?!127\.0\.0\.1|localhost)/, (r) => r.abort());
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 45_000 });
    await composeBox(page).waitFor({ timeout: 30_000 });
    return { context, page, close: () => context.close() };
  } catch (e) {
    await context.close();
    throw e;
  }
}

/** The message box: a Lexical contenteditable (it has no accessible name in 0.2.28; card text inputs are not contenteditable). */
export function composeBox(page: Page): Locator {
  return page.locator('[role="textbox"][contenteditable="true"]');
}

export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** An accessible name that starts with `label` (the Playground appends a field's error text to its name). */
export const startsWith = (label: string) => new RegExp(`^${escapeRegExp(label)}`);

/** The personal chat with the bot, as a user sees it. */
export class Chat {
  constructor(readonly page: Page) {}

  /** Every Adaptive Card in the chat (class from the Adaptive Cards renderer, not a generated one). */
  cards(): Locator {
    return this.page.locator('.ac-adaptiveCard');
  }

  /** Plain-text bot messages and card text blocks render as paragraphs. */
  paragraphs(text: string | RegExp): Locator {
    return this.page.getByRole('paragraph').filter({ hasText: text });
  }

  async type(text: string): Promise<void> {
    const box = composeBox(this.page);
    await box.fill(text);
    // "Send Message" in chats; "Post" for a new post in a channel.
    await this.page.getByRole('button', { name: /^(Send Message|Post)$/ }).click();
  }

  /** Switch conversation in the left rail: "Personal Chat", "Group Chat", or a channel such as "My Team - General". */
  async open(conversation: string | RegExp): Promise<void> {
    await this.page.getByRole('treeitem', { name: conversation }).click();
  }

  /**
   * In a channel: a new post that @mentions the bot (Teams, and the Playground, deliver channel messages to a bot only
   * when it is mentioned). Returns the post's thread, where the bot's reply appears.
   */
  async post(text: string, botName = 'Test Bot'): Promise<Locator> {
    const postButton = this.page.getByRole('button', { name: 'Post', exact: true });
    const composer = this.page.getByRole('group').filter({ has: postButton });
    await this.mention(composer.locator('[role="textbox"][contenteditable="true"]'), botName, text);
    await postButton.click();
    const thread = this.page.getByRole('group').filter({ hasNot: postButton }).filter({ hasText: `${botName} ${text}` });
    await thread.first().waitFor();
    return thread.first();
  }

  /** In a channel: a reply in an existing thread, mentioning the bot. */
  async reply(thread: Locator, text: string, botName = 'Test Bot'): Promise<void> {
    await this.mention(thread.locator('[role="textbox"][contenteditable="true"]'), botName, text);
    await thread.getByRole('button', { name: 'Send Message', exact: true }).click();
  }

  private async mention(box: Locator, botName: string, text: string): Promise<void> {
    await box.click();
    await this.page.keyboard.type(`@${botName.split(' ')[0]}`);
    await this.page.getByRole('menuitem', { name: new RegExp(`^${escapeRegExp(botName)}`) }).click();
    await this.page.keyboard.type(` ${text}`);
  }

  /** Send a message and return the card the bot answers with (the first card that appears after it). */
  async sendForCard(text: string, expectText: string | RegExp): Promise<Locator> {
    const before = await this.cards().count();
    await this.type(text);
    const card = this.cards().nth(before);
    await card.getByText(expectText).first().waitFor();
    return card;
  }

  /** Send a message and wait for a new paragraph containing `expectText` (a plain-text reply). */
  async sendForText(text: string, expectText: string | RegExp): Promise<Locator> {
    const matches = this.paragraphs(expectText);
    const before = await matches.count();
    await this.type(text);
    const reply = matches.nth(before);
    await reply.waitFor();
    return reply;
  }
}

/** Fill an Adaptive Card as rendered by the Playground (Fluent UI controls), finding every field by its visible label. */
export class CardForm {
  constructor(
    readonly page: Page,
    readonly card: Locator,
  ) {}

  async text(label: string, value: string): Promise<void> {
    await this.card.getByRole('textbox', { name: startsWith(label) }).fill(value);
  }

  /** A compact Input.ChoiceSet: a Fluent combobox whose listbox opens in a portal outside the card. */
  async choose(label: string, option: string): Promise<void> {
    const listbox = await this.open(label);
    await listbox.getByRole('option', { name: option, exact: true }).click();
    await listbox.waitFor({ state: 'hidden' });
  }

  /** The options a compact choice set offers (opens and closes it). */
  async options(label: string): Promise<string[]> {
    const listbox = await this.open(label);
    const names = await listbox.getByRole('option').allInnerTexts();
    await this.page.keyboard.press('Escape');
    await listbox.waitFor({ state: 'hidden' });
    return names.map((n) => n.trim());
  }

  /** Open a compact choice set; its listbox is the one the combobox controls (several can be in the page). */
  private async open(label: string): Promise<Locator> {
    const combobox = this.card.getByRole('combobox', { name: startsWith(label) });
    await combobox.click();
    const id = await combobox.getAttribute('aria-controls');
    const listbox = id ? this.page.locator(`[id="${id}"]`) : this.page.getByRole('listbox');
    await listbox.waitFor();
    return listbox;
  }

  /**
   * An Input.Date: the Fluent date picker takes a typed ISO date when Enter is pressed (Tab drops it), and Enter also
   * opens its modal "Calendar" dialog, which hides the rest of the card from the accessibility tree until closed.
   */
  async date(label: string, iso: string): Promise<void> {
    const field = this.card.getByRole('combobox', { name: startsWith(label) });
    await field.fill(iso);
    await this.page.keyboard.press('Enter');
    const calendar = this.page.getByRole('dialog', { name: 'Calendar' });
    await calendar.waitFor({ state: 'visible', timeout: 3000 }).catch(() => undefined);
    if (await calendar.isVisible()) await this.page.keyboard.press('Escape');
    await calendar.waitFor({ state: 'hidden' });
    const shown = await field.inputValue();
    if (!shown || shown === iso) throw new Error(`the date picker "${label}" did not take ${iso} (shows "${shown}")`);
  }

  /** An expanded multi-select Input.ChoiceSet: checkboxes named "<label> <option>". */
  async check(label: string, ...options: string[]): Promise<void> {
    for (const option of options) await this.card.getByRole('checkbox', { name: `${label} ${option}`, exact: true }).check();
  }

  async radio(label: string, option: string): Promise<void> {
    await this.card.getByRole('radiogroup', { name: startsWith(label) }).getByRole('radio', { name: option, exact: true }).check();
  }

  async press(button: string): Promise<void> {
    await this.card.getByRole('button', { name: button, exact: true }).click();
  }
}
