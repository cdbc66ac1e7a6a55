import type { Migration } from './migration';

/**
 * Learners with IDPs, reminder completions and snoozes, users' digest choice, EP link schools and answers, the
 * scheduler's due jobs and the sending lease (DESIGN.md "Reminder", "Concurrency and delivery").
 */
export const reminders: Migration = {
  id: '005-reminders',
  sql: `
  CREATE TABLE learners (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    school_id TEXT NOT NULL,
    local_ref TEXT NOT NULL,
    initials TEXT NOT NULL,
    upn_hash TEXT,
    date_of_birth TEXT NOT NULL,
    year_group TEXT NOT NULL,
    year_group_academic_year INTEGER NOT NULL,
    idp_issued_on TEXT,
    idp_maintained_by TEXT NOT NULL,
    alnco_aad_id TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (school_id, local_ref)
  );
  CREATE INDEX learners_alnco ON learners (alnco_aad_id);
  CREATE INDEX learners_upn ON learners (upn_hash);
  CREATE TABLE reminder_states (
    subject TEXT NOT NULL,
    due TEXT NOT NULL,
    done_at TEXT,
    done_by TEXT,
    snoozed_until TEXT,
    snooze_reason TEXT,
    PRIMARY KEY (subject, due)
  );
  CREATE TABLE reminder_prefs (aad_object_id TEXT PRIMARY KEY, digest INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE ep_links (ep_aad_id TEXT NOT NULL, school_id TEXT NOT NULL, PRIMARY KEY (ep_aad_id, school_id));
  CREATE INDEX ep_links_school ON ep_links (school_id);
  CREATE TABLE ep_answers (
    reference TEXT NOT NULL,
    ep_aad_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    school_id TEXT NOT NULL,
    local_ref TEXT NOT NULL,
    upn_hash TEXT,
    at TEXT NOT NULL,
    PRIMARY KEY (reference, ep_aad_id)
  );
  CREATE INDEX ep_answers_learner ON ep_answers (school_id, local_ref);
  CREATE INDEX ep_answers_upn ON ep_answers (upn_hash);
  CREATE TABLE scheduled_jobs (name TEXT PRIMARY KEY, next_run_at TEXT NOT NULL, last_run_at TEXT);
  CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL);
  `,
};
