import { z } from 'zod';

/**
 * The only reader of process.env. Every setting is documented in the README table and in
 * infra/settings.json (the deployment's list); a test fails when the two disagree.
 */

const csv = z
  .string()
  .optional()
  .transform((s) => (s ?? '').split(',').map((x) => x.trim()).filter((x) => x.length > 0));

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = (dflt: number) => z.coerce.number().int().positive().default(dflt);

/** Rate-limit windows written "limit/ms,limit/ms", e.g. 7/1000,60/30000. */
const rateWindows = (dflt: string) =>
  z
    .string()
    .default(dflt)
    .transform((s) => s.split(',').map((w) => w.trim().split('/').map(Number)))
    .refine((ws) => ws.length > 0 && ws.every((w) => w.length === 2 && w.every((n) => Number.isInteger(n) && n > 0)), 'rate limits are written limit/ms, comma-separated, e.g. 7/1000,60/30000')
    .transform((ws) => ws.map(([limit, ms]) => ({ limit: limit!, ms: ms! })));

export const settingsSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3978),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    // Bot Framework identity. None set = local mode (no JWT check, for the Agents Playground).
    BOT_ID: z.string().trim().optional(),
    BOT_TYPE: z.enum(['UserAssignedMSI', 'SingleTenant']).default('UserAssignedMSI'),
    BOT_TENANT_ID: z.string().trim().optional(),
    BOT_PASSWORD: z.string().optional(),
    ALLOWED_TENANTS: csv,
    BOT_OPENID_METADATA_URL: z.string().url().optional(),

    ADMINS: csv,
    SCHOOLS_FILE: z.string().default('config/schools.yaml'),
    PANELS_FILE: z.string().default('config/panels.yaml'),
    CALENDAR_FILE: z.string().default('config/calendar.csv'),
    SCHOOL_CALENDARS_DIR: z.string().default('config/calendars'),

    STORE: z.enum(['sqlite', 'sharepoint']).default('sqlite'),
    SQLITE_PATH: z.string().default('data/inclusion.db'),
    DOCUMENTS_DIR: z.string().default('data/documents'),
    DOCUMENT_MAX_BYTES: positiveInt(25 * 1024 * 1024),
    DOCUMENT_TYPES: z
      .string()
      .default('pdf,docx,doc,odt,rtf,txt,xlsx,xls,csv,pptx,jpg,jpeg,png,heic')
      .transform((s) => s.split(',').map((x) => x.trim().toLowerCase().replace(/^\./, '')).filter(Boolean)),
    DOCUMENT_TARGET_MINUTES: positiveInt(30),
    UPN_HASH_KEY: z
      .string()
      .min(32, 'UPN_HASH_KEY must be at least 32 characters')
      .refine((v) => !v.startsWith('@Microsoft.KeyVault('), 'UPN_HASH_KEY is an unresolved Key Vault reference: check the identity can read the secret')
      .optional(),

    OUTBOX_POLL_MS: positiveInt(2000),
    OUTBOX_MAX_ATTEMPTS: positiveInt(8),
    OUTBOX_CONCURRENCY: positiveInt(4),
    /** Teams' per-bot-per-conversation limits as "limit/ms" windows; per app per tenant the same way (docs/reminders.md). */
    TEAMS_CONVERSATION_LIMITS: rateWindows('7/1000,8/2000,60/30000,1800/3600000'),
    TEAMS_APP_LIMITS: rateWindows('30/1000'),
    LEASE_TTL_MS: positiveInt(30_000),
    REMINDER_SWEEP_MINUTES: positiveInt(60),
    REMINDER_LEAD_SCHOOL_DAYS: z
      .string()
      .default('10,3')
      .transform((s) => s.split(',').map((x) => Number(x.trim())).filter((n) => n > 0))
      .refine((a) => a.every((n) => Number.isInteger(n) && n <= 60), 'REMINDER_LEAD_SCHOOL_DAYS must be whole numbers of school days, e.g. 10,3'),
    REMINDER_WEEKLY_OVERDUE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    QUIET_HOURS_START: z.coerce.number().int().min(0).max(23).default(8),
    QUIET_HOURS_END: z.coerce.number().int().min(1).max(24).default(18),
    QUIET_HOURS_TIME_ZONE: z.string().default('Europe/London').refine((tz) => { try { new Intl.DateTimeFormat('en-GB', { timeZone: tz }); return true; } catch { return false; } }, 'QUIET_HOURS_TIME_ZONE must be an IANA time zone'),
    QUIET_HOURS_WORKING_DAYS_ONLY: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
    EPS_FILE: z.string().default('config/eps.yaml'),
    /** Set by Azure App Service itself; its presence forbids local mode (no JWT check) in a deployment. */
    WEBSITE_SITE_NAME: z.string().optional(),

    SHAREPOINT_SITE: z
      .string()
      .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+:\/\S+$/i, 'SHAREPOINT_SITE must look like contoso.sharepoint.com:/sites/InclusionTrainingPortal')
      .optional(),
    GRAPH_BASE_URL: z.string().url().default('https://graph.microsoft.com/v1.0'),
    GRAPH_CREDENTIAL: z.enum(['managed-identity', 'certificate', 'secret', 'token']).default('managed-identity'),
    GRAPH_ACCESS_TOKEN: z.string().optional(),
    GRAPH_TENANT_ID: z.string().optional(),
    GRAPH_CLIENT_ID: z.string().optional(),
    GRAPH_CLIENT_SECRET: z.string().optional(),
    GRAPH_CERTIFICATE_PATH: z.string().optional(),
  })
  .superRefine((s, ctx) => {
    const need = (cond: boolean, key: string, message: string) => {
      if (cond) ctx.addIssue({ code: 'custom', path: [key], message });
    };
    const local = !s.BOT_ID;
    need(local && !!s.WEBSITE_SITE_NAME, 'BOT_ID', 'BOT_ID is required in Azure App Service: local mode (no Bot Framework token check) is for development only');
    need(!local && !s.BOT_TENANT_ID, 'BOT_TENANT_ID', 'BOT_TENANT_ID is required when BOT_ID is set (single-tenant bot)');
    need(!local && s.BOT_TYPE === 'SingleTenant' && !s.BOT_PASSWORD, 'BOT_PASSWORD', 'BOT_PASSWORD is required when BOT_TYPE=SingleTenant');
    need(!local && !s.UPN_HASH_KEY, 'UPN_HASH_KEY', 'UPN_HASH_KEY (32+ characters, from Key Vault) is required outside local mode');
    need(s.STORE === 'sharepoint' && !s.SHAREPOINT_SITE, 'SHAREPOINT_SITE', 'SHAREPOINT_SITE is required when STORE=sharepoint');
    need(s.GRAPH_CREDENTIAL === 'token' && s.STORE === 'sharepoint' && !s.GRAPH_ACCESS_TOKEN, 'GRAPH_ACCESS_TOKEN', 'GRAPH_ACCESS_TOKEN is required when GRAPH_CREDENTIAL=token');
    need(s.GRAPH_CREDENTIAL === 'secret' && s.STORE === 'sharepoint' && !s.GRAPH_CLIENT_SECRET, 'GRAPH_CLIENT_SECRET', 'GRAPH_CLIENT_SECRET is required when GRAPH_CREDENTIAL=secret');
    need(s.GRAPH_CREDENTIAL === 'certificate' && s.STORE === 'sharepoint' && !s.GRAPH_CERTIFICATE_PATH, 'GRAPH_CERTIFICATE_PATH', 'GRAPH_CERTIFICATE_PATH is required when GRAPH_CREDENTIAL=certificate');
  });

export type Settings = z.infer<typeof settingsSchema>;

export interface Config extends Settings {
  /** No bot identity configured: anonymous Bot Framework auth, for the Agents Playground and tests. */
  readonly localMode: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parse settings; throws ConfigError naming every bad setting so start-up fails fast. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string | undefined> = {};
  for (const key of settingNames()) {
    const v = env[key];
    picked[key] = v === '' ? undefined : v;
  }
  const parsed = settingsSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`));
  }
  return { ...parsed.data, localMode: !parsed.data.BOT_ID };
}

/** Names of every setting the product reads (used by the deployment-settings test). */
export function settingNames(): string[] {
  return Object.keys(settingsSchema.shape);
}
