import { foundation } from './001-foundation';
import { panels } from './002-panels';
import { reminders } from './005-reminders';
import type { Migration } from './migration';

export type { Migration } from './migration';

/** Every migration, one line each (features add theirs here; ids sort in the order they must run). */
export const MIGRATIONS: readonly Migration[] = [
  foundation,
  panels,
  reminders,
];
