import { mayDecide, mayRecommend, tally, validateDecision, type Panel, type Recommendation } from '../../src/domain/panels';

const panel: Panel = {
  id: 'mams-x', name: { en: 'MAMS', cy: 'MAMS' }, kind: 'MAMS', routes: ['multi-agency-discussion'], cadence: 'fortnightly',
  quorum: { minMembers: 3, agencies: ['education', 'health'] },
  members: [
    { aadObjectId: 'chair', name: 'C', role: 'chair', agency: 'education' },
    { aadObjectId: 'coord', name: 'O', role: 'coordinator', agency: 'education' },
    { aadObjectId: 'h1', name: 'H', role: 'member', agency: 'health' },
    { aadObjectId: 's1', name: 'S', role: 'member', agency: 'social-care' },
    { aadObjectId: 'ep', name: 'E', role: 'ep', agency: 'ep' },
  ],
};
const r = (member: string, value: Recommendation['value'], conflict = false): Recommendation => ({ itemId: 1, member, value, conflict, at: '2026-11-23T10:00:00Z' });

describe('tally and quorum', () => {
  test('counts each member once, excludes declared interests, lists who has not responded', () => {
    const t = tally(panel, [r('h1', 'support'), r('s1', 'not-support'), r('ep', null, true), r('coord', 'more-information')]);
    expect(t.counts).toEqual({ support: 1, 'not-support': 1, 'more-information': 1, 'refer-elsewhere': 0 });
    expect(t.counted).toBe(3);
    expect(t.conflicts).toEqual(['ep']);
    expect(t.awaiting).toEqual(['chair']);
    expect(t.quorum).toEqual({ met: true, missingMembers: 0, missingAgencies: [] });
  });

  test('quorum needs the minimum number of counted members and every named agency', () => {
    expect(tally(panel, [r('h1', 'support'), r('s1', 'support')]).quorum).toEqual({ met: false, missingMembers: 1, missingAgencies: ['education'] });
    // a conflicted education member does not bring education into the quorum
    expect(tally(panel, [r('h1', 'support'), r('s1', 'support'), r('coord', null, true), r('ep', 'support')]).quorum).toEqual({ met: false, missingMembers: 0, missingAgencies: ['education'] });
  });

  test('only the latest recommendation of a member counts; non-members are ignored', () => {
    const t = tally(panel, [r('h1', 'support'), r('h1', 'not-support'), r('stranger', 'support')]);
    expect(t.counts.support).toBe(0);
    expect(t.counts['not-support']).toBe(1);
    expect(t.responded).toEqual(['h1']);
  });
});

test('members recommend; only the chair or coordinator decides', () => {
  expect(mayRecommend(panel, 'ep')).toBe(true);
  expect(mayRecommend(panel, 'stranger')).toBe(false);
  expect(mayDecide(panel, 'chair')).toBe(true);
  expect(mayDecide(panel, 'coord')).toBe(true);
  expect(mayDecide(panel, 'h1')).toBe(false);
});

describe('the decision', () => {
  const ctx = { today: '2026-12-03', quorumMet: true, owners: new Set(['h1', 'alnco']) };
  const codes = (x: ReturnType<typeof validateDecision>) => (x.ok ? [] : x.error.map((e) => `${e.field}:${e.code}`));

  test('a complete decision with next steps', () => {
    const d = validateDecision({ outcome: 'agreed', reasons: ' Clear need ', lead: 'Health', step1Owner: 'h1', step1Text: 'SALT', step1Due: '2027-01-15', step2Owner: '', step2Text: '', step2Due: '' }, ctx);
    expect(d).toEqual({ ok: true, value: { outcome: 'agreed', reasons: 'Clear need', lead: 'Health', nextSteps: [{ owner: 'h1', text: 'SALT', due: '2027-01-15' }] } });
  });

  test('reasons and lead are required; outcomes are a fixed list; next steps are whole, owned by someone entitled, not in the past', () => {
    expect(codes(validateDecision({ outcome: 'approved', reasons: '', lead: '' }, ctx))).toEqual(['outcome:invalidChoice', 'reasons:required', 'lead:required']);
    expect(codes(validateDecision({ outcome: 'agreed', reasons: 'x', lead: 'y', step1Owner: 'mallory', step1Text: '', step1Due: '2026-12-01' }, ctx))).toEqual([
      'step1Owner:invalidChoice', 'step1Text:required', 'step1Due:dateInPast',
    ]);
    expect(codes(validateDecision({ outcome: 'agreed', reasons: 'x', lead: 'y', step2Text: 'z', step2Due: '2027-02-30' }, ctx))).toEqual(['step2Owner:required', 'step2Due:invalidDate']);
  });

  test('without quorum a reason is required, and recorded', () => {
    const noQuorum = { ...ctx, quorumMet: false };
    expect(codes(validateDecision({ outcome: 'deferred', reasons: 'x', lead: 'y' }, noQuorum))).toEqual(['quorumOverrideReason:quorumReasonRequired']);
    const d = validateDecision({ outcome: 'deferred', reasons: 'x', lead: 'y', quorumOverrideReason: 'Snow' }, noQuorum);
    expect(d.ok && d.value.quorumOverrideReason).toBe('Snow');
    // with quorum the override is not kept
    const e = validateDecision({ outcome: 'agreed', reasons: 'x', lead: 'y', quorumOverrideReason: 'n/a' }, ctx);
    expect(e.ok && e.value.quorumOverrideReason).toBeUndefined();
  });
});
