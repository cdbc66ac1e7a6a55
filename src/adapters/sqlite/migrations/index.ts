import { foundation } from './001-foundation';
import type { Migration } from './migration';

export type { Migration } from './migration';

/** Every migration, one line each (features add theirs here; ids sort in the order they must run). */
export const MIGRATIONS: readonly Migration[] = [foundation];
