import type { Migration } from './migration';

/** Panels and members (seeded from the panels file, then owned by the store), agendas, recommendations, decisions, next steps. */
export const panels: Migration = {
  id: '002-panels',
  sql: `
  CREATE TABLE panels (id TEXT PRIMARY KEY, body TEXT NOT NULL, meeting_date TEXT);
  CREATE TABLE panel_members (
    panel_id TEXT NOT NULL, aad_object_id TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, agency TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (panel_id, aad_object_id)
  );
  CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    panel_id TEXT NOT NULL, reference TEXT NOT NULL, initials TEXT NOT NULL, route_id TEXT NOT NULL,
    position INTEGER NOT NULL, status TEXT NOT NULL, deferred_until TEXT, conversation_id TEXT, activity_id TEXT
  );
  CREATE INDEX agenda_panel ON agenda_items (panel_id, status, position);
  -- a referral is on at most one open agenda at a time; a deferred decision lets it queue again later
  CREATE UNIQUE INDEX agenda_open_reference ON agenda_items (reference) WHERE status != 'closed';
  CREATE TABLE recommendations (
    item_id INTEGER NOT NULL, member TEXT NOT NULL, value TEXT, other_route TEXT, comment TEXT, conflict INTEGER NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (item_id, member)
  );
  CREATE TABLE decisions (item_id INTEGER PRIMARY KEY, reference TEXT NOT NULL, body TEXT NOT NULL, decided_at TEXT NOT NULL);
  CREATE TABLE next_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT, reference TEXT NOT NULL, item_id INTEGER NOT NULL, owner_aad_id TEXT NOT NULL,
    text TEXT NOT NULL, due_date TEXT NOT NULL, done_at TEXT
  );
  CREATE INDEX next_steps_owner ON next_steps (owner_aad_id, done_at, due_date);
  `,
};
