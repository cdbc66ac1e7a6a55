import { strings, t } from '../../../i18n';
import type { OutboxAdmin, OutboxState } from '../../../ports/outbox';
import { noticeCard } from '../../cards/cards';
import { renderCard } from '../../cards/render';
import { sendCard, type BotDeps, type Feature } from '../context';

/** /admin outbox (/gweinyddu outbox): counts, the latest dead letters (no personal data) and users who never installed the bot. */
export function adminFeature(deps: BotDeps, own: { outbox: OutboxAdmin; counts(): Promise<Record<OutboxState, number>> }): Feature {
  return {
    commands: {
      admin: async (context, { actor, language, args }) => {
        if (!deps.directory.isAdmin(actor.aadObjectId)) return void (await sendCard(context, noticeCard(t(language, 'adminOutbox.notAdmin'), { color: 'Warning' })));
        if (args[0]?.toLowerCase() !== 'outbox') return void (await context.sendActivity(t(language, 'adminOutbox.usage')));
        const [counts, dead, notInstalled] = await Promise.all([own.counts(), own.outbox.deadLetters(10), own.outbox.notInstalled(10)]);
        await sendCard(
          context,
          renderCard('admin-outbox', {
            t: strings(language),
            // FactSet values must be strings.
            counts: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, String(v)])),
            dead: dead.map((d) => ({ line: t(language, 'adminOutbox.deadLine', { id: d.id, template: d.template, target: d.targetKind, attempts: d.attempts, error: d.lastError ?? '' }) })),
            notInstalled: notInstalled.map((u) => ({ line: t(language, 'adminOutbox.notInstalledLine', { user: u.aadObjectId, n: u.waiting }) })),
          }),
        );
      },
    },
  };
}
