import { currentLead, leadCode, nextSendTime, nextWeekly, schoolDaysBefore, currentYearGroup, learnerSubjects, DEFAULT_LEAD_POLICY, DEFAULT_SEND_WINDOW } from '../../src/domain/reminders';
import { SlidingWindowLimiter, TEAMS_CONVERSATION_LIMITS } from '../../src/domain/rate-limit';

describe('lead times', () => {
  test('10 and 3 working days before a Friday due date skip weekends and bank holidays', () => {
    // Fri 22 Jan 2027: 3 working days back is Tue 19 Jan; 10 back is Fri 8 Jan.
    expect(schoolDaysBefore('2027-01-22', 3, 'wales')).toBe('2027-01-19');
    expect(schoolDaysBefore('2027-01-22', 10, 'wales')).toBe('2027-01-08');
    // Over Easter 2027 (Good Friday 26 Mar, Easter Monday 29 Mar): 3 working days before Wed 31 Mar are Tue 30, Thu 25, Wed 24 Mar.
    expect(schoolDaysBefore('2027-03-31', 3, 'wales')).toBe('2027-03-24');
  });

  test('the current lead is the latest one reached; weekly while overdue; nothing far ahead', () => {
    const due = '2027-01-22';
    expect(currentLead(due, '2026-12-01', DEFAULT_LEAD_POLICY, 'wales')).toBeUndefined();
    expect(leadCode(currentLead(due, '2027-01-08', DEFAULT_LEAD_POLICY, 'wales')!.lead)).toBe('sd-10');
    expect(leadCode(currentLead(due, '2027-01-18', DEFAULT_LEAD_POLICY, 'wales')!.lead)).toBe('sd-10');
    expect(leadCode(currentLead(due, '2027-01-19', DEFAULT_LEAD_POLICY, 'wales')!.lead)).toBe('sd-3');
    expect(leadCode(currentLead(due, '2027-01-22', DEFAULT_LEAD_POLICY, 'wales')!.lead)).toBe('day');
    expect(leadCode(currentLead(due, '2027-01-28', DEFAULT_LEAD_POLICY, 'wales')!.lead)).toBe('day');
    expect(leadCode(currentLead(due, '2027-01-29', DEFAULT_LEAD_POLICY, 'wales')!.lead)).toBe('late-w1');
    // after a month of downtime only one reminder applies (catch up once)
    expect(leadCode(currentLead(due, '2027-02-26', DEFAULT_LEAD_POLICY, 'wales')!.lead)).toBe('late-w5');
  });
});

describe('quiet hours (08:00–18:00 Europe/London, working days)', () => {
  test('inside the window sends now', () => {
    const now = new Date('2026-11-23T10:00:00Z'); // Monday 10:00 GMT
    expect(nextSendTime(now, DEFAULT_SEND_WINDOW)).toEqual(now);
  });
  test('evening waits for 08:00 the next working day; Friday evening waits for Monday', () => {
    expect(nextSendTime(new Date('2026-11-23T19:30:00Z'), DEFAULT_SEND_WINDOW).toISOString()).toBe('2026-11-24T08:00:00.000Z');
    expect(nextSendTime(new Date('2026-11-27T18:00:00Z'), DEFAULT_SEND_WINDOW).toISOString()).toBe('2026-11-30T08:00:00.000Z');
  });
  test('summer time: 08:00 BST is 07:00 UTC; bank holidays are skipped', () => {
    expect(nextSendTime(new Date('2027-06-01T05:00:00Z'), DEFAULT_SEND_WINDOW).toISOString()).toBe('2027-06-01T07:00:00.000Z');
    // Sat 1 May 2027 → Mon 3 May is the Early May bank holiday → Tue 4 May 08:00 BST
    expect(nextSendTime(new Date('2027-05-01T10:00:00Z'), DEFAULT_SEND_WINDOW).toISOString()).toBe('2027-05-04T07:00:00.000Z');
  });
  test('weekly digest slot: next Monday 08:00', () => {
    expect(nextWeekly(new Date('2026-11-25T12:00:00Z'), 1, 8, 'Europe/London').toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(nextWeekly(new Date('2026-11-23T07:00:00Z'), 1, 8, 'Europe/London').toISOString()).toBe('2026-11-23T08:00:00.000Z');
  });
});

describe('year groups move up on 1 September', () => {
  test('derived from the recorded year group and academic year', () => {
    expect(currentYearGroup('year-5', 2025, '2026-08-31')).toBe('year-5');
    expect(currentYearGroup('year-5', 2025, '2026-09-01')).toBe('year-6');
    expect(currentYearGroup('year-13', 2020, '2026-11-23')).toBe('further-education');
  });
  test('a learner recorded in Year 5 last year has the Year 6 milestones this autumn, and a 12-month review', () => {
    const subjects = learnerSubjects({ id: 7, schoolId: 's', initials: 'AB', yearGroup: 'year-5', yearGroupAcademicYear: 2025, idpIssuedOn: '2026-01-31' }, '2026-11-23');
    expect(subjects.find((s) => s.kind === 'idp-review')!.due).toBe('2027-01-31');
    expect(subjects.filter((s) => s.kind === 'milestone').map((s) => (s as { milestone: string }).milestone)).toEqual(['y6-autumn-annual-review', 'y6-enhanced-transition-meetings']);
  });
});

describe('sliding-window rate limits', () => {
  test('Teams per-conversation limits: 7 in a second, then the 2-second window holds the 8th', () => {
    const l = new SlidingWindowLimiter(TEAMS_CONVERSATION_LIMITS);
    let t = 0;
    for (let i = 0; i < 7; i++) expect(l.tryAcquire('c', t)).toBe(0);
    expect(l.tryAcquire('c', t)).toBeGreaterThan(0);
    t = 1001;
    expect(l.tryAcquire('c', t)).toBe(0); // 8th within 2 s
    expect(l.tryAcquire('c', t)).toBeGreaterThan(0); // 9th must wait for the 2 s window
    expect(l.tryAcquire('other', t)).toBe(0);
  });
  test('never more than 60 in any 30 seconds when sending as fast as allowed', () => {
    const l = new SlidingWindowLimiter(TEAMS_CONVERSATION_LIMITS);
    const sent: number[] = [];
    for (let t = 0; t < 60_000; t += 10) if (l.tryAcquire('c', t) === 0) sent.push(t);
    for (const s of sent) expect(sent.filter((x) => x > s - 30_000 && x <= s).length).toBeLessThanOrEqual(60);
    expect(sent.length).toBeGreaterThanOrEqual(110);
  });
});
