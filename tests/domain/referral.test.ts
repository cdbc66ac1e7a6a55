import { validateReferral, referralFormSchema } from '../../src/domain/referral';
import { transition, allowedNext, isOpen } from '../../src/domain/lifecycle';
import { formatReference, parseReference } from '../../src/domain/reference';
import { validForm } from '../support/activities';

const ctx = { today: '2026-11-23', allowedSchools: new Set(['w-6784021']) };
const codes = (r: ReturnType<typeof validateReferral>) => (r.ok ? [] : r.error.map((e) => `${e.field}:${e.code}`));

describe('referral form', () => {
  test('a complete form becomes a typed referral: lists split, initials normalised, UPN upper-cased, toggle to boolean', () => {
    const r = validateReferral({ ...validForm({ initials: 'j.d.', upn: 'a123456789012', lookedAfter: 'true', areasOfNeed: 'asd, semh,asd' }) }, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.learner).toMatchObject({ initials: 'JD', upn: 'A123456789012', lookedAfter: true });
    expect(r.value.areasOfNeed).toEqual(['asd', 'semh']);
    expect(r.value.consent).toEqual({ givenBy: 'parent', date: '2026-11-02', agencies: ['education', 'health'] });
  });

  test.each([
    ['routeId', '', 'routeId:required'],
    ['routeId', 'express', 'routeId:invalidChoice'],
    ['initials', '', 'initials:required'],
    ['initials', 'ABCDE', 'initials:invalidInitials'],
    ['initials', 'A1', 'initials:invalidInitials'],
    ['dateOfBirth', '2019-02-29', 'dateOfBirth:invalidDate'],
    ['dateOfBirth', '14/03/2018', 'dateOfBirth:invalidDate'],
    ['dateOfBirth', '2026-11-24', 'dateOfBirth:dateInFuture'],
    ['dateOfBirth', '1990-01-01', 'dateOfBirth:tooOld'],
    ['upn', 'A12345', 'upn:invalidUpn'],
    ['areasOfNeed', '', 'areasOfNeed:required'],
    ['areasOfNeed', 'asd,telepathy', 'areasOfNeed:invalidChoice'],
    ['tried', ' '.repeat(5), 'tried:required'],
    ['ask', 'y'.repeat(2001), 'ask:tooLong'],
    ['schoolId', 'w-6784060', 'schoolId:notYourSchool'],
    ['consentDate', '2027-01-01', 'consentDate:dateInFuture'],
  ])('%s = %j is refused with %s', (field, value, expected) => {
    expect(codes(validateReferral(validForm({ [field]: value }), ctx))).toContain(expected);
  });

  test('a too-long value reports its limit', () => {
    const r = validateReferral(validForm({ tried: 'x'.repeat(2001) }), ctx);
    expect(r.ok ? undefined : r.error[0]).toEqual({ field: 'tried', code: 'tooLong', params: { max: 2000 } });
  });

  test('wrong types are refused, not coerced', () => {
    expect(codes(validateReferral({ ...validForm(), initials: 42, areasOfNeed: ['asd'] }, ctx))).toEqual(expect.arrayContaining(['initials:required', 'areasOfNeed:required']));
    expect(validateReferral(null, ctx).ok).toBe(false);
  });

  test('consent: a young person must consent to an ALN decision (ALNET Act 2018 s.11)', () => {
    const yp = validForm({ yearGroup: 'further-education', dateOfBirth: '2008-01-01' });
    expect(codes(validateReferral({ ...yp, consentGivenBy: 'parent' }, ctx))).toContain('consentGivenBy:youngPersonConsentRequired');
    expect(codes(validateReferral({ ...yp, consentGivenBy: '', consentDate: '' }, ctx))).toEqual(expect.arrayContaining(['consentGivenBy:youngPersonConsentRequired', 'consentDate:required']));
    expect(validateReferral({ ...yp, consentGivenBy: 'young-person' }, ctx).ok).toBe(true);
    // not an ALN decision route: a young person's referral to the Inclusion Panel follows the route's rule
    expect(validateReferral({ ...yp, routeId: 'inclusion-panel-funding', consentGivenBy: 'parent' }, ctx).ok).toBe(true);
  });

  test('consent: multi-agency routes need agreement to share with named agencies; a child\'s ALN decision never waits for it', () => {
    const none = { consentGivenBy: '', consentDate: '', consentAgencies: '' };
    expect(codes(validateReferral(validForm({ routeId: 'early-help-panel', ...none }), ctx))).toEqual(['consentGivenBy:consentRequired', 'consentDate:required', 'consentAgencies:sharingRequired']);
    expect(validateReferral(validForm({ routeId: 'school-aln-decision', ...none }), ctx).ok).toBe(true);
    // an authority may make a route's consent a precondition
    expect(validateReferral(validForm({ routeId: 'pru-entry', ...none }), { ...ctx, consentRules: { 'pru-entry': 'sharing' } }).ok).toBe(false);
  });

  test('every form field is a card input id', () => {
    expect(Object.keys(referralFormSchema.shape).sort()).toEqual(Object.keys(validForm()).sort());
  });
});

describe('referral lifecycle', () => {
  test.each([
    ['draft', 'submitted', true],
    ['submitted', 'on-agenda', true],
    ['on-agenda', 'decided', true],
    ['decided', 'closed', true],
    ['submitted', 'withdrawn', true],
    ['on-agenda', 'submitted', true],
    ['draft', 'decided', false],
    ['closed', 'submitted', false],
    ['withdrawn', 'submitted', false],
    ['decided', 'withdrawn', false],
    ['submitted', 'closed', false],
  ] as const)('%s → %s allowed: %s', (from, to, allowed) => {
    const r = transition(from, to);
    expect(r.ok).toBe(allowed);
    if (!r.ok) expect(r.error).toEqual({ code: 'REFERRAL.ILLEGAL_TRANSITION', from, to });
  });

  test('closed and withdrawn are final', () => {
    expect(allowedNext('closed')).toEqual([]);
    expect(allowedNext('withdrawn')).toEqual([]);
    expect(isOpen('decided')).toBe(true);
    expect(isOpen('closed')).toBe(false);
  });
});

describe('references', () => {
  test('authority prefix + year + six-digit sequence', () => {
    expect(formatReference('MON', 2026, 42)).toBe('MON-2026-000042');
    expect(formatReference('GLOS', 2027, 1234567)).toBe('GLOS-2027-1234567');
    expect(parseReference(' mon-2026-000042 ')).toEqual({ prefix: 'MON', year: 2026, sequence: 42 });
    expect(parseReference('MON-26-42')).toBeUndefined();
    expect(() => formatReference('mon', 2026, 1)).toThrow();
    expect(() => formatReference('MON', 2026, 0)).toThrow();
  });
});
