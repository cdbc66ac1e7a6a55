/**
 * Fault injection: seeded random faults plus one-shot scripted faults.
 *
 * Kinds:
 *  - '429'            throttled (Retry-After header, SharePoint-style activityLimitReached body); nothing applied
 *  - '503'            serviceNotAvailable with Retry-After; nothing applied
 *  - '504'            gateway timeout; nothing applied
 *  - 'drop'           the socket is destroyed before the request is applied (no response at all)
 *  - 'dropAfterApply' the request is applied, then the socket is destroyed (the write happened, the client never heard)
 *  - '412'            precondition failed as if someone else had edited the resource; only for requests carrying If-Match
 *
 * Inside a $batch, 'drop' and 'dropAfterApply' cannot happen to a single sub-request (there is no socket of
 * its own): random faults of those kinds are skipped there, and scripted ones are left for a later top-level request.
 */

export type FaultKind = '429' | '503' | '504' | 'drop' | 'dropAfterApply' | '412';

export const ALL_FAULT_KINDS: readonly FaultKind[] = ['429', '503', '504', 'drop', 'dropAfterApply', '412'];

export interface RandomFaultOptions {
  /** Probability in [0, 1] that an eligible request gets a fault. */
  rate: number;
  kinds: FaultKind[];
  /** Value of the Retry-After header on 429/503 (seconds). The simulator never sleeps for it. Default 2. */
  retryAfterSeconds?: number;
  /** PRNG seed; the same seed and the same request sequence give the same faults. Default 1. */
  seed?: number;
  /** Only requests whose method matches (case-insensitive) are eligible. */
  methods?: string[];
  /** Only requests whose path (relative to the version root, no query) matches are eligible. */
  path?: RegExp;
  /** Whether sub-requests inside a $batch are eligible (default true). */
  inBatch?: boolean;
  /** Whether the $batch envelope itself is eligible (default true). */
  batchEnvelope?: boolean;
}

export interface ScriptedFault {
  method: string;
  path: RegExp;
  kind: FaultKind;
  retryAfterSeconds: number;
  /** undefined: either; true: only inside a $batch; false: only top-level. */
  inBatch: boolean | undefined;
}

export interface FaultRequestInfo {
  method: string;
  path: string;
  inBatch: boolean;
  isBatchEnvelope: boolean;
  hasIfMatch: boolean;
}

export interface FaultDecision {
  kind: FaultKind;
  retryAfterSeconds: number;
  scripted: boolean;
}

/** mulberry32: tiny, fast, good enough for repeatable test faults. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function applicable(kind: FaultKind, info: FaultRequestInfo): boolean {
  if ((kind === 'drop' || kind === 'dropAfterApply') && info.inBatch) return false;
  if (kind === '412' && !info.hasIfMatch) return false;
  return true;
}

export class FaultInjector {
  private random: (RandomFaultOptions & { next: () => number }) | undefined;
  private scripted: ScriptedFault[] = [];

  /** Turns on seeded random faults (replacing any previous random configuration). */
  set(opts: RandomFaultOptions): void {
    if (!(opts.rate >= 0 && opts.rate <= 1)) throw new Error('faults.set: rate must be within [0, 1]');
    if (opts.kinds.length === 0) throw new Error('faults.set: kinds must not be empty');
    this.random = { ...opts, next: mulberry32(opts.seed ?? 1) };
  }

  /** Queues a one-shot fault for the next request matching method and path (checked before random faults). */
  next(method: string, path: RegExp, kind: FaultKind, opts: { retryAfterSeconds?: number; inBatch?: boolean } = {}): void {
    this.scripted.push({ method: method.toUpperCase(), path, kind, retryAfterSeconds: opts.retryAfterSeconds ?? 2, inBatch: opts.inBatch });
  }

  /** Turns off random faults and forgets scripted ones. */
  clear(): void {
    this.random = undefined;
    this.scripted = [];
  }

  /** Scripted faults not yet consumed. */
  pending(): readonly ScriptedFault[] {
    return this.scripted;
  }

  decide(info: FaultRequestInfo): FaultDecision | undefined {
    const idx = this.scripted.findIndex(
      (f) =>
        (f.method === '*' || f.method === info.method.toUpperCase()) &&
        f.path.test(info.path) &&
        (f.inBatch === undefined || f.inBatch === info.inBatch) &&
        applicable(f.kind, info),
    );
    if (idx !== -1) {
      const [f] = this.scripted.splice(idx, 1);
      if (f) return { kind: f.kind, retryAfterSeconds: f.retryAfterSeconds, scripted: true };
    }
    const r = this.random;
    if (!r) return undefined;
    if (info.isBatchEnvelope && r.batchEnvelope === false) return undefined;
    if (info.inBatch && r.inBatch === false) return undefined;
    if (r.methods && !r.methods.some((m) => m.toUpperCase() === info.method.toUpperCase())) return undefined;
    if (r.path && !r.path.test(info.path)) return undefined;
    // Always draw twice so the sequence of draws depends only on the sequence of eligible requests.
    const roll = r.next();
    const pick = r.next();
    if (roll >= r.rate) return undefined;
    const kind = r.kinds[Math.floor(pick * r.kinds.length)] as FaultKind;
    if (!applicable(kind, info)) return undefined;
    return { kind, retryAfterSeconds: r.retryAfterSeconds ?? 2, scripted: false };
  }
}
