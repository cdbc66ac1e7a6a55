import type { IsoDate } from '../../domain/dates';
import { nextStepIdOf, stateKey, type OpenNextStep, type OpenReferralClock, type ReminderState, type ReminderStateStore } from '../../ports/reminders';
import { referralOf } from './referral-store';
import type { ListKey } from './schema';
import { lit, str, type Fields, type SharePointSite } from './site';

/** Keyed create; when the key is already there (409), a conditional update of that item instead. */
async function createOrChange(site: SharePointSite, list: ListKey, keyColumn: string, key: string, create: Fields, change: Fields): Promise<void> {
  const { item, created } = await site.createKeyed(list, keyColumn, { Title: key.slice(0, 255), [keyColumn]: key, ...create });
  if (!created) await site.update(list, item.id, () => change, item);
}

/** The statuses of a referral whose statutory clock is still running (as SqliteReminderStore). */
const OPEN_STATUSES = ['submitted', 'on-agenda'] as const;

/**
 * Reminder completions and snoozes on "Inclusion Reminder States" (one item per subject and due date, unique
 * StateKey), open referral clocks from the Referrals list, open panel next steps from the Next Steps list (a step's
 * id is its item id), and the weekly-digest choice in the Digest column of the user's Preferences item.
 */
export class GraphReminderStore implements ReminderStateStore {
  constructor(private readonly site: SharePointSite) {}

  async states(): Promise<ReadonlyMap<string, ReminderState>> {
    const out = new Map<string, ReminderState>();
    for (const { fields: f } of await this.site.query('reminderStates', '', { select: ['Subject', 'Due', 'DoneAt', 'SnoozedUntil'] })) {
      const doneAt = str(f['DoneAt']);
      const snoozedUntil = str(f['SnoozedUntil']);
      out.set(stateKey(String(f['Subject']), String(f['Due'])), { ...(doneAt ? { doneAt } : {}), ...(snoozedUntil ? { snoozedUntil } : {}) });
    }
    return out;
  }

  /** Done: recorded for this due date; for a panel next step (`step:<id>`) the step itself is closed too. */
  async markDone(subject: string, due: IsoDate, by: string, at: Date): Promise<void> {
    const done = { DoneAt: at.toISOString(), DoneBy: by };
    await createOrChange(this.site, 'reminderStates', 'StateKey', stateKey(subject, due), { Subject: subject, Due: due, ...done }, done);
    const stepId = nextStepIdOf(subject);
    if (stepId) {
      // Both writes are idempotent: a retry after a failure between them finishes the job.
      await this.site.update('nextSteps', stepId, (current) => (current['State'] === 'done' ? undefined : { State: 'done', DoneAt: at.toISOString() }));
    }
  }

  async snooze(subject: string, due: IsoDate, until: IsoDate, reason: string, by: string): Promise<void> {
    const snoozed = { SnoozedUntil: until, SnoozeReason: reason };
    await createOrChange(this.site, 'reminderStates', 'StateKey', stateKey(subject, due), { Subject: subject, Due: due, ...snoozed, DoneBy: by }, snoozed);
  }

  async openReferralClocks(): Promise<OpenReferralClock[]> {
    const select = ['Reference', 'Prefix', 'RefYear', 'Body'];
    const pages = await Promise.all(OPEN_STATUSES.map((s) => this.site.query('referrals', `fields/Status eq ${lit(s)}`, { select })));
    const out: OpenReferralClock[] = [];
    for (const item of pages.flat()) {
      const r = referralOf(item);
      if (!r.clock?.due || !(OPEN_STATUSES as readonly string[]).includes(r.status)) continue;
      out.push({ reference: r.reference, schoolId: r.schoolId, initials: r.learner.initials, ownerAadId: r.submittedBy.aadObjectId, clockId: r.clock.clockId, due: r.clock.due });
    }
    return out;
  }

  async openNextSteps(): Promise<OpenNextStep[]> {
    const items = await this.site.query('nextSteps', `fields/State eq 'open'`, { select: ['Reference', 'OwnerAadId', 'StepText', 'DueDate', 'State'] });
    const out: OpenNextStep[] = [];
    for (const { id, fields: f } of items) {
      const due = str(f['DueDate']);
      if (!due || f['State'] !== 'open') continue;
      out.push({ id, reference: String(f['Reference'] ?? ''), ownerAadId: String(f['OwnerAadId'] ?? ''), text: String(f['StepText'] ?? ''), due });
    }
    return out;
  }

  async digestUsers(): Promise<ReadonlySet<string>> {
    const items = await this.site.query('preferences', `fields/Digest eq 'yes'`, { select: ['AadObjectId', 'Digest'] });
    return new Set(items.filter((i) => i.fields['Digest'] === 'yes').map((i) => String(i.fields['AadObjectId'])));
  }

  /** Only the Digest column of the user's Preferences item is written (language and document target are kept). */
  async setDigest(aadObjectId: string, on: boolean): Promise<void> {
    const value = on ? 'yes' : 'no';
    const change = (current: Fields): Fields | undefined => (current['Digest'] === value ? undefined : { Digest: value });
    const existing = await this.site.one('preferences', 'AadObjectId', aadObjectId);
    if (existing) {
      await this.site.update('preferences', existing.id, change, existing);
      return;
    }
    const { item, created } = await this.site.createKeyed('preferences', 'AadObjectId', { Title: aadObjectId.slice(0, 255), AadObjectId: aadObjectId, Digest: value });
    if (!created) await this.site.update('preferences', item.id, change, item); // someone created it meanwhile
  }
}
