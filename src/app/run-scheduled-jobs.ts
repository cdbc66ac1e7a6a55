import type { Clock } from '../ports/clock';
import type { JobStore } from '../ports/scheduling';

/** A piece of scheduled work: when it first runs, when it runs next after a run at `now`, and what it does. */
export interface ScheduledJob {
  readonly name: string;
  first(now: Date): Date;
  next(now: Date): Date;
  run(): Promise<unknown>;
}

/**
 * Run every job whose due time has come, once, and store its next due time computed from now: after downtime a job that
 * missed several slots runs once, not once per slot (DESIGN.md: "a restart catches up once"). Call it under the lease; the
 * conditional update keeps a second runner from advancing the same slot twice.
 */
export async function runScheduledJobs(deps: { jobs: JobStore; clock: Clock }, jobs: readonly ScheduledJob[]): Promise<string[]> {
  const ran: string[] = [];
  for (const job of jobs) {
    const now = deps.clock.now();
    const due = await deps.jobs.nextRun(job.name);
    if (!due) {
      await deps.jobs.setNextRun(job.name, job.first(now), undefined);
      if (job.first(now).getTime() > now.getTime()) continue;
    }
    const at = due ?? job.first(now);
    if (at.getTime() > now.getTime()) continue;
    // Claim the slot before running: if the process dies mid-run the work is not repeated in a burst (sweeps are idempotent anyway).
    if (!(await deps.jobs.setNextRun(job.name, job.next(now), now, at))) continue;
    await job.run();
    ran.push(job.name);
  }
  return ran;
}
