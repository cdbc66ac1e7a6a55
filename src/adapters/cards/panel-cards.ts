import type { ItemState } from '../../app/record-recommendation';
import { OUTCOMES, type Decision, type DecisionFieldError, type Panel, type Recommendation } from '../../domain/panels';
import type { Referral } from '../../domain/referral';
import { ROUTE_IDS, type RouteId } from '../../domain/routes';
import { strings, t, type Language } from '../../i18n';
import type { AgendaItem } from '../../ports/panel-store';
import { formatDate } from './cards';
import { renderCard, type Card } from './render';

/** Automatic card refresh reaches at most 60 listed users (Teams platform limit); larger panels refresh by hand. */
export const REFRESH_USER_LIMIT = 60;

const both = (key: string, params: Record<string, string | number> = {}) => `${t('cy', key, params)} / ${t('en', key, params)}`;
/** Names listed on an item card; beyond this the card says how many more (a card listing 200 names helps nobody). */
export const NAMES_LISTED = 20;

function names(panel: Panel, ids: readonly string[], language: Language): string {
  if (ids.length === 0) return t(language, 'panel.nobody');
  const byId = new Map(panel.members.map((m) => [m.aadObjectId, m.name]));
  const listed = ids.slice(0, NAMES_LISTED).map((id) => byId.get(id) ?? id).join(', ');
  return ids.length > NAMES_LISTED ? t(language, 'panel.andMore', { names: listed, n: ids.length - NAMES_LISTED }) : listed;
}

function recommendationText(r: Recommendation | undefined, language: Language): string {
  if (!r) return '';
  if (r.conflict) return t(language, 'panel.yourConflict');
  const value = r.value ? t(language, `panel.${r.value}`) : '';
  const route = r.otherRoute ? ` (${strings(language).routes[r.otherRoute]})` : '';
  return t(language, 'panel.yours', { value: value + route });
}

/**
 * The card on an agenda item in the panel's channel, Welsh first: reference, initials and route only (no school,
 * year group or needs), the live tally, who has responded. `viewer` gives a member their own recommendation.
 */
export function panelItemCard(state: ItemState, opts: { meetingDate?: string; decision?: Decision; viewer?: string } = {}): Card {
  const { panel, item, tally } = state;
  const mine = opts.viewer ? state.recommendations.find((r) => r.member === opts.viewer) : undefined;
  const tallyFor = (language: Language) =>
    t(language, 'panel.tally', { support: tally.counts.support, notSupport: tally.counts['not-support'], more: tally.counts['more-information'], elsewhere: tally.counts['refer-elsewhere'] });
  const quorumFor = (language: Language) => {
    if (tally.quorum.met) return t(language, 'panel.quorumMet');
    const missing = [
      ...(tally.quorum.missingMembers > 0 ? [t(language, 'panel.missingMembers', { n: tally.quorum.missingMembers })] : []),
      ...(tally.quorum.missingAgencies.length > 0 ? [t(language, 'panel.missingAgencies', { agencies: tally.quorum.missingAgencies.map((a) => strings(language).agencies[a]).join(', ') })] : []),
    ];
    return t(language, 'panel.quorumNotMet', { missing: missing.join('; ') });
  };
  const closed = item.status === 'closed';
  const outcome = opts.decision ? opts.decision.outcome : undefined;
  return renderCard('panel-item', {
    itemId: item.id,
    userIds: panel.members.slice(0, REFRESH_USER_LIMIT).map((m) => m.aadObjectId),
    panelName: `${panel.name.cy} / ${panel.name.en}`,
    meeting: opts.meetingDate ? `${t('cy', 'panel.nextMeeting', { date: formatDate(opts.meetingDate, 'cy') })} / ${t('en', 'panel.nextMeeting', { date: formatDate(opts.meetingDate, 'en') })}` : '',
    reference: item.reference,
    initials: item.initials,
    routeCy: strings('cy').routes[item.routeId as RouteId] ?? item.routeId,
    routeEn: strings('en').routes[item.routeId as RouteId] ?? item.routeId,
    labels: { reference: both('case.reference'), initials: both('case.initials'), routeCy: t('cy', 'case.route'), routeEn: t('en', 'case.route') },
    closed,
    closedText: outcome ? `${t('cy', 'panel.closed', { outcome: t('cy', `panel.outcomes.${outcome}`) })} / ${t('en', 'panel.closed', { outcome: t('en', `panel.outcomes.${outcome}`) })}` : '',
    yours: mine ? `${recommendationText(mine, 'cy')} / ${recommendationText(mine, 'en')}` : '',
    tallyCy: tallyFor('cy'),
    tallyEn: tallyFor('en'),
    countedCy: t('cy', 'panel.counted', { counted: tally.counted, conflicts: tally.conflicts.length }),
    countedEn: t('en', 'panel.counted', { counted: tally.counted, conflicts: tally.conflicts.length }),
    quorumCy: quorumFor('cy'),
    quorumEn: quorumFor('en'),
    quorumColor: tally.quorum.met ? 'Good' : 'Warning',
    respondedCy: t('cy', 'panel.responded', { names: names(panel, tally.responded, 'cy') }),
    awaitingCy: t('cy', 'panel.awaiting', { names: names(panel, tally.awaiting, 'cy') }),
    respondedEn: t('en', 'panel.responded', { names: names(panel, tally.responded, 'en') }),
    awaitingEn: t('en', 'panel.awaiting', { names: names(panel, tally.awaiting, 'en') }),
    routes: ROUTE_IDS.map((id) => ({ id, title: `${strings('cy').routes[id]} / ${strings('en').routes[id]}` })),
    btn: {
      support: both('panel.support'), notSupport: both('panel.not-support'), moreInformation: both('panel.more-information'), referElsewhere: both('panel.refer-elsewhere'),
      conflict: both('panel.conflict'), viewDetails: both('panel.viewDetails'), recordDecision: both('panel.recordDecision'), refresh: both('panel.refresh'),
      more: 'Mwy / More', otherRoute: both('panel.otherRoute'), comment: both('panel.comment'),
    },
  });
}

export function decisionFormCard(
  language: Language,
  state: ItemState,
  owners: readonly { id: string; name: string }[],
  opts: { today: string; values?: Record<string, unknown>; errors?: readonly DecisionFieldError[] },
): Card {
  const s = strings(language);
  const errors: Record<string, string> = {};
  for (const e of opts.errors ?? []) errors[e.field] = t(language, `errors.${e.code}`);
  const fields = ['outcome', 'reasons', 'lead', 'quorumOverrideReason', ...[1, 2, 3].flatMap((n) => [`step${n}Owner`, `step${n}Text`, `step${n}Due`])];
  const values: Record<string, string> = Object.fromEntries(fields.map((f) => [f, typeof opts.values?.[f] === 'string' ? String(opts.values[f]).slice(0, 4000) : '']));
  const labels: Record<string, string> = {};
  for (const n of [1, 2, 3]) {
    labels[`step${n}OwnerLabel`] = t(language, 'panel.stepOwner', { n });
    labels[`step${n}TextLabel`] = t(language, 'panel.stepText', { n });
    labels[`step${n}DueLabel`] = t(language, 'panel.stepDue', { n });
  }
  return renderCard('panel-decision', {
    t: s,
    title: t(language, 'panel.decisionTitle', { reference: state.item.reference }),
    itemId: state.item.id,
    quorumMet: state.tally.quorum.met,
    outcomes: OUTCOMES.map((id) => ({ id, title: s.panel.outcomes[id] })),
    owners,
    values,
    errors,
    today: opts.today,
    ...labels,
  });
}

export function agendaCard(
  language: Language,
  view: { panel: Panel; meetingDate?: string; items: readonly AgendaItem[]; deferred: readonly AgendaItem[] },
  opts: { today: string; error?: string },
): Card {
  const s = strings(language);
  const line = (i: AgendaItem, position: number) =>
    t(language, 'panel.itemLine', { position, reference: i.reference, initials: i.initials, route: s.routes[i.routeId as RouteId] ?? i.routeId });
  return renderCard('panel-agenda', {
    t: s,
    panelId: view.panel.id,
    title: t(language, 'panel.agendaTitle', { panel: view.panel.name[language] }),
    meeting: view.meetingDate ? t(language, 'panel.nextMeeting', { date: formatDate(view.meetingDate, language) }) : s.panel.noMeetingDate,
    meetingDate: view.meetingDate ?? '',
    today: opts.today,
    items: view.items.map((i, n) => ({ id: i.id, line: line(i, n + 1) })),
    deferred: view.deferred.map((i, n) => ({ line: line(i, n + 1) + (i.deferredUntil ? ` → ${formatDate(i.deferredUntil, language)}` : '') })),
    error: opts.error ?? '',
    hint: t(language, 'panel.openHint', { panelId: view.panel.id }),
  });
}

export function outcomeCard(language: Language, data: { reference: string; panelName: string; outcome: string; reasons: string; lead: string; nextSteps: readonly { text: string; due: string }[] }): Card {
  const s = strings(language);
  return renderCard('outcome-card', {
    t: s,
    title: t(language, 'panel.outcomeTitle', { reference: data.reference }),
    intro: t(language, 'panel.outcomeIntro', { panel: data.panelName }),
    outcome: t(language, `panel.outcomes.${data.outcome}`),
    reasons: data.reasons,
    lead: data.lead,
    steps: data.nextSteps.map((x) => ({ line: t(language, 'panel.stepLine', { text: x.text, due: formatDate(x.due, language) }) })),
  });
}

/** The full referral, for the details dialog (only ever shown to people entitled to it). */
export function referralDetailsCard(language: Language, r: Referral, schoolName: string | undefined, country: 'wales' | 'england'): Card {
  const s = strings(language);
  const facts = [
    [s.confirm.reference, r.reference],
    [s.confirm.route, s.routes[r.routeId]],
    [s.confirm.school, schoolName ?? r.schoolId],
    [s.form.learnerRef, r.learner.localRef],
    [s.form.initials, r.learner.initials],
    [s.form.yearGroup, s.yearGroups[r.learner.yearGroup]],
    [s.form.dateOfBirth, formatDate(r.learner.dateOfBirth, language)],
    [s.form.language, s.languagesOfEducation[r.learner.language]],
    [s.form.lookedAfter, r.learner.lookedAfter ? s.yesNo.yes : s.yesNo.no],
    [s.form.areasOfNeed, r.areasOfNeed.map((a) => s.areas[a]).join('; ')],
    [s.form.stage, s.stages[country][r.stage]],
    [s.form.urgency, s.urgency[r.urgency]],
    [s.confirm.status, s.status[r.status]],
    ...(r.consent ? [[s.form.consentGivenBy, `${s.consentGivers[r.consent.givenBy]}, ${formatDate(r.consent.date, language)}`], [s.form.consentAgencies, r.consent.agencies.map((a) => s.agencies[a]).join(', ')]] : []),
    ...(r.clock?.due ? [[s.confirm.due, formatDate(r.clock.due, language)]] : []),
  ].map(([label, value]) => ({ label, value }));
  const texts = [
    { label: s.form.tried, value: r.tried },
    { label: s.form.ask, value: r.ask },
    ...(r.parentView ? [{ label: s.form.parentView, value: r.parentView }] : []),
  ];
  return renderCard('referral-details', { title: t(language, 'panel.detailsTitle', { reference: r.reference }), facts, texts });
}
