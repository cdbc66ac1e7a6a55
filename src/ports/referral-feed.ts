/** Referrals of a route submitted since an instant, as the weekly EP digest needs them. */
export interface ReferralSummary {
  readonly reference: string;
  readonly schoolId: string;
  readonly initials: string;
  readonly areasOfNeed: readonly string[];
  readonly submittedAt: string;
}

export interface ReferralFeed {
  referralsSince(routeId: string, sinceIso: string): Promise<ReferralSummary[]>;
}
