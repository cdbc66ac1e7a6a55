/** One sliding window: at most `limit` sends in any `ms` milliseconds. */
export interface RateWindow {
  readonly limit: number;
  readonly ms: number;
}

/** Teams' published limits per bot per conversation (7/1 s, 8/2 s, 60/30 s, 1,800/hour). */
export const TEAMS_CONVERSATION_LIMITS: readonly RateWindow[] = [
  { limit: 7, ms: 1000 },
  { limit: 8, ms: 2000 },
  { limit: 60, ms: 30_000 },
  { limit: 1800, ms: 3_600_000 },
];
/** Teams' per-app-per-tenant limit as documented in older pages (30/s); newer pages say 50/s. The lower is the safe default. */
export const TEAMS_APP_LIMITS: readonly RateWindow[] = [{ limit: 30, ms: 1000 }];

/**
 * Sliding-window limits per key (a conversation, or the whole app): a send is allowed only if every window has room.
 * Time comes in as milliseconds so tests drive it; nothing here sleeps.
 */
export class SlidingWindowLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly blocked = new Map<string, number>();
  private readonly longest: number;

  constructor(private readonly windows: readonly RateWindow[]) {
    this.longest = Math.max(0, ...windows.map((w) => w.ms));
  }

  /** 0 when a send is allowed now, else how long until it is. */
  waitMs(key: string, nowMs: number): number {
    const times = this.prune(key, nowMs);
    const until = this.blocked.get(key);
    if (until !== undefined && until <= nowMs) this.blocked.delete(key);
    let wait = until !== undefined && until > nowMs ? until - nowMs : 0;
    for (const w of this.windows) {
      const inWindow = countSince(times, nowMs - w.ms);
      if (inWindow >= w.limit) {
        // the oldest send that must leave the window before another fits
        const oldest = times[times.length - w.limit]!;
        wait = Math.max(wait, oldest + w.ms - nowMs + 1);
      }
    }
    return wait;
  }

  record(key: string, nowMs: number): void {
    let times = this.sent.get(key);
    if (!times) this.sent.set(key, (times = []));
    times.push(nowMs);
  }

  /**
   * Move a recorded send from when it started to when it finished: the service counts a request when it arrives, which is
   * somewhere in between, so counting from the finish keeps the next window's sends from overlapping this one's.
   */
  settle(key: string, startedMs: number, finishedMs: number): void {
    const times = this.sent.get(key);
    if (!times) return;
    const i = times.lastIndexOf(startedMs);
    if (i < 0) return;
    times.splice(i, 1);
    let at = times.length;
    while (at > 0 && times[at - 1]! > finishedMs) at--;
    times.splice(at, 0, finishedMs);
  }

  /** The service said "not before" (a 429 with Retry-After): hold every send on this key until then. */
  block(key: string, untilMs: number): void {
    this.blocked.set(key, Math.max(untilMs, this.blocked.get(key) ?? 0));
  }

  /** Allowed now? Then it is recorded. */
  tryAcquire(key: string, nowMs: number): number {
    const wait = this.waitMs(key, nowMs);
    if (wait === 0) this.record(key, nowMs);
    return wait;
  }

  private prune(key: string, nowMs: number): number[] {
    const times = this.sent.get(key);
    if (!times) return [];
    const cut = countSince(times, nowMs - this.longest);
    if (cut < times.length) times.splice(0, times.length - cut);
    if (times.length === 0) this.sent.delete(key);
    return times;
  }
}

/** How many sorted timestamps are after `since` (binary search). */
function countSince(times: readonly number[], since: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! > since) hi = mid;
    else lo = mid + 1;
  }
  return times.length - lo;
}
