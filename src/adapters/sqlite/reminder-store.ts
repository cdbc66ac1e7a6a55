import type { IsoDate } from '../../domain/dates';
import type { ReferralFeed, ReferralSummary } from '../../ports/referral-feed';
import { nextStepIdOf, stateKey, type OpenNextStep, type OpenReferralClock, type ReminderState, type ReminderStateStore } from '../../ports/reminders';
import { statement, type Db } from './database';

export class SqliteReminderStore implements ReminderStateStore {
  constructor(private readonly db: Db) {}

  async states(): Promise<ReadonlyMap<string, ReminderState>> {
    const out = new Map<string, ReminderState>();
    for (const r of statement(this.db, 'SELECT subject, due, done_at, snoozed_until FROM reminder_states').all() as { subject: string; due: string; done_at: string | null; snoozed_until: string | null }[]) {
      out.set(stateKey(r.subject, r.due), { ...(r.done_at ? { doneAt: r.done_at } : {}), ...(r.snoozed_until ? { snoozedUntil: r.snoozed_until } : {}) });
    }
    return out;
  }

  /** Done: recorded for this due date; for a panel next step (`step:<id>`) the step itself is closed too. */
  async markDone(subject: string, due: IsoDate, by: string, at: Date): Promise<void> {
    const stepId = nextStepIdOf(subject);
    this.db.transaction(() => {
      statement(this.db, 'INSERT INTO reminder_states (subject, due, done_at, done_by) VALUES (?, ?, ?, ?) ON CONFLICT (subject, due) DO UPDATE SET done_at = excluded.done_at, done_by = excluded.done_by').run(subject, due, at.toISOString(), by);
      if (stepId && this.hasNextSteps()) statement(this.db, 'UPDATE next_steps SET done_at = ? WHERE id = ? AND done_at IS NULL').run(at.toISOString(), Number(stepId));
    })();
  }

  /** The panels feature owns next_steps: touch it only when it exists. */
  private hasNextSteps(): boolean {
    return statement(this.db, "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'next_steps'").get() !== undefined;
  }

  async snooze(subject: string, due: IsoDate, until: IsoDate, reason: string, by: string): Promise<void> {
    statement(this.db, 'INSERT INTO reminder_states (subject, due, snoozed_until, snooze_reason, done_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (subject, due) DO UPDATE SET snoozed_until = excluded.snoozed_until, snooze_reason = excluded.snooze_reason').run(subject, due, until, reason, by);
  }

  async openReferralClocks(): Promise<OpenReferralClock[]> {
    const rows = statement(
      this.db,
      `SELECT reference, school_id, submitter_id, json_extract(body, '$.learner.initials') AS initials, json_extract(body, '$.clock.clockId') AS clock_id, json_extract(body, '$.clock.due') AS due
       FROM referrals WHERE status IN ('submitted', 'on-agenda') AND json_extract(body, '$.clock.due') IS NOT NULL`,
    ).all() as { reference: string; school_id: string; submitter_id: string; initials: string; clock_id: string; due: string }[];
    return rows.map((r) => ({ reference: r.reference, schoolId: r.school_id, initials: r.initials, ownerAadId: r.submitter_id, clockId: r.clock_id, due: r.due }));
  }

  async openNextSteps(): Promise<OpenNextStep[]> {
    if (!this.hasNextSteps()) return [];
    const rows = this.db.prepare('SELECT id, reference, owner_aad_id, text, due_date FROM next_steps WHERE done_at IS NULL AND due_date IS NOT NULL').all() as {
      id: string | number; reference: string; owner_aad_id: string; text: string; due_date: string;
    }[];
    return rows.map((r) => ({ id: String(r.id), reference: r.reference, ownerAadId: r.owner_aad_id, text: r.text, due: r.due_date }));
  }

  async digestUsers(): Promise<ReadonlySet<string>> {
    return new Set((statement(this.db, 'SELECT aad_object_id FROM reminder_prefs WHERE digest = 1').all() as { aad_object_id: string }[]).map((r) => r.aad_object_id));
  }

  async setDigest(aadObjectId: string, on: boolean): Promise<void> {
    statement(this.db, 'INSERT INTO reminder_prefs (aad_object_id, digest) VALUES (?, ?) ON CONFLICT (aad_object_id) DO UPDATE SET digest = excluded.digest').run(aadObjectId, on ? 1 : 0);
  }
}

export class SqliteReferralFeed implements ReferralFeed {
  constructor(private readonly db: Db) {}

  async referralsSince(routeId: string, sinceIso: string): Promise<ReferralSummary[]> {
    const rows = statement(
      this.db,
      "SELECT reference, school_id, json_extract(body, '$.learner.initials') AS initials, json_extract(body, '$.areasOfNeed') AS areas, submitted_at FROM referrals WHERE route_id = ? AND submitted_at >= ? ORDER BY submitted_at",
    ).all(routeId, sinceIso) as { reference: string; school_id: string; initials: string; areas: string; submitted_at: string }[];
    return rows.map((r) => ({ reference: r.reference, schoolId: r.school_id, initials: r.initials, areasOfNeed: JSON.parse(r.areas) as string[], submittedAt: r.submitted_at }));
  }
}
