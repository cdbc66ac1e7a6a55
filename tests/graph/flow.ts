/** A one-school directory for driving the real submit use case (fault test, benchmark). */
import type { Directory } from '../../src/ports/directory';

export const directory: Directory = {
  authority: () => ({ id: 'MON', name: { en: 'Monmouthshire', cy: 'Sir Fynwy' }, country: 'wales', insetCountsAsSchoolDays: false, consentRules: {} }),
  school: (id) => (id === 'w-6784021' ? school : undefined),
  schools: () => [school],
  schoolsFor: () => [school],
  isAdmin: () => false,
  contact: () => 'inclusion@example.gov.uk',
};
const school = { id: 'w-6784021', name: { en: 'Ysgol', cy: 'Ysgol' }, kind: 'primary' as const, language: 'bilingual' as const, alncos: ['alnco-1'] };
