import { londonDate } from '../domain/dates';
import { validateReferral, type FieldError, type Referral, type ReferralClock } from '../domain/referral';
import { clockForRoute } from '../domain/routes';
import { err, ok, type Result } from '../domain/result';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { EpDirectory } from '../ports/ep-directory';
import type { Hasher } from '../ports/hasher';
import type { NewOutboxMessage } from '../ports/outbox';
import type { ReferralStore } from '../ports/referral-store';
import type { StatutoryClocks } from '../ports/statutory-clocks';
import type { Actor } from './actor';

export interface SubmitReferralDeps {
  readonly directory: Directory;
  readonly referrals: ReferralStore;
  readonly clocks: StatutoryClocks;
  readonly hasher: Hasher;
  readonly clock: Clock;
  /** EPs to tell about Early Help Panel referrals (their link schools, or a learner they know). */
  readonly eps?: EpDirectory;
  /** The next meeting date of the panel that takes a route for a school, when one is set (shown on EP cards). */
  nextPanelDate?(routeId: string, schoolId: string): Promise<string | undefined>;
}

export type SubmitReferralError =
  | { readonly code: 'REFERRAL.NOT_ALNCO'; readonly contact: string }
  | { readonly code: 'REFERRAL.INVALID'; readonly fieldErrors: readonly FieldError[] };

/**
 * An ALNCo submits a referral: validate, start the route's statutory clock, and store referral, audit entry and
 * the case card for the panel's channel as one unit. The same idempotency key always yields the same referral.
 */
export async function submitReferral(
  deps: SubmitReferralDeps,
  actor: Actor,
  form: unknown,
  idempotencyKey: string,
): Promise<Result<{ referral: Referral; created: boolean }, SubmitReferralError>> {
  const schools = deps.directory.schoolsFor(actor.aadObjectId);
  if (schools.length === 0) return err({ code: 'REFERRAL.NOT_ALNCO', contact: deps.directory.contact() });

  const now = deps.clock.now();
  const today = londonDate(now);
  const authority = deps.directory.authority();
  const valid = validateReferral(form, {
    today,
    allowedSchools: new Set(schools.map((s) => s.id)),
    consentRules: authority.consentRules,
  });
  if (!valid.ok) return err({ code: 'REFERRAL.INVALID', fieldErrors: valid.error });
  const input = valid.value;

  // The matter is brought to the school's / LA's attention on the day the referral arrives.
  const clockId = clockForRoute(input.routeId, authority.country);
  let clock: ReferralClock | undefined;
  if (clockId) {
    const due = deps.clocks.due(clockId, today, input.schoolId);
    clock = due.ok ? { clockId, start: today, due: due.due } : { clockId, start: today, dueProblem: due.problem };
  }

  const { upn, ...learner } = input.learner;
  const upnHash = upn ? deps.hasher.hash(upn) : undefined;
  const at = now.toISOString();
  const epCards = input.routeId === 'early-help-panel' && deps.eps ? await epMatchCards(deps.eps, input, learner.localRef, upnHash, await deps.nextPanelDate?.(input.routeId, input.schoolId)) : [];
  const referral: Omit<Referral, 'reference'> = {
    ...input,
    learner: { ...learner, ...(upnHash ? { upnHash } : {}) },
    status: 'submitted',
    submittedBy: { aadObjectId: actor.aadObjectId, name: actor.name },
    submittedAt: at,
    updatedAt: at,
    version: 1,
    ...(clock ? { clock } : {}),
  };

  const stored = await deps.referrals.submit({
    idempotencyKey,
    prefix: authority.id,
    year: Number(today.slice(0, 4)),
    referral,
    audit: { at, actor: actor.aadObjectId, action: 'referral.submit', recordType: 'referral', correlationId: actor.correlationId, detail: { route: input.routeId } },
    outbox: [
      {
        key: 'case-card:{reference}',
        target: { kind: 'route', routeId: input.routeId, schoolId: input.schoolId },
        // Shared channels see only the reference, initials and route (DOMAIN.md, "Privacy").
        payload: { template: 'case-card', data: { reference: '{reference}', initials: input.learner.initials, routeId: input.routeId } },
      },
      ...epCards,
    ],
  });
  return ok(stored);
}

/**
 * Early Help Panel: a 1:1 card to each EP linked to the learner's school and each EP who knew this learner on an earlier
 * referral (same school and local reference, or the same UPN anywhere), queued with the referral (DOMAIN.md: the nominated
 * EP cross-references EHP referrals). Personal chats only, so school and areas of need may be shown.
 */
async function epMatchCards(
  eps: EpDirectory,
  input: { schoolId: string; learner: { initials: string }; areasOfNeed: readonly string[] },
  localRef: string,
  upnHash: string | undefined,
  panelDate: string | undefined,
): Promise<NewOutboxMessage[]> {
  const linked = await eps.epsForSchool(input.schoolId);
  const involved = await eps.epsInvolvedWith({ schoolId: input.schoolId, localRef, ...(upnHash ? { upnHash } : {}) });
  const reasons = new Map<string, 'link-school' | 'known-learner'>();
  for (const ep of involved) reasons.set(ep, 'known-learner');
  for (const ep of linked) if (!reasons.has(ep)) reasons.set(ep, 'link-school');
  return [...reasons].map(([ep, reason]) => ({
    key: `ep-match:{reference}:${ep}`,
    target: { kind: 'user', aadObjectId: ep },
    payload: { template: 'ep-match', data: { reference: '{reference}', initials: input.learner.initials, schoolId: input.schoolId, areasOfNeed: [...input.areasOfNeed], reason, ...(panelDate ? { panelDate } : {}) } },
  }));
}
