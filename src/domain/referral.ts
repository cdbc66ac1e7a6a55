import { z } from 'zod';
import { addDays, isIsoDate, type IsoDate } from './dates';
import { AGENCIES, ROUTE_IDS, ROUTES, type Agency, type ConsentRule, type RouteId } from './routes';
import type { ReferralStatus } from './lifecycle';
import { err, ok, type Result } from './result';

export const YEAR_GROUPS = [
  'pre-school', 'nursery', 'reception',
  'year-1', 'year-2', 'year-3', 'year-4', 'year-5', 'year-6', 'year-7', 'year-8', 'year-9', 'year-10', 'year-11', 'year-12', 'year-13',
  'further-education',
] as const;
export type YearGroup = (typeof YEAR_GROUPS)[number];

/** Areas of need (DOMAIN.md, "The graduated response"). */
export const AREAS_OF_NEED = ['asd', 'slc', 'cognition-learning', 'semh', 'sensory', 'physical-medical', 'adhd-spld'] as const;
export type AreaOfNeed = (typeof AREAS_OF_NEED)[number];

/** Graduated response: Universal → Universal Plus → Targeted → Specific (Wales); Levels 1–4 (Gloucestershire). */
export const STAGES = ['level-1', 'level-2', 'level-3', 'level-4'] as const;
export type Stage = (typeof STAGES)[number];

export const LANGUAGES_OF_EDUCATION = ['welsh', 'english', 'bilingual'] as const;
export const URGENCIES = ['routine', 'urgent'] as const;
export const CONSENT_GIVERS = ['parent', 'carer', 'young-person', 'corporate-parent'] as const;
export type ConsentGiver = (typeof CONSENT_GIVERS)[number];

export const TEXT_MAX = 2000;

/** Year groups past compulsory school age: the young person's own consent applies (ALNET Act 2018 s.11). */
export function isYoungPerson(year: YearGroup): boolean {
  return year === 'year-12' || year === 'year-13' || year === 'further-education';
}

// Messages are stable codes; adapters turn them into words in the user's language.
const required = { error: 'required' } as const;
const text = (max: number) => z.string({ error: 'required' }).trim().min(1, required).max(max, { error: 'tooLong' });
const choice = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: (i) => (i.input === undefined || i.input === '' ? 'required' : 'invalidChoice') });
const isoDate = z.string({ error: 'required' }).trim().min(1, required).refine(isIsoDate, { error: 'invalidDate' });
const list = <T extends readonly [string, ...string[]]>(values: T, min = 0) =>
  z
    .string({ error: 'required' })
    .transform((s) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))])
    .pipe(z.array(z.enum(values, { error: 'invalidChoice' })).min(min, required));
const optional = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

/**
 * The referral form as submitted: field names are the card's input ids. Strings in, typed values out.
 * Unknown fields are refused by the adapter before this runs.
 */
export const referralFormSchema = z.object({
  routeId: choice(ROUTE_IDS),
  schoolId: text(64),
  learnerRef: text(40),
  initials: z
    .string({ error: 'required' })
    .transform((s) => s.replace(/[\s.]/g, '').toUpperCase())
    .pipe(z.string().min(1, required).max(4, { error: 'invalidInitials' }).regex(/^\p{Lu}+$/u, { error: 'invalidInitials' })),
  yearGroup: choice(YEAR_GROUPS),
  dateOfBirth: isoDate,
  language: choice(LANGUAGES_OF_EDUCATION),
  upn: optional(
    z
      .string()
      .transform((s) => s.replace(/\s/g, '').toUpperCase())
      .pipe(z.string().regex(/^[A-Z]\d{11}[0-9A-Z]$/, { error: 'invalidUpn' })),
  ),
  lookedAfter: z
    .union([z.boolean(), z.enum(['true', 'false'])], { error: 'invalidChoice' })
    .optional()
    .transform((v) => v === true || v === 'true'),
  areasOfNeed: list(AREAS_OF_NEED, 1),
  stage: choice(STAGES),
  tried: text(TEXT_MAX),
  ask: text(TEXT_MAX),
  urgency: choice(URGENCIES),
  consentGivenBy: optional(choice(CONSENT_GIVERS)),
  consentDate: optional(isoDate),
  consentAgencies: optional(list(AGENCIES)),
  parentView: optional(z.string().trim().max(TEXT_MAX, { error: 'tooLong' })),
});

export type ReferralForm = z.output<typeof referralFormSchema>;
export const REFERRAL_FORM_FIELDS = Object.keys(referralFormSchema.shape) as (keyof ReferralForm)[];

export interface FieldError {
  readonly field: string;
  readonly code: string;
  readonly params?: Readonly<Record<string, string | number>>;
}

export interface Consent {
  readonly givenBy: ConsentGiver;
  readonly date: IsoDate;
  readonly agencies: readonly Agency[];
}

/** A validated referral, ready to store. */
export interface ReferralInput {
  readonly routeId: RouteId;
  readonly schoolId: string;
  readonly learner: {
    readonly localRef: string;
    readonly initials: string;
    readonly yearGroup: YearGroup;
    readonly dateOfBirth: IsoDate;
    readonly language: (typeof LANGUAGES_OF_EDUCATION)[number];
    readonly upn?: string;
    readonly lookedAfter: boolean;
  };
  readonly areasOfNeed: readonly AreaOfNeed[];
  readonly stage: Stage;
  readonly tried: string;
  readonly ask: string;
  readonly urgency: (typeof URGENCIES)[number];
  readonly consent?: Consent;
  readonly parentView?: string;
}

export interface ReferralRulesContext {
  /** The user's local date (Europe/London). */
  readonly today: IsoDate;
  /** School ids the user may refer for. */
  readonly allowedSchools: ReadonlySet<string>;
  /** Per-route consent rule overrides from the authority's configuration. */
  readonly consentRules?: Partial<Record<RouteId, ConsentRule>>;
}

/** Map zod issues to field errors with stable codes (first issue per field wins). */
export function fieldErrorsFromZod(error: z.ZodError): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '_form');
    if (seen.has(field)) continue;
    seen.add(field);
    const code = /^[a-zA-Z]+$/.test(issue.message) ? issue.message : 'invalid';
    const params: Record<string, number> = {};
    if (code === 'tooLong' && 'maximum' in issue) params.max = Number(issue.maximum);
    out.push({ field, code, params });
  }
  return out;
}

/**
 * Validate a submitted referral form: shape, then the rules that cross fields —
 * dates not in the future, the school is one the user may refer for, and consent where the law or route needs it:
 * a young person's consent before an ALN decision (ALNET Act 2018 s.11(4)); agreement to share before a multi-agency route.
 */
export function validateReferral(raw: unknown, ctx: ReferralRulesContext): Result<ReferralInput, FieldError[]> {
  const parsed = referralFormSchema.safeParse(raw);
  if (!parsed.success) return err(fieldErrorsFromZod(parsed.error));
  const f = parsed.data;
  const errors: FieldError[] = [];

  if (!ctx.allowedSchools.has(f.schoolId)) errors.push({ field: 'schoolId', code: 'notYourSchool' });
  if (f.dateOfBirth > ctx.today) errors.push({ field: 'dateOfBirth', code: 'dateInFuture' });
  else if (f.dateOfBirth < addDays(ctx.today, -26 * 366)) errors.push({ field: 'dateOfBirth', code: 'tooOld' });
  if (f.consentDate && f.consentDate > ctx.today) errors.push({ field: 'consentDate', code: 'dateInFuture' });

  const route = ROUTES[f.routeId];
  const rule = ctx.consentRules?.[f.routeId] ?? route.consent;
  const anyConsent = f.consentGivenBy !== undefined || f.consentDate !== undefined || (f.consentAgencies?.length ?? 0) > 0;
  if (route.alnDecision && isYoungPerson(f.yearGroup) && f.consentGivenBy !== 'young-person') {
    errors.push({ field: 'consentGivenBy', code: 'youngPersonConsentRequired' });
  } else if (rule === 'sharing' || anyConsent) {
    if (!f.consentGivenBy) errors.push({ field: 'consentGivenBy', code: rule === 'sharing' ? 'consentRequired' : 'required' });
  }
  if ((rule === 'sharing' || anyConsent || (route.alnDecision && isYoungPerson(f.yearGroup))) && !f.consentDate) {
    errors.push({ field: 'consentDate', code: 'required' });
  }
  if (rule === 'sharing' && (f.consentAgencies?.length ?? 0) === 0) errors.push({ field: 'consentAgencies', code: 'sharingRequired' });
  if (errors.length > 0) return err(errors);

  const consent: Consent | undefined =
    f.consentGivenBy && f.consentDate ? { givenBy: f.consentGivenBy, date: f.consentDate, agencies: f.consentAgencies ?? [] } : undefined;
  return ok({
    routeId: f.routeId,
    schoolId: f.schoolId,
    learner: {
      localRef: f.learnerRef,
      initials: f.initials,
      yearGroup: f.yearGroup,
      dateOfBirth: f.dateOfBirth,
      language: f.language,
      ...(f.upn ? { upn: f.upn } : {}),
      lookedAfter: f.lookedAfter,
    },
    areasOfNeed: f.areasOfNeed,
    stage: f.stage,
    tried: f.tried,
    ask: f.ask,
    urgency: f.urgency,
    ...(consent ? { consent } : {}),
    ...(f.parentView ? { parentView: f.parentView } : {}),
  });
}

/** A stored referral as the use cases see it. `upnHash` replaces the UPN: it is never stored or shown in clear. */
export interface Referral extends Omit<ReferralInput, 'learner'> {
  readonly reference: string;
  readonly learner: Omit<ReferralInput['learner'], 'upn'> & { readonly upnHash?: string };
  readonly status: ReferralStatus;
  readonly submittedBy: { readonly aadObjectId: string; readonly name: string };
  readonly submittedAt: string;
  readonly updatedAt: string;
  readonly version: number;
  readonly clock?: ReferralClock;
}

export interface ReferralClock {
  readonly clockId: string;
  readonly start: IsoDate;
  /** Absent when the due date could not be computed (e.g. term dates not configured that far). */
  readonly due?: IsoDate;
  readonly dueProblem?: string;
}
