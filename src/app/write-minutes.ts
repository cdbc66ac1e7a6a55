import { londonDate } from '../domain/dates';
import { memberOf, tally, type Decision, type Panel } from '../domain/panels';
import { err, ok, type Result } from '../domain/result';
import type { AuditLog } from '../ports/audit';
import type { Clock } from '../ports/clock';
import type { Directory } from '../ports/directory';
import type { DocumentStore, StoredDocument } from '../ports/documents';
import type { AgendaItem, PanelStore } from '../ports/panel-store';
import type { Actor } from './actor';
import { panelToRun, type PanelAccessError } from './panel-access';

/** The words the minutes need, in the requester's language (the adapter supplies them from the string catalogue). */
export interface MinutesWords {
  title(panel: Panel, date: string): string;
  route(routeId: string): string;
  outcome(outcome: Decision['outcome']): string;
  headings: { reference: string; initials: string; route: string; recommendations: string; conflicts: string; outcome: string; reasons: string; lead: string; quorumOverride: string; actions: string; due: string };
}

export type MinutesError = PanelAccessError | { readonly code: 'MINUTES.NONE'; readonly date: string };

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${s.replace(/^([=+\-@])/, "'$1").replace(/"/g, '""')}"` : s;
};
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * `/panel minutes`: the meeting's record (items, recommendations counted and conflicts, decisions with reasons,
 * actions) as Markdown and HTML, and a CSV export, stored with the panel's documents.
 */
export async function writeMinutes(
  deps: { panels: PanelStore; directory: Directory; documents: DocumentStore; audit: AuditLog; clock: Clock },
  actor: Actor,
  panelId: string,
  words: MinutesWords,
): Promise<Result<{ date: string; files: StoredDocument[] }, MinutesError>> {
  const access = await panelToRun(deps, actor.aadObjectId, panelId);
  if (!access.ok) return access;
  const panel = access.value;
  const now = deps.clock.now();
  const date = (await deps.panels.meetingDate(panelId)) ?? londonDate(now);
  const decided = await deps.panels.decidedOn(panelId, date);
  if (decided.length === 0) return err({ code: 'MINUTES.NONE', date });

  const rows: { item: AgendaItem; decision: Decision; counts: string; conflicts: string }[] = [];
  for (const { item, decision } of decided) {
    const t = tally(panel, await deps.panels.recommendations(item.id));
    const counts = Object.entries(t.counts).map(([k, n]) => `${k} ${n}`).join(', ');
    rows.push({ item, decision, counts, conflicts: t.conflicts.map((id) => memberOf(panel, id)?.name ?? id).join(', ') });
  }
  const h = words.headings;
  const owner = (id: string) => memberOf(panel, id)?.name ?? id;
  const md = [
    `# ${words.title(panel, date)}`,
    ...rows.flatMap(({ item, decision, counts, conflicts }) => [
      '',
      `## ${item.reference} (${item.initials}) · ${words.route(item.routeId)}`,
      `- ${h.recommendations}: ${counts}`,
      `- ${h.conflicts}: ${conflicts || '-'}`,
      `- ${h.outcome}: ${words.outcome(decision.outcome)}`,
      `- ${h.reasons}: ${decision.reasons}`,
      `- ${h.lead}: ${decision.lead}`,
      ...(decision.quorumOverrideReason ? [`- ${h.quorumOverride}: ${decision.quorumOverrideReason}`] : []),
      ...(decision.nextSteps.length ? [`- ${h.actions}:`, ...decision.nextSteps.map((s) => `  - ${s.text} (${owner(s.owner)}, ${h.due} ${s.due})`)] : []),
    ]),
    '',
  ].join('\n');
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>${html(words.title(panel, date))}</title></head><body><h1>${html(words.title(panel, date))}</h1>${rows
    .map(
      ({ item, decision, counts, conflicts }) =>
        `<h2>${html(`${item.reference} (${item.initials}) · ${words.route(item.routeId)}`)}</h2><dl>` +
        [[h.recommendations, counts], [h.conflicts, conflicts || '-'], [h.outcome, words.outcome(decision.outcome)], [h.reasons, decision.reasons], [h.lead, decision.lead],
          ...(decision.quorumOverrideReason ? [[h.quorumOverride, decision.quorumOverrideReason]] : [])]
          .map(([k, v]) => `<dt>${html(k!)}</dt><dd>${html(v!)}</dd>`).join('') +
        `</dl>${decision.nextSteps.length ? `<h3>${html(h.actions)}</h3><ul>${decision.nextSteps.map((s) => `<li>${html(`${s.text} (${owner(s.owner)}, ${h.due} ${s.due})`)}</li>`).join('')}</ul>` : ''}`,
    )
    .join('')}</body></html>`;
  const csv = [
    [h.reference, h.initials, h.route, h.recommendations, h.conflicts, h.outcome, h.reasons, h.lead, h.quorumOverride, h.actions].map(csvCell).join(','),
    ...rows.map(({ item, decision, counts, conflicts }) =>
      [item.reference, item.initials, words.route(item.routeId), counts, conflicts, words.outcome(decision.outcome), decision.reasons, decision.lead, decision.quorumOverrideReason ?? '',
        decision.nextSteps.map((s) => `${s.text} (${owner(s.owner)}, ${s.due})`).join('; ')].map(csvCell).join(','),
    ),
  ].join('\r\n');
  const folder = `MINUTES-${panel.id.toUpperCase()}-${date}`;
  const files: StoredDocument[] = [];
  for (const [name, type, text] of [[`minutes-${panel.id}-${date}.md`, 'md', md], [`minutes-${panel.id}-${date}.html`, 'html', page], [`decisions-${panel.id}-${date}.csv`, 'csv', csv]] as const) {
    files.push(await deps.documents.put({ reference: folder, name, type, bytes: Buffer.from(text, 'utf8'), storedBy: actor.aadObjectId, at: now }));
  }
  await deps.audit.record({ at: now.toISOString(), actor: actor.aadObjectId, action: 'panel.minutes', recordType: 'panel', recordId: panel.id, correlationId: actor.correlationId, detail: { date, items: rows.length } });
  return ok({ date, files });
}
