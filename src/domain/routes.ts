/** Referral routes found in the councils' documents (DOMAIN.md, "Referral routes found in the seeds"). */
export const ROUTE_IDS = [
  'school-aln-decision',
  'la-idp',
  'la-panel-placement',
  'inclusion-panel-funding',
  'early-years-panel',
  'early-help-panel',
  'multi-agency-discussion',
  'specialist-outreach',
  'pru-entry',
] as const;
export type RouteId = (typeof ROUTE_IDS)[number];

export const AGENCIES = ['education', 'health', 'social-care', 'ep', 'third-sector'] as const;
export type Agency = (typeof AGENCIES)[number];

export type Country = 'wales' | 'england';

/**
 * What consent a route needs before it proceeds.
 * - `sharing`: agreement to share with other agencies is a precondition (multi-agency routes).
 * - `recorded`: the parent's view and information-sharing agreement are recorded, never a gate
 *   (the school's duty arises when the matter is brought to its attention: ALNET Act 2018 s.11),
 *   except that a young person's own consent is always required before an ALN decision.
 */
export type ConsentRule = 'sharing' | 'recorded';

export interface RouteDefinition {
  readonly id: RouteId;
  readonly consent: ConsentRule;
  /** Whether the route decides ALN (so a young person's consent is required: ALNET Act 2018 s.11(4)). */
  readonly alnDecision: boolean;
  /** The statutory clock the route starts, per country; absent = no statutory clock. */
  readonly clock: Partial<Record<Country, string>>;
}

const def = (id: RouteId, consent: ConsentRule, alnDecision: boolean, clock: Partial<Record<Country, string>> = {}): RouteDefinition => ({
  id,
  consent,
  alnDecision,
  clock,
});

/** Defaults; an authority may override the consent rule per route in its schools file. */
export const ROUTES: Readonly<Record<RouteId, RouteDefinition>> = {
  'school-aln-decision': def('school-aln-decision', 'recorded', true, { wales: 'wales-school-35sd' }),
  'la-idp': def('la-idp', 'recorded', true, { wales: 'wales-la-12w', england: 'england-ehc-decide-6w' }),
  'la-panel-placement': def('la-panel-placement', 'recorded', false),
  'inclusion-panel-funding': def('inclusion-panel-funding', 'recorded', false),
  'early-years-panel': def('early-years-panel', 'recorded', false),
  'early-help-panel': def('early-help-panel', 'sharing', false),
  'multi-agency-discussion': def('multi-agency-discussion', 'sharing', false),
  'specialist-outreach': def('specialist-outreach', 'sharing', false),
  'pru-entry': def('pru-entry', 'recorded', false),
};

/** The clock a route starts in a country, if any (ALN Code 2021, 20.x / SEND Code 2015, 9.14). */
export function clockForRoute(route: RouteId, country: Country): string | undefined {
  return ROUTES[route].clock[country];
}
