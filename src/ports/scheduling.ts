/** A named lease (holder + expiry) so that of several bot instances on one store only one sends and sweeps. */
export interface LeaseStore {
  /** Take or renew the lease for `ttlMs`; false when another holder's lease has not expired. */
  acquire(name: string, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
}

/** Due work kept in the store, not in timers: a restart finds what is due and runs it once. */
export interface JobStore {
  nextRun(name: string): Promise<Date | undefined>;
  /** Set the next run; `ifNextRun` makes it conditional on the value read (so two runners cannot both advance it). */
  setNextRun(name: string, next: Date, lastRun: Date | undefined, ifNextRun?: Date): Promise<boolean>;
}
