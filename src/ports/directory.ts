import type { Country, ConsentRule, RouteId } from '../domain/routes';

export type SchoolKind = 'primary' | 'secondary' | 'all-age' | 'special' | 'nursery-setting' | 'fe-college' | 'pru' | 'eotas' | 'local-authority';

export interface Bilingual {
  readonly en: string;
  readonly cy: string;
}

export interface School {
  readonly id: string;
  readonly name: Bilingual;
  readonly kind: SchoolKind;
  readonly cluster?: string;
  readonly language: 'english' | 'welsh' | 'bilingual';
  readonly alncos: readonly string[];
}

export interface Authority {
  /** The reference prefix, e.g. MON. */
  readonly id: string;
  readonly name: Bilingual;
  readonly country: Country;
  readonly insetCountsAsSchoolDays: boolean;
  readonly consentRules: Partial<Record<RouteId, ConsentRule>>;
}

/** Who may do what: schools and their ALNCos, service admins. A later adapter may read Entra ID groups. */
export interface Directory {
  authority(): Authority;
  school(id: string): School | undefined;
  schools(): readonly School[];
  /** Schools the user may refer for: the ones listing them as ALNCo, or all for a service admin. */
  schoolsFor(aadObjectId: string): readonly School[];
  isAdmin(aadObjectId: string): boolean;
  /** Who a refused user should contact (admins' names or the service mailbox). */
  contact(): string;
}
