import type { TurnContext } from 'botbuilder';
import type { Application, TurnState } from '@microsoft/teams-ai';
import { attachDocument, type AttachDocumentError } from '../../../app/attach-document';
import { chooseDocumentTarget } from '../../../app/choose-document-target';
import { t, type Language } from '../../../i18n';
import { chooseReferralCard, noticeCard } from '../../cards/cards';
import { chooseDocumentsSchema, teamsFileSchema } from '../card-data';
import { actorOf, formatBytes, isPersonal, languageOf, preferencesOf, sendCard, type BotDeps, type CommandContext, type Feature } from '../context';
import { VERBS } from '../verbs';

const FILE_INFO = 'application/vnd.microsoft.teams.file.download.info';

/** "Add documents": files sent in the personal chat are stored with the chosen referral. */
export function documentsFeature(deps: BotDeps): Feature {
  const attachDeps = () => ({ ...deps, maxBytes: deps.documentMaxBytes, allowedTypes: deps.documentTypes });
  /** Files sent in a message: the document target comes with the turn's one read of the user's preferences. */
  const turnAttachDeps = (context: TurnContext) => ({ ...attachDeps(), users: { documentTarget: async () => (await preferencesOf(deps, context)).documentTarget } });
  const problem = (language: Language, e: AttachDocumentError): string => {
    switch (e.code) {
      case 'DOCUMENT.TYPE_NOT_ALLOWED':
        return t(language, 'documents.typeNotAllowed', { name: e.name, types: e.allowed.join(', ') });
      case 'DOCUMENT.TOO_LARGE':
        return t(language, 'documents.tooLarge', { name: e.name, size: formatBytes(e.maxBytes) });
      case 'DOCUMENT.DOWNLOAD_FAILED':
        return t(language, 'documents.downloadFailed', { name: e.name });
      case 'DOCUMENT.NO_TARGET':
        return t(language, 'documents.notFound');
    }
  };

  async function receive(context: TurnContext, { actor, language }: CommandContext): Promise<void> {
    if (!isPersonal(context)) return void (await context.sendActivity(t(language, 'documents.channel')));
    for (const raw of (context.activity.attachments ?? []).filter((a) => a.contentType === FILE_INFO)) {
      const file = teamsFileSchema.safeParse(raw);
      if (!file.success) {
        await context.sendActivity(t(language, 'documents.downloadFailed', { name: '?' }));
        continue;
      }
      const incoming = { name: file.data.name, fileType: file.data.content.fileType, downloadUrl: file.data.content.downloadUrl };
      const result = await attachDocument(turnAttachDeps(context), actor, incoming);
      if (result.ok) {
        await context.sendActivity(t(language, 'documents.stored', { name: result.value.name, reference: result.value.reference }));
      } else if (result.error.code === 'DOCUMENT.NO_TARGET') {
        const mine = await deps.referrals.listBySubmitter(actor.aadObjectId, 0, 5);
        if (mine.items.length === 0) await context.sendActivity(t(language, 'documents.noTargetNone', { name: incoming.name }));
        else await sendCard(context, chooseReferralCard(language, incoming, mine.items.map((r) => r.reference)));
      } else {
        if (result.error.code === 'DOCUMENT.DOWNLOAD_FAILED') deps.log.warn({ event: 'document.download_failed', correlationId: actor.correlationId }, 'file download failed');
        await context.sendActivity(problem(language, result.error));
      }
    }
  }

  return {
    attachments: { contentType: FILE_INFO, handle: receive },
    register(app: Application<TurnState>) {
      app.adaptiveCards.actionExecute(VERBS.chooseDocuments, async (context, _state, data) => {
        const actor = actorOf(context);
        const language = await languageOf(deps, context);
        if (!isPersonal(context)) return noticeCard(t(language, 'documents.channel'));
        const parsed = chooseDocumentsSchema.safeParse(data);
        if (!parsed.success) return noticeCard(t(language, 'documents.notFound'), { color: 'Warning' });
        const chosen = await chooseDocumentTarget({ ...deps, targetMinutes: deps.documentTargetMinutes }, actor, parsed.data.reference);
        if (!chosen.ok) return noticeCard(t(language, chosen.error.code === 'DOCUMENT.NOT_YOURS' ? 'documents.notYours' : 'documents.notFound'), { color: 'Warning' });
        const file = parsed.data.file;
        if (!file) return noticeCard(t(language, 'documents.target', { reference: chosen.value.reference, minutes: deps.documentTargetMinutes }), { color: 'Good' });
        const stored = await attachDocument(attachDeps(), actor, file);
        return stored.ok
          ? noticeCard(t(language, 'documents.stored', { name: stored.value.name, reference: stored.value.reference }), { color: 'Good' })
          : noticeCard(problem(language, stored.error), { color: 'Warning' });
      });
    },
  };
}
