import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock';
import type { LeaseStore } from '../../ports/scheduling';
import type { Logger } from '../log';

export interface LeasedWork {
  /**
   * Runs one round under the lease; `againInMs` asks for the next round sooner than the poll interval (0 = at once).
   * `held()` turns false when a renewal finds another instance took the lease: the round should stop sending.
   */
  (round: { held(): boolean }): Promise<{ againInMs?: number } | void>;
}

/**
 * Background work that only one process does at a time: each round first takes or renews the lease (a row with holder and
 * expiry); a process that cannot get it waits and tries again, so when the holder stops or dies another takes over within
 * one TTL. Rounds never overlap; stop() waits for a running round and gives the lease up.
 */
export function startLeasedWorker(opts: {
  name: string;
  leases: LeaseStore;
  clock: Clock;
  ttlMs: number;
  pollMs: number;
  log: Logger;
  work: LeasedWork;
}): { stop(): Promise<void>; holder: string; isHolder(): boolean } {
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let stopped = false;
  let held = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const round = async (): Promise<number> => {
    let got: boolean;
    try {
      got = await opts.leases.acquire(opts.name, holder, opts.clock.now(), opts.ttlMs);
    } catch (e) {
      // The store did not answer (e.g. SharePoint throttling past the retry budget): do no work this round, believe
      // nothing about the lease, and try again after the poll interval.
      held = false;
      throw e;
    }
    if (got !== held) {
      held = got;
      opts.log.info({ event: got ? 'lease.acquired' : 'lease.lost', lease: opts.name, holder }, got ? 'this instance now sends and sweeps' : 'another instance holds the lease');
    }
    if (!got) return opts.pollMs;
    // Renewed while working, so a long round (a big sweep) never outlives the lease. A renewal that fails or finds
    // another holder ends the round's sending (held() turns false); a failure never escapes as an unhandled rejection.
    let stillHeld = true;
    const heartbeat = setInterval(() => {
      opts.leases.acquire(opts.name, holder, opts.clock.now(), opts.ttlMs).then(
        (still) => {
          if (still) return;
          stillHeld = false;
          held = false;
          opts.log.warn({ event: 'lease.lost', lease: opts.name, holder }, 'lease lost while working: this round stops');
        },
        (e: unknown) => {
          stillHeld = false;
          opts.log.warn({ event: 'lease.renew_failed', lease: opts.name, holder, err: { name: (e as Error).name } }, 'lease renewal failed: this round stops');
        },
      );
    }, Math.max(50, Math.floor(opts.ttlMs / 3)));
    heartbeat.unref();
    try {
      const r = await opts.work({ held: () => stillHeld });
      return Math.min(opts.pollMs, (r && r.againInMs) ?? opts.pollMs);
    } finally {
      clearInterval(heartbeat);
    }
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round()
        .catch((e: unknown) => {
          opts.log.error({ event: `${opts.name}.error`, err: { name: (e as Error).name, message: String((e as Error).message).slice(0, 300) } }, `${opts.name} failed`);
          return opts.pollMs;
        })
        .then((next) => {
          running = undefined;
          schedule(next);
        });
    }, ms);
    timer.unref();
  };
  schedule(0);

  return {
    holder,
    isHolder: () => held,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      if (held) await opts.leases.release(opts.name, holder);
    },
  };
}
