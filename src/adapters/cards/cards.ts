import { AREAS_OF_NEED, CONSENT_GIVERS, LANGUAGES_OF_EDUCATION, REFERRAL_FORM_FIELDS, STAGES, URGENCIES, YEAR_GROUPS, type FieldError, type Referral } from '../../domain/referral';
import { AGENCIES, ROUTE_IDS, type Country, type RouteId } from '../../domain/routes';
import { strings, t, type Language } from '../../i18n';
import type { School } from '../../ports/directory';
import { renderCard, type Card } from './render';

const options = <K extends string>(ids: readonly K[], names: Record<K, string>) => ids.map((id) => ({ id, title: names[id] }));

/** Long dates in the user's language, e.g. "Tuesday 19 January 2027" / "Dydd Mawrth 19 Ionawr 2027". */
const LONG_DATE: Record<Language, Intl.DateTimeFormat> = {
  en: new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
  cy: new Intl.DateTimeFormat('cy-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
};

export function formatDate(iso: string, language: Language): string {
  const parts = LONG_DATE[language].formatToParts(new Date(`${iso}T12:00:00Z`));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  // Built from parts so ICU versions that add a comma after the weekday all read the same.
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}`;
}

export function errorText(language: Language, e: FieldError): string {
  return t(language, `errors.${e.code}`, e.params ?? {});
}

export interface ReferralFormInput {
  readonly language: Language;
  readonly country: Country;
  readonly schools: readonly School[];
  readonly idempotencyKey: string;
  readonly today: string;
  readonly values?: Readonly<Record<string, unknown>>;
  readonly errors?: readonly FieldError[];
  readonly formError?: string;
}

export function referralFormCard(input: ReferralFormInput): Card {
  const s = strings(input.language);
  const errors: Record<string, string> = {};
  for (const e of input.errors ?? []) errors[e.field] = errorText(input.language, e);
  // Every field gets a value ('' when empty): an unbound ${...} would otherwise show as literal text.
  const values: Record<string, string> = Object.fromEntries(REFERRAL_FORM_FIELDS.map((f) => [f, '']));
  for (const [k, v] of Object.entries(input.values ?? {})) if (k in values && v !== undefined && v !== null) values[k] = String(v);
  if (!values.lookedAfter) values.lookedAfter = 'false';
  if (input.schools.length === 1 && !values.schoolId) values.schoolId = input.schools[0]!.id;
  if (!values.urgency) values.urgency = 'routine';
  return renderCard('referral-form', {
    t: s,
    values,
    errors,
    hasErrors: Object.keys(errors).length > 0,
    ...(input.formError ? { formError: input.formError } : {}),
    idempotencyKey: input.idempotencyKey,
    today: input.today,
    routes: options(ROUTE_IDS, s.routes),
    schools: input.schools.map((sc) => ({ id: sc.id, title: sc.name[input.language] })),
    yearGroups: options(YEAR_GROUPS, s.yearGroups),
    languages: options(LANGUAGES_OF_EDUCATION, s.languagesOfEducation),
    areas: options(AREAS_OF_NEED, s.areas),
    stages: options(STAGES, s.stages[input.country]),
    urgencies: options(URGENCIES, s.urgency),
    consentGivers: options(CONSENT_GIVERS, s.consentGivers),
    agencies: options(AGENCIES, s.agencies),
  });
}

export function confirmationCard(
  language: Language,
  referral: Referral,
  school: School | undefined,
  repeat: boolean,
  citation?: { en: string; cy: string },
): Card {
  const s = strings(language);
  const clock = referral.clock;
  return renderCard('referral-confirmation', {
    t: s,
    repeat,
    reference: referral.reference,
    route: s.routes[referral.routeId],
    school: school?.name[language] ?? referral.schoolId,
    status: s.status[referral.status],
    next: s.next[referral.routeId],
    ...(clock ? { clock: t(language, `clocks.${clock.clockId}`) } : {}),
    ...(clock?.due ? { due: formatDate(clock.due, language) } : {}),
    ...(clock?.due && citation ? { citation: citation[language] } : {}),
    dueUnknown: Boolean(clock && !clock.due),
  });
}

/** The card for shared channels and group chats: case reference, initials and route only, Welsh first. */
export function caseCard(data: { reference: string; initials: string; routeId: RouteId }): Card {
  return renderCard('case-card', {
    cy: strings('cy'),
    en: strings('en'),
    reference: data.reference,
    initials: data.initials,
    routeCy: strings('cy').routes[data.routeId],
    routeEn: strings('en').routes[data.routeId],
  });
}

export function myReferralsCard(language: Language, page: { items: readonly Referral[]; total: number; page: number; pages: number }): Card {
  const s = strings(language);
  return renderCard('my-referrals', {
    t: s,
    page: page.page,
    pages: page.pages,
    pageOf: t(language, 'my.pageOf', { page: page.page, pages: page.pages, total: page.total }),
    items: page.items.map((r) => ({
      reference: r.reference,
      route: s.routes[r.routeId],
      status: s.status[r.status],
      due: r.clock?.due ? t(language, 'my.due', { date: formatDate(r.clock.due, language) }) : s.my.noDue,
    })),
  });
}

export function helpCard(language: Language): Card {
  const s = strings(language);
  const help = s.help as Record<string, string>;
  const order = ['refer', 'my', 'deadline', 'reviews', 'idp', 'ep', 'panel', 'admin', 'language', 'help'];
  return renderCard('help', { t: s, lines: order.filter((k) => typeof help[k] === 'string').map((k) => ({ line: help[k]! })) });
}

export function noticeCard(text: string, opts: { title?: string; color?: 'Default' | 'Good' | 'Warning' | 'Attention' } = {}): Card {
  return renderCard('notice', { text, color: opts.color ?? 'Default', ...(opts.title ? { title: opts.title } : {}) });
}

export function chooseReferralCard(language: Language, file: Record<string, unknown>, references: readonly string[]): Card {
  return renderCard('choose-referral', {
    question: t(language, 'documents.noTarget', { name: String(file.name ?? '') }),
    file,
    options: references.map((reference) => ({ reference, title: t(language, 'documents.attachHere', { reference }) })),
  });
}
