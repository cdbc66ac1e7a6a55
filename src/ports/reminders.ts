import type { IsoDate } from '../domain/dates';

/** Open referrals with a statutory due date, as the sweep needs them. */
export interface OpenReferralClock {
  readonly reference: string;
  readonly schoolId: string;
  readonly initials: string;
  readonly ownerAadId: string;
  readonly clockId: string;
  readonly due: IsoDate;
}

/** A panel's next step assigned to someone (read from the panels feature's table when it exists). */
export interface OpenNextStep {
  readonly id: string;
  readonly reference: string;
  readonly ownerAadId: string;
  readonly text: string;
  readonly due: IsoDate;
}

export interface ReminderState {
  readonly doneAt?: string;
  readonly snoozedUntil?: IsoDate;
}

/** Completions and snoozes, per (subject key, due date): a new due date starts afresh. */
export interface ReminderStateStore {
  states(): Promise<ReadonlyMap<string, ReminderState>>;
  markDone(subject: string, due: IsoDate, by: string, at: Date): Promise<void>;
  snooze(subject: string, due: IsoDate, until: IsoDate, reason: string, by: string): Promise<void>;
  openReferralClocks(): Promise<OpenReferralClock[]>;
  openNextSteps(): Promise<OpenNextStep[]>;
  /** Users who chose a weekly digest instead of single reminders. */
  digestUsers(): Promise<ReadonlySet<string>>;
  setDigest(aadObjectId: string, on: boolean): Promise<void>;
}

export const stateKey = (subject: string, due: IsoDate): string => `${subject}|${due}`;

/** The next step a reminder subject is about (`step:<id>`, see stepItem), if it is one. */
export const nextStepIdOf = (subject: string): string | undefined => /^step:(\d+)$/.exec(subject)?.[1];
