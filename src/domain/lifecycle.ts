import { err, ok, type Result } from './result';

/** Referral lifecycle: draft → submitted → on-agenda → decided → closed, and withdrawn from any open state. */
export const REFERRAL_STATUSES = ['draft', 'submitted', 'on-agenda', 'decided', 'closed', 'withdrawn'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

const TRANSITIONS: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  draft: ['submitted', 'withdrawn'],
  submitted: ['on-agenda', 'decided', 'withdrawn'],
  'on-agenda': ['submitted', 'decided', 'withdrawn'], // back to submitted when deferred off an agenda
  decided: ['closed', 'on-agenda'], // on-agenda again when a decision is "deferred" or reopened by the panel
  closed: [],
  withdrawn: [],
};

export type TransitionError = { code: 'REFERRAL.ILLEGAL_TRANSITION'; from: ReferralStatus; to: ReferralStatus };

/** Whether a referral may move from one status to another (the lifecycle above). */
export function transition(from: ReferralStatus, to: ReferralStatus): Result<ReferralStatus, TransitionError> {
  return TRANSITIONS[from].includes(to) ? ok(to) : err({ code: 'REFERRAL.ILLEGAL_TRANSITION', from, to });
}

export function allowedNext(from: ReferralStatus): readonly ReferralStatus[] {
  return TRANSITIONS[from];
}

export function isOpen(status: ReferralStatus): boolean {
  return status !== 'closed' && status !== 'withdrawn';
}
