import { z } from 'zod';
import { isIsoDate, type IsoDate } from './dates';
import { err, ok, type Result } from './result';
import { AGENCIES, ROUTE_IDS, type Agency, type RouteId } from './routes';

/** Panels as the councils run them (DOMAIN.md, "How panels decide"): members recommend, the chair decides with reasons. */
export const PANEL_KINDS = ['MAMS', 'TALC', 'InterventionCircle', 'EarlyHelpPanel', 'LAPanel', 'InclusionPanel', 'EarlyYearsPanel'] as const;
export type PanelKind = (typeof PANEL_KINDS)[number];
export const CADENCES = ['weekly', 'fortnightly', 'monthly', 'termly'] as const;
export const MEMBER_ROLES = ['chair', 'coordinator', 'member', 'ep'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export interface PanelMember {
  readonly aadObjectId: string;
  readonly name: string;
  readonly role: MemberRole;
  readonly agency: Agency;
}

export interface Panel {
  readonly id: string;
  readonly name: { readonly en: string; readonly cy: string };
  readonly kind: PanelKind;
  readonly routes: readonly RouteId[];
  /** Only referrals from schools in these clusters (e.g. one MAMS per secondary cluster); absent = all. */
  readonly clusters?: readonly string[];
  readonly cadence: (typeof CADENCES)[number];
  readonly quorum: { readonly minMembers: number; readonly agencies?: readonly Agency[] };
  readonly members: readonly PanelMember[];
}

export const RECOMMENDATIONS = ['support', 'not-support', 'more-information', 'refer-elsewhere'] as const;
export type RecommendationValue = (typeof RECOMMENDATIONS)[number];

/** One member's recommendation on one agenda item; a declared interest is recorded and shown but never counted. */
export interface Recommendation {
  readonly itemId: number;
  readonly member: string;
  readonly value: RecommendationValue | null;
  readonly otherRoute?: RouteId;
  readonly comment?: string;
  readonly conflict: boolean;
  readonly at: string;
}

export const OUTCOMES = ['agreed', 'not-agreed', 'agreed-with-changes', 'deferred', 'referred-elsewhere'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface NextStep {
  readonly owner: string;
  readonly text: string;
  readonly due: IsoDate;
}

export interface Decision {
  readonly outcome: Outcome;
  readonly reasons: string;
  readonly lead: string;
  readonly nextSteps: readonly NextStep[];
  readonly quorumOverrideReason?: string;
  readonly decidedBy: string;
  readonly decidedAt: string;
}

export function memberOf(panel: Panel, aadObjectId: string): PanelMember | undefined {
  return panel.members.find((m) => m.aadObjectId === aadObjectId);
}

/** Members recommend; EPs sit on panels as members (DOMAIN.md). */
export function mayRecommend(panel: Panel, aadObjectId: string): boolean {
  return memberOf(panel, aadObjectId) !== undefined;
}

/** Only the chair, or the coordinator acting for them, records the decision (DOMAIN.md, "How panels decide"). */
export function mayDecide(panel: Panel, aadObjectId: string): boolean {
  const role = memberOf(panel, aadObjectId)?.role;
  return role === 'chair' || role === 'coordinator';
}

export interface Tally {
  readonly counts: Readonly<Record<RecommendationValue, number>>;
  /** Members whose recommendation counts (responded, no declared interest). */
  readonly counted: number;
  readonly conflicts: readonly string[];
  readonly responded: readonly string[];
  readonly awaiting: readonly string[];
  readonly quorum: { readonly met: boolean; readonly missingMembers: number; readonly missingAgencies: readonly Agency[] };
}

/** Derive the tally from the recommendations (never stored): conflicts are shown and excluded; quorum counts members and agencies. */
export function tally(panel: Panel, recommendations: readonly Recommendation[]): Tally {
  const counts: Record<RecommendationValue, number> = { support: 0, 'not-support': 0, 'more-information': 0, 'refer-elsewhere': 0 };
  const members = new Map(panel.members.map((m) => [m.aadObjectId, m]));
  const current = new Map<string, Recommendation>();
  for (const r of recommendations) if (members.has(r.member)) current.set(r.member, r);
  const conflicts: string[] = [];
  const agencies = new Set<Agency>();
  let counted = 0;
  for (const r of current.values()) {
    if (r.conflict) {
      conflicts.push(r.member);
      continue;
    }
    if (!r.value) continue;
    counts[r.value]++;
    counted++;
    agencies.add(members.get(r.member)!.agency);
  }
  const responded = [...current.keys()];
  const awaiting = panel.members.map((m) => m.aadObjectId).filter((id) => !current.has(id));
  const missingAgencies = (panel.quorum.agencies ?? []).filter((a) => !agencies.has(a));
  const missingMembers = Math.max(0, panel.quorum.minMembers - counted);
  return { counts, counted, conflicts, responded, awaiting, quorum: { met: missingMembers === 0 && missingAgencies.length === 0, missingMembers, missingAgencies } };
}

const text = (max: number) => z.string({ error: 'required' }).trim().min(1, { error: 'required' }).max(max, { error: 'tooLong' });

/** The chair's decision form: field names are the card's input ids (next steps in up to three rows). */
export const decisionFormSchema = z.object({
  outcome: z.enum(OUTCOMES, { error: (i) => (i.input === undefined || i.input === '' ? 'required' : 'invalidChoice') }),
  reasons: text(4000),
  lead: text(200),
  quorumOverrideReason: z.string().trim().max(1000, { error: 'tooLong' }).optional(),
  step1Owner: z.string().trim().max(64).optional(),
  step1Text: z.string().trim().max(500, { error: 'tooLong' }).optional(),
  step1Due: z.string().trim().optional(),
  step2Owner: z.string().trim().max(64).optional(),
  step2Text: z.string().trim().max(500, { error: 'tooLong' }).optional(),
  step2Due: z.string().trim().optional(),
  step3Owner: z.string().trim().max(64).optional(),
  step3Text: z.string().trim().max(500, { error: 'tooLong' }).optional(),
  step3Due: z.string().trim().optional(),
});
export const DECISION_FORM_FIELDS = Object.keys(decisionFormSchema.shape);

export interface DecisionFieldError {
  readonly field: string;
  readonly code: string;
}

/**
 * Validate the chair's decision: reasons always; each next step needs an owner, what to do and a due date not in
 * the past; closing without quorum needs a recorded reason (DOMAIN.md, "How panels decide").
 */
export function validateDecision(
  raw: unknown,
  ctx: { today: IsoDate; quorumMet: boolean; owners: ReadonlySet<string> },
): Result<Omit<Decision, 'decidedBy' | 'decidedAt'>, DecisionFieldError[]> {
  const parsed = decisionFormSchema.safeParse(raw);
  const errors: DecisionFieldError[] = [];
  const seen = new Set<string>();
  const add = (e: DecisionFieldError) => {
    if (!seen.has(e.field)) {
      seen.add(e.field);
      errors.push(e);
    }
  };
  if (!parsed.success) {
    for (const i of parsed.error.issues) add({ field: String(i.path[0] ?? '_form'), code: /^[a-zA-Z]+$/.test(i.message) ? i.message : 'invalid' });
  }
  // Next steps and the quorum reason are checked even when other fields failed, so every problem shows at once.
  const f = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string).trim() : '');
  const steps: NextStep[] = [];
  for (const n of [1, 2, 3] as const) {
    const owner = str(`step${n}Owner`);
    const what = str(`step${n}Text`);
    const due = str(`step${n}Due`);
    if (!owner && !what && !due) continue;
    if (!owner) add({ field: `step${n}Owner`, code: 'required' });
    else if (!ctx.owners.has(owner)) add({ field: `step${n}Owner`, code: 'invalidChoice' });
    if (!what) add({ field: `step${n}Text`, code: 'required' });
    if (!due) add({ field: `step${n}Due`, code: 'required' });
    else if (!isIsoDate(due)) add({ field: `step${n}Due`, code: 'invalidDate' });
    else if (due < ctx.today) add({ field: `step${n}Due`, code: 'dateInPast' });
    if (owner && what && due) steps.push({ owner, text: what.slice(0, 500), due });
  }
  if (!ctx.quorumMet && !str('quorumOverrideReason')) add({ field: 'quorumOverrideReason', code: 'quorumReasonRequired' });
  if (errors.length > 0 || !parsed.success) return err(errors);
  const d = parsed.data;
  return ok({
    outcome: d.outcome,
    reasons: d.reasons,
    lead: d.lead,
    nextSteps: steps,
    ...(!ctx.quorumMet && d.quorumOverrideReason ? { quorumOverrideReason: d.quorumOverrideReason } : {}),
  });
}

/** The recommendation a member sends from the card. */
export const recommendationSchema = z.strictObject({
  itemId: z.coerce.number().int().positive(),
  value: z.enum([...RECOMMENDATIONS, 'conflict']),
  otherRoute: z.preprocess((v) => (v === '' ? undefined : v), z.enum(ROUTE_IDS).optional()),
  comment: z.string().trim().max(1000).optional(),
});

export { AGENCIES };
