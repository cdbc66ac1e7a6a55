import type { Country } from '../routes';

/** A short legal reference in both languages, shown with every due date (Welsh Language Standards: Welsh no less favourably). */
export interface Citation {
  readonly en: string;
  readonly cy: string;
}

export const CLOCK_IDS = [
  'wales-school-35sd',
  'wales-la-12w',
  'wales-la-reconsider-7w',
  'wales-nhs-6w',
  'idp-review-12m',
  'wales-cease-reconsider-4w',
  'england-ehc-decide-6w',
  'england-ehc-no-plan-16w',
  'england-ehc-draft-15d',
  'england-ehc-final-20w',
  'england-annual-review-4w',
] as const;
export type ClockId = (typeof CLOCK_IDS)[number];

/** How a clock's period is measured. Only `school-days` needs the term calendar. */
export type ClockKind = 'school-days' | 'days' | 'weeks' | 'months';

/** The event that starts a clock, as a stable code recorded with the clock instance. */
export const START_EVENTS = [
  'matter-brought-to-attention',
  'young-person-consented',
  'request-received',
  'referral-received',
  'idp-issued-or-revised',
  'cease-decision-notified',
  'draft-plan-issued',
  'meeting-held',
] as const;
export type StartEvent = (typeof START_EVENTS)[number];

export interface ClockDefinition {
  readonly id: ClockId;
  readonly country: Country;
  readonly kind: ClockKind;
  readonly amount: number;
  readonly startEvent: StartEvent;
  /** For a young person (over compulsory school age) the clock starts when they consent instead. */
  readonly youngPersonStartEvent?: StartEvent;
  /** `days` clocks only: the start day is day 1 ("beginning with the day on which…"), so the last day is start + amount − 1. */
  readonly startDayCounts?: boolean;
  readonly citation: Citation;
  /** Wales: a period ending on a day that is not a working day runs on to the next working day. */
  readonly rollForward: boolean;
  /** Whether the law lets the body miss the date for reasons beyond its control (recorded as a ClockException, never a moved date). */
  readonly exceptionsAllowed: boolean;
}

const ALN_CODE = { en: 'ALN Code 2021', cy: 'Cod ADY 2021' };
const act = (s: string): Citation => ({ en: `ALNET Act 2018 s.${s}`, cy: `Deddf ADYTA 2018 a.${s}` });
const withCode = (c: Citation): Citation => ({ en: `${c.en}; ${ALN_CODE.en}`, cy: `${c.cy}; ${ALN_CODE.cy}` });
const sendRegs = (r: string, code?: string): Citation => ({
  en: `SEND Regulations 2014 reg. ${r}${code ? `; SEND Code of Practice 2015, ${code}` : ''}`,
  cy: `Rheoliadau AAA ac Anabledd 2014 rhl. ${r}${code ? `; Cod Ymarfer AAA ac Anabledd 2015, ${code}` : ''}`,
});

/** The statutory clocks (DOMAIN.md "Clocks the product must compute"); counting rules in docs/clocks.md. */
export const CLOCKS: Readonly<Record<ClockId, ClockDefinition>> = {
  'wales-school-35sd': {
    id: 'wales-school-35sd', country: 'wales', kind: 'school-days', amount: 35,
    startEvent: 'matter-brought-to-attention', youngPersonStartEvent: 'young-person-consented',
    citation: withCode(act('11')), rollForward: true, exceptionsAllowed: true,
  },
  'wales-la-12w': {
    id: 'wales-la-12w', country: 'wales', kind: 'weeks', amount: 12,
    startEvent: 'matter-brought-to-attention', youngPersonStartEvent: 'young-person-consented',
    citation: withCode(act('13')), rollForward: true, exceptionsAllowed: true,
  },
  'wales-la-reconsider-7w': {
    id: 'wales-la-reconsider-7w', country: 'wales', kind: 'weeks', amount: 7, startEvent: 'request-received',
    citation: withCode(act('26')), rollForward: true, exceptionsAllowed: false,
  },
  'wales-nhs-6w': {
    id: 'wales-nhs-6w', country: 'wales', kind: 'weeks', amount: 6, startEvent: 'referral-received',
    citation: withCode(act('20')), rollForward: true, exceptionsAllowed: false,
  },
  'idp-review-12m': {
    id: 'idp-review-12m', country: 'wales', kind: 'months', amount: 12, startEvent: 'idp-issued-or-revised',
    citation: act('23(2)–(3)'), rollForward: false, exceptionsAllowed: false,
  },
  'wales-cease-reconsider-4w': {
    id: 'wales-cease-reconsider-4w', country: 'wales', kind: 'weeks', amount: 4, startEvent: 'cease-decision-notified',
    citation: { en: 'ALNET Act 2018 s.32(1)(b); ALN (Wales) Regulations 2021', cy: 'Deddf ADYTA 2018 a.32(1)(b); Rheoliadau ADY (Cymru) 2021' },
    rollForward: true, exceptionsAllowed: false,
  },
  'england-ehc-decide-6w': {
    id: 'england-ehc-decide-6w', country: 'england', kind: 'weeks', amount: 6, startEvent: 'request-received',
    citation: sendRegs('4(1)', '9.14'), rollForward: false, exceptionsAllowed: true,
  },
  'england-ehc-no-plan-16w': {
    id: 'england-ehc-no-plan-16w', country: 'england', kind: 'weeks', amount: 16, startEvent: 'request-received',
    citation: sendRegs('10(1)'), rollForward: false, exceptionsAllowed: true,
  },
  'england-ehc-draft-15d': {
    id: 'england-ehc-draft-15d', country: 'england', kind: 'days', amount: 15, startEvent: 'draft-plan-issued', startDayCounts: true,
    citation: sendRegs('13(1)'), rollForward: false, exceptionsAllowed: false,
  },
  'england-ehc-final-20w': {
    id: 'england-ehc-final-20w', country: 'england', kind: 'weeks', amount: 20, startEvent: 'request-received',
    citation: sendRegs('13(2)', '9.40'), rollForward: false, exceptionsAllowed: true,
  },
  'england-annual-review-4w': {
    id: 'england-annual-review-4w', country: 'england', kind: 'weeks', amount: 4, startEvent: 'meeting-held',
    citation: sendRegs('20', '9.176'), rollForward: false, exceptionsAllowed: false,
  },
};

/** True when `id` names one of the statutory clocks. */
export function isClockId(id: string): id is ClockId {
  return (CLOCK_IDS as readonly string[]).includes(id);
}

/** The definition of a clock (DOMAIN.md "Clocks the product must compute"). */
export function clockDefinition(id: ClockId): ClockDefinition {
  return CLOCKS[id];
}
