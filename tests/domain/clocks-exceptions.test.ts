import { reportClock, type ClockException, type ClockInstance } from '../../src/domain/clocks';

const waitingForHealth: ClockException = {
  reason: 'Waiting for paediatric advice requested on 2025-10-06 (impractical for reasons beyond the school’s control)',
  recordedBy: 'aad:alnco-1',
  recordedAt: '2025-11-20T10:15:00Z',
};
const instance = (exceptions: readonly ClockException[], clockId = 'wales-school-35sd'): ClockInstance => ({
  clockId,
  start: '2025-10-01',
  due: '2025-11-26',
  exceptions,
});

describe('reportClock: exceptions are data beside an unchanged due date', () => {
  it('keeps the due date and lists the exception', () => {
    const r = reportClock(instance([waitingForHealth]));
    expect(r).toEqual({
      ok: true,
      value: {
        clockId: 'wales-school-35sd',
        start: '2025-10-01',
        due: '2025-11-26',
        citation: { en: 'ALNET Act 2018 s.11; ALN Code 2021', cy: 'Deddf ADYTA 2018 a.11; Cod ADY 2021' },
        exceptions: [waitingForHealth],
        hasExceptions: true,
      },
    });
  });

  // [asOf, exceptions recorded?, status, days overdue]
  it.each([
    ['2025-11-25', false, 'open', undefined],
    ['2025-11-26', false, 'due-today', undefined],
    ['2025-11-28', false, 'overdue', 2], // 26 Nov + 2 days
    ['2025-12-01', true, 'overdue-exception-recorded', 5], // 26 Nov → 1 Dec is 5 days
  ])('as of %s (exception: %s) → %s', (asOf, withException, status, daysOverdue) => {
    const r = reportClock(instance(withException ? [waitingForHealth] : []), asOf);
    expect(r.ok && r.value.status).toBe(status);
    expect(r.ok && r.value.daysOverdue).toBe(daysOverdue);
    expect(r.ok && r.value.due).toBe('2025-11-26');
  });

  it('refuses an exception on a clock whose law allows none', () => {
    expect(reportClock(instance([waitingForHealth], 'wales-nhs-6w'))).toEqual({
      ok: false,
      error: { code: 'CLOCK.EXCEPTION_NOT_ALLOWED', clockId: 'wales-nhs-6w' },
    });
  });

  it.each([
    [{ ...waitingForHealth, reason: '  ' }, 'reason'],
    [{ ...waitingForHealth, recordedBy: '' }, 'recordedBy'],
    [{ ...waitingForHealth, recordedAt: '2025-11-20' }, 'recordedAt'], // a date, not an instant
    [{ ...waitingForHealth, recordedAt: '2025-11-20T10:15:00' }, 'recordedAt'], // no zone
    [{ ...waitingForHealth, recordedAt: '2025-13-20T10:15:00Z' }, 'recordedAt'],
  ] as [ClockException, keyof ClockException][])('rejects an exception with a bad %s', (e, field) => {
    const r = reportClock(instance([waitingForHealth, e]));
    expect(!r.ok && r.error).toMatchObject({ code: 'CLOCK.EXCEPTION_INVALID', index: 1, field });
  });

  it('accepts an instant with an offset (BST)', () => {
    expect(reportClock(instance([{ ...waitingForHealth, recordedAt: '2026-06-01T09:00:00.000+01:00' }])).ok).toBe(true);
  });

  it('rejects an unknown clock and bad dates', () => {
    expect(!reportClock(instance([], 'nope')).ok).toBe(true);
    expect(reportClock({ ...instance([]), due: '2025-11-31' })).toEqual({ ok: false, error: { code: 'CLOCK.BAD_DATE', field: 'due', value: '2025-11-31' } });
    expect(reportClock(instance([]), 'tomorrow')).toEqual({ ok: false, error: { code: 'CLOCK.BAD_DATE', field: 'asOf', value: 'tomorrow' } });
  });
});
