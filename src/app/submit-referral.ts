import { londonDate } from '../domain/dates';
import { validateReferral, type FieldError, type Referral, type ReferralClock } from '../domain/referral';
import { clockForRoute } from '../domain/routes';
import { err, ok, type Result } from '../domain/result';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { Hasher } from '../ports/hasher';
import type { ReferralStore } from '../ports/referral-store';
import type { StatutoryClocks } from '../ports/statutory-clocks';
import type { Actor } from './actor';

export interface SubmitReferralDeps {
  readonly directory: Directory;
  readonly referrals: ReferralStore;
  readonly clocks: StatutoryClocks;
  readonly hasher: Hasher;
  readonly clock: Clock;
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
  const at = now.toISOString();
  const referral: Omit<Referral, 'reference'> = {
    ...input,
    learner: { ...learner, ...(upn ? { upnHash: deps.hasher.hash(upn) } : {}) },
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
        target: { kind: 'route', routeId: input.routeId },
        // Shared channels see only the reference, initials and route (DOMAIN.md, "Privacy").
        payload: { template: 'case-card', data: { reference: '{reference}', initials: input.learner.initials, routeId: input.routeId } },
      },
    ],
  });
  return ok(stored);
}
