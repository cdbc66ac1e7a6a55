import type { IsoDate } from '../domain/dates';

export interface Citation {
  readonly en: string;
  readonly cy: string;
}

export type DueResult =
  | { readonly ok: true; readonly due: IsoDate; readonly citation: Citation }
  | { readonly ok: false; readonly problem: 'beyond-calendar' | 'no-calendar' | 'unknown-clock'; readonly lastConfigured?: IsoDate };

/** Due dates for a clock started on a date, for a school's calendar. Implemented over the domain's clocks and the configured term dates. */
export interface StatutoryClocks {
  due(clockId: string, start: IsoDate, schoolId: string): DueResult;
  /** The short legal citation shown with a clock. */
  citation(clockId: string): Citation | undefined;
}
