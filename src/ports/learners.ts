import type { IsoDate } from '../domain/dates';
import type { YearGroup } from '../domain/clocks/milestones';

export type IdpMaintainer = 'school' | 'la';

/** A learner with an IDP, as a school keeps them: school + local reference is the key; the UPN only as a keyed hash. */
export interface Learner {
  readonly id: number;
  readonly schoolId: string;
  readonly localRef: string;
  readonly initials: string;
  readonly upnHash?: string;
  readonly dateOfBirth: IsoDate;
  /** The year group as recorded, in the academic year (starting 1 September) it was recorded: the current one is derived. */
  readonly yearGroup: YearGroup;
  readonly yearGroupAcademicYear: number;
  readonly idpIssuedOn?: IsoDate;
  readonly idpMaintainedBy: IdpMaintainer;
  readonly alncoAadId: string;
}

export type NewLearner = Omit<Learner, 'id'>;

export interface LearnerStore {
  /** Insert or update by (school, local reference), all in one transaction; returns how many were new. */
  upsertMany(learners: readonly NewLearner[], at: Date): Promise<{ created: number; updated: number }>;
  get(schoolId: string, localRef: string): Promise<Learner | undefined>;
  byId(id: number): Promise<Learner | undefined>;
  /** Record an IDP issue or revision date (restarts the 12-month review clock). */
  setIdpIssued(id: number, issuedOn: IsoDate, at: Date): Promise<void>;
  /** The learners an ALNCo is named for. */
  byAlnco(aadObjectId: string): Promise<Learner[]>;
  /** Every learner, in pages, for the reminder sweep. */
  scan(afterId: number, limit: number): Promise<Learner[]>;
}
