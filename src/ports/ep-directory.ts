/** Educational Psychologists and the schools they link with (DOMAIN.md: EPs cross-reference Early Help Panel referrals). */
export interface EpDirectory {
  isEp(aadObjectId: string): boolean;
  /** EPs linked to a school, from the EPs file and their own /ep schools choices. */
  epsForSchool(schoolId: string): Promise<readonly string[]>;
  /** EPs who said they know this learner on an earlier referral: same school + local reference, or the same UPN hash anywhere. */
  epsInvolvedWith(learner: { schoolId: string; localRef: string; upnHash?: string }): Promise<readonly string[]>;
  schoolsOf(aadObjectId: string): Promise<readonly string[]>;
  setOwnSchools(aadObjectId: string, schoolIds: readonly string[]): Promise<void>;
  /** The EPs' answers on a referral, for the Early Help Panel coordinator. */
  answers(reference: string): Promise<{ epAadId: string; name?: string; answer: 'known' | 'not-known'; at: string }[]>;
  recordAnswer(answer: { reference: string; epAadId: string; answer: 'known' | 'not-known'; schoolId: string; localRef: string; upnHash?: string; at: Date }): Promise<void>;
}
