import {
  CLOCK_IDS,
  CLOCKS,
  START_EVENTS,
  addMonthsClamped,
  clockDefinition,
  easterSunday,
  englandAnnualReviewDue,
  isClockId,
  phaseTransferAmendmentDeadline,
} from '../../src/domain/clocks';

describe('clock definitions', () => {
  it('has exactly the statutory clock ids', () => {
    expect([...CLOCK_IDS].sort()).toEqual(
      [
        'wales-school-35sd', 'wales-la-12w', 'wales-la-reconsider-7w', 'wales-nhs-6w', 'idp-review-12m', 'wales-cease-reconsider-4w',
        'england-ehc-decide-6w', 'england-ehc-no-plan-16w', 'england-ehc-draft-15d', 'england-ehc-final-20w', 'england-annual-review-4w',
      ].sort(),
    );
    expect(Object.keys(CLOCKS).sort()).toEqual([...CLOCK_IDS].sort());
  });

  // [id, country, kind, amount, start event, roll-forward]
  it.each([
    ['wales-school-35sd', 'wales', 'school-days', 35, 'matter-brought-to-attention', true],
    ['wales-la-12w', 'wales', 'weeks', 12, 'matter-brought-to-attention', true],
    ['wales-la-reconsider-7w', 'wales', 'weeks', 7, 'request-received', true],
    ['wales-nhs-6w', 'wales', 'weeks', 6, 'referral-received', true],
    ['idp-review-12m', 'wales', 'months', 12, 'idp-issued-or-revised', false],
    ['wales-cease-reconsider-4w', 'wales', 'weeks', 4, 'cease-decision-notified', true],
    ['england-ehc-decide-6w', 'england', 'weeks', 6, 'request-received', false],
    ['england-ehc-no-plan-16w', 'england', 'weeks', 16, 'request-received', false],
    ['england-ehc-draft-15d', 'england', 'days', 15, 'draft-plan-issued', false],
    ['england-ehc-final-20w', 'england', 'weeks', 20, 'request-received', false],
    ['england-annual-review-4w', 'england', 'weeks', 4, 'meeting-held', false],
  ] as const)('%s: %s, %s × %s from %s, roll-forward %s', (id, country, kind, amount, startEvent, rollForward) => {
    expect(clockDefinition(id)).toMatchObject({ id, country, kind, amount, startEvent, rollForward });
  });

  it('every clock carries a citation in English and Welsh, and a known start event', () => {
    for (const id of CLOCK_IDS) {
      const { citation, startEvent, country } = CLOCKS[id];
      expect(citation.en.length).toBeGreaterThan(5);
      expect(citation.cy).not.toBe(citation.en);
      expect(citation.cy).toMatch(country === 'wales' ? /Deddf ADYTA 2018|Cod ADY 2021/ : /Rheoliadau AAA ac Anabledd 2014/);
      expect(START_EVENTS).toContain(startEvent);
    }
  });

  it('exceptions are allowed where the law lets a body miss the date for reasons beyond its control', () => {
    expect(CLOCK_IDS.filter((id) => CLOCKS[id].exceptionsAllowed).sort()).toEqual(
      ['wales-school-35sd', 'wales-la-12w', 'england-ehc-decide-6w', 'england-ehc-no-plan-16w', 'england-ehc-final-20w'].sort(),
    );
  });

  it('isClockId', () => {
    expect(isClockId('wales-la-12w')).toBe(true);
    expect(isClockId('wales-la-13w')).toBe(false);
  });
});

describe('England: phase transfer and annual review', () => {
  it.each([
    [2027, 'school', '2027-02-15'], // e.g. Year 6 → Year 7 in September 2027: amended by 15 February 2027
    [2027, 'post-16', '2027-03-31'], // Year 11 → college in September 2027: by 31 March 2027
    [2028, 'school', '2028-02-15'],
  ] as const)('transfer in %s (%s) → amend by %s', (year, transfer, due) => {
    const r = phaseTransferAmendmentDeadline(year, transfer);
    expect(r.ok && r.value).toEqual({
      rule: 'england-phase-transfer-amendment',
      transfer,
      transferYear: year,
      due,
      citation: { en: 'SEND Regulations 2014 reg. 18', cy: 'Rheoliadau AAA ac Anabledd 2014 rhl. 18' },
    });
  });

  it('rejects a year that is not a whole year', () => {
    expect(phaseTransferAmendmentDeadline(2027.5, 'school')).toEqual({ ok: false, error: { code: 'CLOCK.BAD_YEAR', value: 2027.5 } });
  });

  it.each([
    ['2026-06-15', '2027-06-15'], // Mon 15 Jun 2026 → Tue 15 Jun 2027
    ['2028-02-29', '2029-02-28'], // leap day → 28 Feb
    ['2026-05-31', '2027-05-31'], // Mon 31 May 2027 is the Spring bank holiday: England does not move it
  ])('annual review: review concluded %s → next within 12 months, by %s', (start, due) => {
    const r = englandAnnualReviewDue(start);
    expect(r.ok && r.value.due).toBe(due);
  });

  it('annual review explains itself and rejects bad dates', () => {
    const r = englandAnnualReviewDue('2026-05-31');
    expect(r.ok && r.value.steps).toEqual([
      { code: 'ADDED_MONTHS', n: 12, from: '2026-05-31', to: '2027-05-31' },
      { code: 'NOT_ROLLED_FORWARD', date: '2027-05-31', reason: 'bank-holiday', country: 'england' },
      { code: 'DUE', date: '2027-05-31' },
    ]);
    expect(r.ok && r.value.citation.en).toBe('Children and Families Act 2014 s.44(1)');
    expect(englandAnnualReviewDue('31/05/2026')).toEqual({ ok: false, error: { code: 'CLOCK.BAD_DATE', value: '31/05/2026' } });
  });
});

describe('period arithmetic', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28', true], // no 31 Feb
    ['2028-01-31', 1, '2028-02-29', true], // leap year
    ['2026-03-31', 12, '2027-03-31', false],
    ['2026-11-15', 3, '2027-02-15', false], // across the year end
  ] as const)('%s + %s months = %s (clamped: %s)', (from, n, to, clamped) => {
    expect(addMonthsClamped(from, n)).toMatchObject({ date: to, clamped });
  });

  it.each([
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2028, '2028-04-16'],
    [2029, '2029-04-01'],
  ])('Easter Sunday %s is %s', (year, date) => expect(easterSunday(year)).toBe(date));
});
