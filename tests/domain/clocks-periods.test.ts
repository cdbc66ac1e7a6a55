import { CLOCK_IDS, computeDue, type ClockStep } from '../../src/domain/clocks';

const dueOf = (clockId: string, start: string): string => {
  const r = computeDue(clockId, start); // no calendar: calendar-period clocks must not need one
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.due;
};

describe('calendar-period clocks (no term calendar needed)', () => {
  // [clock, start, due, the working by hand]
  const cases: [string, string, string, string][] = [
    // Wales: whole weeks added to the start date; a period ending on a non-working day runs on to the next working day.
    ['wales-la-12w', '2025-10-01', '2025-12-24', 'Wed 1 Oct + 84 days = Wed 24 Dec 2025, a working day'],
    ['wales-la-12w', '2026-03-02', '2026-05-26', 'Mon 2 Mar + 84 days = Mon 25 May 2026, Spring bank holiday → Tue 26 May'],
    ['wales-nhs-6w', '2027-02-15', '2027-03-30', 'Mon 15 Feb + 42 days = Mon 29 Mar 2027, Easter Monday → Tue 30 Mar'],
    ['wales-nhs-6w', '2026-01-03', '2026-02-16', 'Sat 3 Jan + 42 days = Sat 14 Feb → Sun 15 → Mon 16 Feb'],
    ['wales-la-reconsider-7w', '2026-11-07', '2026-12-29', 'Sat 7 Nov + 49 days = Sat 26 Dec (Boxing Day) → Sun 27 → Mon 28 (Boxing Day substitute) → Tue 29 Dec'],
    ['wales-la-reconsider-7w', '2026-11-09', '2026-12-29', 'Mon 9 Nov + 49 days = Mon 28 Dec 2026, Boxing Day substitute → Tue 29 Dec'],
    ['wales-la-12w', '2027-10-04', '2027-12-29', 'Mon 4 Oct + 84 days = Mon 27 Dec 2027 (Christmas substitute) → Tue 28 (Boxing Day substitute) → Wed 29 Dec'],
    ['wales-nhs-6w', '2027-11-20', '2028-01-04', 'Sat 20 Nov + 42 days = Sat 1 Jan 2028 → Sun 2 → Mon 3 (New Year substitute) → Tue 4 Jan'],
    ['wales-cease-reconsider-4w', '2026-03-06', '2026-04-07', 'Fri 6 Mar + 28 days = Fri 3 Apr 2026, Good Friday → Sat, Sun → Mon 6 Apr Easter Monday → Tue 7 Apr'],
    // England: calendar periods, never moved off weekends or bank holidays.
    ['england-ehc-decide-6w', '2026-01-03', '2026-02-14', 'Sat 3 Jan + 42 days = Sat 14 Feb 2026; stays (Wales would give Mon 16 Feb)'],
    ['england-annual-review-4w', '2026-04-27', '2026-05-25', 'Mon 27 Apr + 28 days = Mon 25 May 2026, a bank holiday; stays'],
    ['england-ehc-no-plan-16w', '2026-01-05', '2026-04-27', 'Mon 5 Jan + 112 days: +90 = 5 Apr, +22 = Mon 27 Apr 2026'],
    ['england-ehc-final-20w', '2026-01-05', '2026-05-25', 'Mon 5 Jan + 140 days: +120 = 5 May, +20 = Mon 25 May 2026 (bank holiday; stays)'],
    ['england-ehc-draft-15d', '2026-03-02', '2026-03-16', '15 days beginning with the day served: Mon 2 Mar is day 1, day 15 is Mon 16 Mar'],
    ['england-ehc-draft-15d', '2026-02-20', '2026-03-06', 'Fri 20 Feb is day 1; 2026 is not a leap year: 28 Feb is day 9, Fri 6 Mar is day 15'],
    ['england-ehc-draft-15d', '2028-02-20', '2028-03-05', 'Sun 20 Feb 2028 is day 1; leap year: 29 Feb is day 10, Sun 5 Mar is day 15; stays on the Sunday'],
    // 12 months: same day of the month a year later; 29 February → 28 February; no roll-forward.
    ['idp-review-12m', '2026-03-10', '2027-03-10', 'Tue 10 Mar 2026 → Wed 10 Mar 2027'],
    ['idp-review-12m', '2028-02-29', '2029-02-28', 'leap day: 29 Feb 2029 does not exist → Wed 28 Feb 2029'],
    ['idp-review-12m', '2027-02-28', '2028-02-28', '28 Feb stays 28 Feb even into a leap year'],
    ['idp-review-12m', '2026-05-30', '2027-05-30', 'Sun 30 May 2027: the review period is not moved'],
    ['idp-review-12m', '2026-12-28', '2027-12-28', 'Tue 28 Dec 2027, a bank holiday substitute: not moved'],
  ];
  it.each(cases)('%s from %s → %s', (clock, start, expected) => {
    expect(dueOf(clock, start)).toBe(expected);
  });

  it('Wales roll-forward explains itself: the bank holidays passed and why the date moved', () => {
    const r = computeDue('wales-la-reconsider-7w', '2026-11-07');
    expect(r.ok && r.value).toEqual({
      clockId: 'wales-la-reconsider-7w',
      country: 'wales',
      kind: 'weeks',
      amount: 7,
      startEvent: 'request-received',
      start: '2026-11-07',
      due: '2026-12-29',
      citation: { en: 'ALNET Act 2018 s.26; ALN Code 2021', cy: 'Deddf ADYTA 2018 a.26; Cod ADY 2021' },
      steps: [
        { code: 'STARTED', event: 'request-received', date: '2026-11-07' },
        { code: 'ADDED_WEEKS', n: 7, from: '2026-11-07', to: '2026-12-26' },
        { code: 'SKIPPED_BANK_HOLIDAY', date: '2026-12-26', name: 'Boxing Day', key: 'boxing-day' },
        { code: 'SKIPPED_BANK_HOLIDAY', date: '2026-12-28', name: 'Boxing Day (substitute day)', key: 'boxing-day' },
        { code: 'ROLLED_FORWARD', from: '2026-12-26', to: '2026-12-29', reason: 'weekend' },
        { code: 'DUE', date: '2026-12-29' },
      ],
    });
  });

  it('England says the date falls on a non-working day but does not move it', () => {
    const r = computeDue('england-annual-review-4w', '2026-04-27');
    expect(r.ok && r.value.steps).toEqual([
      { code: 'STARTED', event: 'meeting-held', date: '2026-04-27' },
      { code: 'ADDED_WEEKS', n: 4, from: '2026-04-27', to: '2026-05-25' },
      { code: 'NOT_ROLLED_FORWARD', date: '2026-05-25', reason: 'bank-holiday', country: 'england' },
      { code: 'DUE', date: '2026-05-25' },
    ]);
  });

  it('the leap-day review records the month-end adjustment', () => {
    const r = computeDue('idp-review-12m', '2028-02-29');
    const steps: ClockStep[] = r.ok ? [...r.value.steps] : [];
    expect(steps).toEqual([
      { code: 'STARTED', event: 'idp-issued-or-revised', date: '2028-02-29' },
      { code: 'ADDED_MONTHS', n: 12, from: '2028-02-29', to: '2029-02-28' },
      { code: 'MONTH_END_CLAMPED', year: 2029, month: 2, day: 29, to: '2029-02-28' },
      { code: 'DUE', date: '2029-02-28' },
    ]);
  });

  it('the 15-day draft window counts the day of service', () => {
    const r = computeDue('england-ehc-draft-15d', '2026-03-02');
    expect(r.ok && r.value.steps[1]).toEqual({ code: 'ADDED_DAYS', n: 15, from: '2026-03-02', to: '2026-03-16', startDayCounts: true });
  });
});

describe('computeDue input errors are values', () => {
  it('an unknown clock lists the valid ids', () => {
    expect(computeDue('wales-school-36sd', '2026-01-05')).toEqual({
      ok: false,
      error: { code: 'CLOCK.UNKNOWN', clockId: 'wales-school-36sd', validIds: CLOCK_IDS },
    });
  });

  it.each(['2026-02-30', '05/01/2026', '2026-1-5', ''])('a bad date %j', (bad) => {
    expect(computeDue('wales-la-12w', bad)).toEqual({ ok: false, error: { code: 'CLOCK.BAD_DATE', value: bad } });
  });
});
