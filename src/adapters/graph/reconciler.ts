import { finishDecision } from './panel-store';
import { GraphReferralStore, pendingOf, referenceOf, submitAuditKey } from './referral-store';
import { ListMissingError, type SharePointSite } from './site';

export interface ReconcileResult {
  readonly checked: number;
  readonly completed: number;
  /** Panel decisions left pending by a decide that stopped half way, finished now (present when > 0). */
  readonly decisions?: number;
}

/**
 * Finish panel decisions still 'pending' (their item written, the next steps, messages, audit entry, agenda item,
 * referral status or the final mark not): one indexed query, then the idempotent finishDecision for each decided
 * more than `minAgeMs` ago (a decide in flight is left to finish itself). A site without the Decisions list has none.
 */
export async function finishPendingDecisions(site: SharePointSite, now: Date, minAgeMs = 60_000): Promise<{ checked: number; finished: number }> {
  let pending;
  try {
    pending = await site.query('decisions', "fields/State eq 'pending'");
  } catch (e) {
    if (e instanceof ListMissingError) return { checked: 0, finished: 0 };
    throw e;
  }
  const cutoff = new Date(now.getTime() - minAgeMs).toISOString();
  let finished = 0;
  for (const d of pending) {
    if (String(d.fields['DecidedAt'] ?? '') > cutoff) continue;
    await finishDecision(site, d);
    finished++;
  }
  return { checked: pending.length, finished };
}

/**
 * Finishes submits that stopped half way (referral item written, messages or audit entry not): a submit is complete
 * when its audit entry (`submit:<key>`) exists, and that entry is written only after its messages. Reads three
 * indexed queries for the window, then redoes the idempotent second step for each unfinished referral. Then
 * finishes panel decisions left pending (finishPendingDecisions; `now` dates them).
 */
export async function reconcile(site: SharePointSite, since: Date, now: Date = new Date()): Promise<ReconcileResult> {
  const submits = await reconcileSubmits(site, since);
  const { finished } = await finishPendingDecisions(site, now);
  return { ...submits, ...(finished > 0 ? { decisions: finished } : {}) };
}

async function reconcileSubmits(site: SharePointSite, since: Date): Promise<ReconcileResult> {
  const iso = since.toISOString();
  const referrals = await site.query('referrals', `fields/SubmittedAt ge '${iso}'`, { select: ['IdempotencyKey', 'Reference', 'Prefix', 'RefYear', 'Pending', 'SubmittedAt'] });
  if (referrals.length === 0) return { checked: 0, completed: 0 };
  const audits = await site.query('audit', `fields/Action eq 'referral.submit' and fields/At ge '${new Date(since.getTime() - 3600_000).toISOString()}'`, { select: ['EntryKey'] });
  const done = new Set(audits.map((a) => String(a.fields['EntryKey'])));
  const store = new GraphReferralStore(site);
  let completed = 0;
  for (const r of referrals) {
    const key = String(r.fields['IdempotencyKey']);
    if (done.has(submitAuditKey(key))) continue;
    const pending = pendingOf(r);
    if (!pending) continue; // imported: nothing left to write
    await store.complete(referenceOf(r), key, pending);
    completed++;
  }
  return { checked: referrals.length, completed };
}

/** Run the reconciler now and then every `intervalMs`, looking back `windowMs`; errors are reported, not thrown. */
export function startReconciler(site: SharePointSite, opts: { intervalMs: number; windowMs: number; now: () => Date; onResult: (r: ReconcileResult) => void; onError: (e: unknown) => void; firstWindowMs?: number }): { stop(): void; first: Promise<void> } {
  const run = (windowMs: number) =>
    reconcile(site, new Date(opts.now().getTime() - windowMs), opts.now()).then(opts.onResult, opts.onError);
  const first = run(opts.firstWindowMs ?? opts.windowMs);
  const timer = setInterval(() => void run(opts.windowMs), opts.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer), first };
}
