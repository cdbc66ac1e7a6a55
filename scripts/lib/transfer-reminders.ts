/**
 * Transfer of learners, reminder states, EP link schools and answers, and scheduled jobs (see transfer.ts). Learner ids
 * differ between the stores: on import they are mapped by LearnerKey (`school|localRef`); on export SQLite rows get the
 * SharePoint item ids as their ids. Reminder subjects are rewritten with the mapped ids (transfer-subjects.ts).
 */
import type { Db } from '../../src/adapters/sqlite/database';
import { schoolsIn } from '../../src/adapters/graph/ep-directory';
import { learnerFields, learnerKey, learnerOf } from '../../src/adapters/graph/learner-store';
import { jobKey } from '../../src/adapters/graph/schedule-store';
import { str, type SharePointSite } from '../../src/adapters/graph/site';
import type { IdpMaintainer, NewLearner } from '../../src/ports/learners';
import { stateKey } from '../../src/ports/reminders';
import type { YearGroup } from '../../src/domain/clocks/milestones';
import { createMissing, fold } from './transfer-keyed';
import { remapSubject, type IdMaps } from './transfer-subjects';
import type { Counts } from './transfer';

export interface Progress {
  readonly written: Counts;
  readonly problems: string[];
  readonly log: (line: string) => void;
}

interface LearnerRow {
  id: number; school_id: string; local_ref: string; initials: string; upn_hash: string | null; date_of_birth: string; year_group: string;
  year_group_academic_year: number; idp_issued_on: string | null; idp_maintained_by: string; alnco_aad_id: string; updated_at: string;
}

const learnerOfRow = (r: LearnerRow): NewLearner => ({
  schoolId: r.school_id, localRef: r.local_ref, initials: r.initials, dateOfBirth: r.date_of_birth, yearGroup: r.year_group as YearGroup,
  yearGroupAcademicYear: r.year_group_academic_year, idpMaintainedBy: r.idp_maintained_by as IdpMaintainer, alncoAadId: r.alnco_aad_id,
  ...(r.upn_hash ? { upnHash: r.upn_hash } : {}), ...(r.idp_issued_on ? { idpIssuedOn: r.idp_issued_on } : {}),
});

const orUndefined = <T>(v: T | null): T | undefined => v ?? undefined;

// ------------------------------------------------------------------------------------------------ embedded → SharePoint

/** Learners, in $batch envelopes keyed by LearnerKey. Answers embedded learner id → SharePoint item id. */
export async function importLearners(db: Db, site: SharePointSite, p: Progress): Promise<Map<number, number>> {
  const rows = db.prepare('SELECT * FROM learners ORDER BY id').all() as LearnerRow[];
  const { created, index } = await createMissing(site, 'learners', 'LearnerKey', rows.map((r) => ({ key: learnerKey(r.school_id, r.local_ref), fields: learnerFields(learnerOfRow(r), new Date(r.updated_at)) })));
  p.written.learners += created;
  const ids = new Map<number, number>();
  for (const r of rows) {
    const key = learnerKey(r.school_id, r.local_ref);
    const hit = index.get(fold(key));
    if (!hit) p.problems.push(`learner ${key}: not on SharePoint after writing it`);
    else if (hit.key !== key) p.problems.push(`learner ${key}: SharePoint has ${hit.key} (keys differing only in case are one learner there); not imported`);
    else ids.set(r.id, Number(hit.id));
  }
  p.log(`learners: ${created} written`);
  return ids;
}

/** Reminder states with the subjects' ids rewritten; a subject that cannot be mapped is reported, not moved. */
export async function importReminderStates(db: Db, site: SharePointSite, maps: IdMaps, p: Progress): Promise<void> {
  const rows = db.prepare('SELECT * FROM reminder_states ORDER BY subject, due').all() as {
    subject: string; due: string; done_at: string | null; done_by: string | null; snoozed_until: string | null; snooze_reason: string | null;
  }[];
  const keyed = [];
  for (const r of rows) {
    const subject = remapSubject(r.subject, maps);
    if (subject === undefined) {
      p.problems.push(`reminder state ${r.subject} (due ${r.due}): its record was not moved (or the subject is of an unknown form); not imported`);
      continue;
    }
    keyed.push({
      key: stateKey(subject, r.due),
      fields: { Subject: subject, Due: r.due, DoneAt: orUndefined(r.done_at), DoneBy: orUndefined(r.done_by), SnoozedUntil: orUndefined(r.snoozed_until), SnoozeReason: orUndefined(r.snooze_reason) },
    });
  }
  const { created } = await createMissing(site, 'reminderStates', 'StateKey', keyed);
  p.written.reminderStates += created;
  p.log(`reminder states: ${created} written`);
}

/**
 * EP link schools: an EP with any row in ep_links has chosen (the '' row marks a choice, even of no school); one item
 * per EP, the schools as a sorted JSON list. EP answers: one item per referral and EP (AnswerKey `reference|ep`).
 */
export async function importEps(db: Db, site: SharePointSite, p: Progress, now: Date): Promise<void> {
  const links = new Map<string, Set<string>>();
  for (const r of db.prepare('SELECT ep_aad_id, school_id FROM ep_links ORDER BY ep_aad_id, school_id').all() as { ep_aad_id: string; school_id: string }[]) {
    const set = links.get(r.ep_aad_id) ?? new Set<string>();
    if (r.school_id) set.add(r.school_id);
    links.set(r.ep_aad_id, set);
  }
  const l = await createMissing(site, 'epLinks', 'EpAadId', [...links].map(([ep, schools]) => ({ key: ep, fields: { Schools: JSON.stringify([...schools].sort()), UpdatedAt: now.toISOString() } })));
  p.written.epLinks += l.created;

  const answers = db.prepare('SELECT * FROM ep_answers ORDER BY at').all() as { reference: string; ep_aad_id: string; answer: string; school_id: string; local_ref: string; upn_hash: string | null; at: string }[];
  const a = await createMissing(
    site,
    'epAnswers',
    'AnswerKey',
    answers.map((r) => ({
      key: `${r.reference}|${r.ep_aad_id}`,
      fields: { Reference: r.reference, EpAadId: r.ep_aad_id, Answer: r.answer, At: r.at, SchoolId: r.school_id, LocalRef: r.local_ref, LearnerKey: learnerKey(r.school_id, r.local_ref), UpnHash: orUndefined(r.upn_hash) },
    })),
  );
  p.written.epAnswers += a.created;
  p.log(`EP links: ${l.created} written; EP answers: ${a.created} written`);
}

/** Scheduled jobs' next and last runs (`job:<name>` on the schedule list). Leases are not moved: each store has its own. */
export async function importJobs(db: Db, site: SharePointSite, p: Progress): Promise<void> {
  const rows = db.prepare('SELECT * FROM scheduled_jobs ORDER BY name').all() as { name: string; next_run_at: string; last_run_at: string | null }[];
  const { created } = await createMissing(site, 'schedule', 'Name', rows.map((r) => ({ key: jobKey(r.name), fields: { Kind: 'job', NextRunAt: r.next_run_at, LastRunAt: orUndefined(r.last_run_at) } })));
  p.written.jobs += created;
  p.log(`scheduled jobs: ${created} written`);
}

// ------------------------------------------------------------------------------------------------ SharePoint → embedded

/**
 * Learners with their SharePoint item ids as ids (so reminder subjects keep naming them). Answers SharePoint id →
 * embedded id: the same id, or the id of a learner with that key already in the embedded store; a learner whose id is
 * taken there by another learner is reported.
 */
export async function exportLearners(site: SharePointSite, db: Db, p: Progress): Promise<Map<number, number>> {
  const items = (await site.query('learners', '')).sort((a, b) => Number(a.id) - Number(b.id));
  const insert = db.prepare(
    `INSERT INTO learners (id, school_id, local_ref, initials, upn_hash, date_of_birth, year_group, year_group_academic_year, idp_issued_on, idp_maintained_by, alnco_aad_id, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const local = db.prepare('SELECT id FROM learners WHERE school_id = ? AND local_ref = ?');
  const ids = new Map<number, number>();
  const now = new Date().toISOString();
  db.transaction(() => {
    for (const item of items) {
      const l = learnerOf(item);
      p.written.learners += insert.run(l.id, l.schoolId, l.localRef, l.initials, l.upnHash ?? null, l.dateOfBirth, l.yearGroup, l.yearGroupAcademicYear, l.idpIssuedOn ?? null, l.idpMaintainedBy, l.alncoAadId, str(item.fields['UpdatedAt']) ?? now).changes;
      const row = local.get(l.schoolId, l.localRef) as { id: number } | undefined;
      if (row) ids.set(l.id, row.id);
      else p.problems.push(`learner ${learnerKey(l.schoolId, l.localRef)}: id ${l.id} is taken by another learner in the embedded store; not exported`);
    }
  })();
  p.log(`learners: ${p.written.learners} written`);
  return ids;
}

export async function exportReminderStates(site: SharePointSite, db: Db, maps: IdMaps, p: Progress): Promise<void> {
  const insert = db.prepare('INSERT INTO reminder_states (subject, due, done_at, done_by, snoozed_until, snooze_reason) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const items = await site.query('reminderStates', '');
  db.transaction(() => {
    for (const { fields: f } of items) {
      const from = String(f['Subject']);
      const due = String(f['Due']);
      const subject = remapSubject(from, maps);
      if (subject === undefined) {
        p.problems.push(`reminder state ${from} (due ${due}): its record was not moved (or the subject is of an unknown form); not exported`);
        continue;
      }
      p.written.reminderStates += insert.run(subject, due, str(f['DoneAt']) ?? null, str(f['DoneBy']) ?? null, str(f['SnoozedUntil']) ?? null, str(f['SnoozeReason']) ?? null).changes;
    }
  })();
  p.log(`reminder states: ${p.written.reminderStates} written`);
}

/** An EP's choice is written only when the embedded store has none for them (its '' marker row plus the schools). */
export async function exportEps(site: SharePointSite, db: Db, p: Progress): Promise<void> {
  const chosen = db.prepare('SELECT 1 AS x FROM ep_links WHERE ep_aad_id = ? LIMIT 1');
  const link = db.prepare('INSERT OR IGNORE INTO ep_links (ep_aad_id, school_id) VALUES (?, ?)');
  const links = await site.query('epLinks', '');
  db.transaction(() => {
    for (const item of links) {
      const ep = String(item.fields['EpAadId']);
      const schools = schoolsIn(item);
      if (!schools) {
        p.problems.push(`EP links of ${ep}: the Schools column is not a list; not exported`);
        continue;
      }
      if (chosen.get(ep)) continue;
      for (const s of ['', ...schools]) link.run(ep, s);
      p.written.epLinks++;
    }
  })();
  const insert = db.prepare('INSERT INTO ep_answers (reference, ep_aad_id, answer, school_id, local_ref, upn_hash, at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const answers = await site.query('epAnswers', '');
  db.transaction(() => {
    for (const { fields: f } of answers) {
      p.written.epAnswers += insert.run(String(f['Reference']), String(f['EpAadId']), String(f['Answer']), String(f['SchoolId']), String(f['LocalRef']), str(f['UpnHash']) ?? null, String(f['At'])).changes;
    }
  })();
  p.log(`EP links: ${p.written.epLinks} written; EP answers: ${p.written.epAnswers} written`);
}

export async function exportJobs(site: SharePointSite, db: Db, p: Progress): Promise<void> {
  const insert = db.prepare('INSERT INTO scheduled_jobs (name, next_run_at, last_run_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING');
  for (const { fields: f } of await site.query('schedule', `fields/Kind eq 'job'`)) {
    const name = String(f['Name']);
    const next = str(f['NextRunAt']);
    if (!name.startsWith(jobKey('')) || !next) {
      p.problems.push(`scheduled job ${name}: no next run time; not exported`);
      continue;
    }
    p.written.jobs += insert.run(name.slice(jobKey('').length), next, str(f['LastRunAt']) ?? null).changes;
  }
  p.log(`scheduled jobs: ${p.written.jobs} written`);
}
