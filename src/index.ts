import { TeamsAdapter } from '@microsoft/teams-ai';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { deliverOutbox, type RenderedMessage } from './app/deliver-outbox';
import { runScheduledJobs, type ScheduledJob } from './app/run-scheduled-jobs';
import { sendEpDigests, sendReminderDigests } from './app/send-digests';
import { sweepReminders } from './app/sweep-reminders';
import { SlidingWindowLimiter } from './domain/rate-limit';
import { nextSendTime, nextWeekly } from './domain/reminders';
import { mayDecide } from './domain/panels';
import { startLeasedWorker } from './adapters/scheduler/leased-worker';
import { adminFeature } from './adapters/teams/features/admin';
import { clocksFeature } from './adapters/teams/features/clocks';
import { epFeature, renderEpMessage } from './adapters/teams/features/ep';
import { idpFeature } from './adapters/teams/features/idp';
import { renderReminderMessage, reviewsFeature } from './adapters/teams/features/reviews';
import { ConfigError, loadConfig, type Config } from './config';
import { ConfigFileError, loadSchoolsFile } from './adapters/files/schools-file';
import { CalendarClocks, CalendarFileError } from './adapters/files/statutory-clocks';
import { createHttpServer } from './adapters/http/server';
import { LocalDocumentStore } from './adapters/localfs/document-store';
import { HmacHasher, localHashKey } from './adapters/localfs/hmac-hasher';
import { HttpFileFetcher } from './adapters/localfs/http-file-fetcher';
import { createLogger, type Logger } from './adapters/log';
import { openSharePointStores, SharePointNotReadyError } from './adapters/graph/wiring';
import { loadEpsFile } from './adapters/sqlite/ep-directory';
import { openEmbeddedStores } from './adapters/sqlite/stores';
import { botAuthSettings } from './adapters/teams/auth-settings';
import { createBot } from './adapters/teams/bot';
import { panelsFeature, renderItem } from './adapters/teams/features/panels';
import { PanelCardUpdater } from './adapters/teams/panel-card-updater';
import { loadPanelsFile } from './adapters/files/panels-file';
import { botFrameworkTokens, ConnectorSender } from './adapters/teams/connector-sender';
import { renderOutboxMessage, targetResolver } from './adapters/teams/outbox-rendering';
import type { Clock } from './ports/clock';

function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}
const VERSION = packageVersion();
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface Running {
  readonly url: string;
  readonly config: Config;
  /** Deliver what is due in the outbox now (tests, admin tools). */
  flushOutbox(): Promise<void>;
  /** Run the scheduled jobs that are due (reminder sweep, digests) once, now. */
  runScheduledJobs(): Promise<string[]>;
  close(): Promise<void>;
}

export interface MainOptions {
  readonly env?: Record<string, string | undefined>;
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Start the outbox worker (default true). */
  readonly worker?: boolean;
  /** The bot's own credentials (tests: a local factory instead of Entra ID). */
  readonly credentialsFactory?: ConstructorParameters<typeof TeamsAdapter>[1];
}

/** The composition root: read config, open the stores, wire the use cases to Teams and HTTP, start serving. */
export async function main(options: MainOptions = {}): Promise<Running> {
  const config = loadConfig(options.env ?? process.env);
  // Instances sharing a SharePoint site must hash UPNs with one key, or learners stop matching across instances.
  if (config.STORE === 'sharepoint' && !config.UPN_HASH_KEY) throw new ConfigError(['UPN_HASH_KEY: required when STORE=sharepoint (every instance on the site must use the same key)']);
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const clock: Clock = options.clock ?? { now: () => new Date() };

  const directory = loadSchoolsFile(config.SCHOOLS_FILE, config.ADMINS);
  const authority = directory.authority();
  const clocks = new CalendarClocks({
    country: authority.country,
    calendarFile: config.CALENDAR_FILE,
    schoolCalendarsDir: config.SCHOOL_CALENDARS_DIR,
    insetCountsAsSchoolDays: authority.insetCountsAsSchoolDays,
    schoolIds: directory.schools().map((s) => s.id),
  });
  if (!clocks.configured) log.warn({ event: 'calendar.missing', file: config.CALENDAR_FILE }, 'no term dates configured: school-day due dates will not be shown');

  const epsFile = loadEpsFile(config.EPS_FILE, new Set(directory.schools().map((s) => s.id)));
  const panelsFile = loadPanelsFile(config.PANELS_FILE);
  // One store for everything: the SQLite file (embedded default), or the SharePoint site (STORE=sharepoint), where
  // several stateless instances share every record, the scheduler's jobs and the sending lease (docs/sharepoint.md).
  const stores = config.STORE === 'sharepoint' ? await openSharePointStores(config, log, clock, epsFile) : openEmbeddedStores(config.SQLITE_PATH, epsFile);
  const { referrals, audit, outbox, users, conversations, panels, learners, eps, jobs, leases } = stores;
  const reminderStore = stores.reminders;
  // The panels file seeds the store (new panels and members only); from then on the store is the source of truth.
  const seeded = await panels.seed(panelsFile);
  if (seeded.panels.length > 0 || seeded.members > 0) log.info({ event: 'panels.seeded', panels: seeded.panels, members: seeded.members }, 'panels file applied');
  const documents = stores.kind === 'sharepoint' ? stores.documents : new LocalDocumentStore(config.DOCUMENTS_DIR);
  const hasher = new HmacHasher(config.UPN_HASH_KEY ?? localHashKey(join(dirname(config.SQLITE_PATH), 'upn-hash.key')));

  // Local mode: anonymous Bot Framework auth (Agents Playground, tests). Otherwise every request's JWT is verified.
  const adapter = new TeamsAdapter(botAuthSettings(config), options.credentialsFactory);
  // The same checks the adapter makes (issuer, audience, signature, expiry, endorsements), made first so that any
  // failure — including a key the metadata does not list — is answered 401, never 500.
  const preAuth = config.localMode ? undefined : new ConfigurationBotFrameworkAuthentication(botAuthSettings(config), options.credentialsFactory);
  const allowedTenants = config.ALLOWED_TENANTS.length > 0 ? config.ALLOWED_TENANTS : config.localMode ? [] : [config.BOT_TENANT_ID!];

  const notifier = new ConnectorSender(botFrameworkTokens(adapter.credentialsFactory, config.BOT_ID, config.BOT_TENANT_ID));
  const botDeps = {
    adapter,
    ...(config.BOT_ID ? { botAppId: config.BOT_ID } : {}),
    directory,
    referrals,
    audit,
    users,
    conversations,
    documents,
    fetcher: new HttpFileFetcher(),
    clocks,
    hasher,
    clock,
    log,
    documentMaxBytes: config.DOCUMENT_MAX_BYTES,
    documentTypes: config.DOCUMENT_TYPES,
    documentTargetMinutes: config.DOCUMENT_TARGET_MINUTES,
    allowedTenants,
    // Read by submitReferral (SubmitReferralDeps.eps, nextPanelDate): Early Help Panel referrals queue match cards to EPs.
    eps,
    nextPanelDate: async (routeId: string, schoolId: string) => {
      const cluster = directory.school(schoolId)?.cluster;
      const dates: string[] = [];
      for (const p of await panels.panels()) {
        if (!p.routes.includes(routeId as never) || (p.clusters && (cluster === undefined || !p.clusters.includes(cluster)))) continue;
        const d = await panels.meetingDate(p.id);
        if (d) dates.push(d);
      }
      return dates.sort()[0];
    },
  };
  const cardUpdater = new PanelCardUpdater({ notifier, conversations, log }, (itemId) => renderItem({ panels }, itemId));
  const calendarFor = (schoolId: string) => clocks.calendarFor(schoolId);
  const reminderDeps = { ...botDeps, learners, reminders: reminderStore, calendarFor };
  const bot = createBot(botDeps, [
    panelsFeature({ ...botDeps, panels, outbox, cardUpdater }),
    clocksFeature(botDeps, { calendarFor }),
    reviewsFeature(botDeps, reminderDeps),
    idpFeature(botDeps, { learners }),
    epFeature(botDeps, {
      eps,
      mayViewAnswers: async (aadObjectId, reference) => {
        if (directory.isAdmin(aadObjectId)) return true;
        const referral = await referrals.get(reference);
        return !!referral && (await panels.panels()).some((p) => p.routes.includes(referral.routeId) && mayDecide(p, aadObjectId));
      },
    }),
    adminFeature(botDeps, { outbox: stores.outboxAdmin, counts: () => outbox.counts() }),
  ]);
  const renderers = [renderReminderMessage(directory, clock), renderEpMessage(directory)];
  const limits = { conversation: new SlidingWindowLimiter(config.TEAMS_CONVERSATION_LIMITS), app: new SlidingWindowLimiter(config.TEAMS_APP_LIMITS) };
  const quiet = { startHour: config.QUIET_HOURS_START, endHour: config.QUIET_HOURS_END, timeZone: config.QUIET_HOURS_TIME_ZONE, workingDaysOnly: config.QUIET_HOURS_WORKING_DAYS_ONLY, country: authority.country };
  const QUIET_TEMPLATES = new Set(['reminder', 'reminder-digest', 'ep-match', 'ep-digest']);
  const waitingLogged = new Set<number>();
  // Proactive messages: one delivery pass; the worker runs it on a timer.
  const deliverOnce = (limit = 50, mayContinue?: () => boolean) =>
    deliverOutbox({
      ...(mayContinue ? { mayContinue } : {}),
      outbox,
      notifier,
      clock,
      maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
      concurrency: config.OUTBOX_CONCURRENCY,
      limits,
      // Reminders, digests and EP cards keep to the send window, retries included (docs/reminders.md, "Quiet hours").
      holdUntil: (m, now) => (QUIET_TEMPLATES.has(m.payload.template) ? nextSendTime(now, quiet) : undefined),
      onDead: (m, error) => log.error({ event: 'outbox.dead', outboxId: m.id, template: m.payload.template, target: m.target.kind, error }, 'message parked as a dead letter: see /admin outbox'),
      resolve: targetResolver({
        conversations,
        users,
        // A route's case card goes to the channel of the panel for that route (and the school's cluster, where panels are per cluster).
        panelsForRoute: async (routeId, schoolId) => {
          const cluster = schoolId ? directory.school(schoolId)?.cluster : undefined;
          return (await panels.panels()).filter((p) => p.routes.includes(routeId as never) && (!p.clusters || (cluster !== undefined && p.clusters.includes(cluster)))).map((p) => p.id);
        },
      }),
      render: (m, language): RenderedMessage => {
        for (const r of renderers) {
          const out = r(m, language);
          if (out) return out;
        }
        return renderOutboxMessage(m, language);
      },
      onWaiting: (m, reason) => {
        if (waitingLogged.has(m.id)) return;
        waitingLogged.add(m.id);
        if (reason === 'user-not-installed') {
          // Reported, not dropped: the admin sees who to ask to install the bot in /admin outbox.
          log.warn({ event: 'outbox.user_not_installed', outboxId: m.id, template: m.payload.template, aadObjectId: 'aadObjectId' in m.target ? m.target.aadObjectId : undefined }, 'message waiting: the user has not installed the bot');
          return;
        }
        log.warn({ event: 'outbox.waiting', outboxId: m.id, target: m.target.kind, route: 'routeId' in m.target ? m.target.routeId : undefined, reason }, 'message waiting: link a panel channel with /panel link');
      },
      }, limit);
  // Scheduled work is due times in the store, run under the lease by whichever instance holds it (docs/reminders.md).
  const weekly = (now: Date) => nextWeekly(now, 1, config.QUIET_HOURS_START, config.QUIET_HOURS_TIME_ZONE);
  const scheduled: ScheduledJob[] = [
    {
      name: 'reminder-sweep',
      first: (now) => now,
      next: (now) => new Date(now.getTime() + config.REMINDER_SWEEP_MINUTES * 60_000),
      run: () =>
        sweepReminders({ learners, reminders: reminderStore, outbox, clock, country: authority.country, calendarFor, policy: { beforeSchoolDays: config.REMINDER_LEAD_SCHOOL_DAYS, weeklyWhileOverdue: config.REMINDER_WEEKLY_OVERDUE }, window: quiet }),
    },
    { name: 'reminder-digest', first: weekly, next: weekly, run: () => sendReminderDigests({ ...reminderDeps, outbox }) },
    { name: 'ep-digest', first: weekly, next: weekly, run: () => sendEpDigests({ eps, epIds: epsFile.eps.map((e) => e.aadObjectId), referrals: stores.referralFeed, outbox, clock }) },
  ];
  const runJobs = () => runScheduledJobs({ jobs, clock }, scheduled);
  const BATCH = 100;
  const worker =
    options.worker === false
      ? undefined
      : startLeasedWorker({
          name: 'sender',
          leases,
          clock,
          ttlMs: config.LEASE_TTL_MS,
          pollMs: config.OUTBOX_POLL_MS,
          log,
          work: async (round) => {
            await runJobs();
            if (!round.held()) return {};
            const r = await deliverOnce(BATCH, round.held);
            const handled = r.sent + r.failed + r.waiting + (r.paced ?? 0);
            return { againInMs: r.wakeInMs ?? (handled >= BATCH ? 0 : undefined) };
          },
        });

  const server = createHttpServer({
    adapter,
    run: (context) => bot.run(context),
    log,
    maxBodyBytes: MAX_BODY_BYTES,
    ...(preAuth ? { authenticate: (activity: Record<string, unknown>, header: string) => preAuth.authenticateRequest(activity as never, header) } : {}),
    health: async () => {
      // The store this instance writes to: the SharePoint site (and its lists) when STORE=sharepoint, else the SQLite file.
      const storeOk = await stores.ping();
      // Outbox counts read every item of each state on SharePoint: reported here for the embedded store only (/admin outbox shows them).
      const counts = storeOk && stores.kind === 'sqlite' ? await outbox.counts() : undefined;
      return {
        ok: storeOk,
        version: VERSION,
        mode: config.localMode ? 'local' : 'bot-framework',
        store: { kind: config.STORE, ok: storeOk },
        calendar: { configured: clocks.configured },
        ...(counts ? { outbox: counts } : {}),
        ...(counts && counts.waiting > 0 ? { attention: `${counts.waiting} message(s) waiting for a panel channel to be linked (/panel link)` } : {}),
      };
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${address.port}`;
  log.info({ event: 'started', url, mode: config.localMode ? 'local' : 'bot-framework', version: VERSION }, `Inclusion bot listening on ${url}/api/messages`);

  return {
    url,
    config,
    runScheduledJobs: runJobs,
    flushOutbox: async () => {
      await deliverOnce();
    },
    async close() {
      await worker?.stop();
      await cardUpdater.drain();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stores.close();
    },
  };
}

if (require.main === module) {
  main()
    .then((running) => {
      // App Service and Ctrl-C: finish in-flight work, close the store cleanly, then exit.
      const stop = () => void running.close().finally(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    })
    .catch((e: unknown) => {
      if (e instanceof ConfigError || e instanceof ConfigFileError || e instanceof CalendarFileError || e instanceof SharePointNotReadyError) {
        process.stderr.write(`${e.message}\n`);
      } else {
        process.stderr.write(`Start-up failed: ${(e as Error).stack ?? String(e)}\n`);
      }
      process.exit(1);
    });
}
