import { setLanguage } from '../../../app/set-language';
import { t, type Language } from '../../../i18n';
import { helpCard } from '../../cards/cards';
import { sendCard, type BotDeps, type Feature } from '../context';

/** /help and /iaith (/language). */
export function generalFeature(deps: BotDeps): Feature {
  return {
    commands: {
      help: async (context, { language }) => void (await sendCard(context, helpCard(language))),
      language: async (context, { actor, language, args }) => {
        const arg = args[0]?.toLowerCase();
        const requested: Language | undefined = arg && /^(cy|cymraeg|welsh)$/.test(arg) ? 'cy' : arg && /^(en|english|saesneg)$/.test(arg) ? 'en' : undefined;
        const next = await setLanguage(deps, actor.aadObjectId, language, requested);
        await context.sendActivity(t(next, 'language.switched'));
      },
    },
  };
}
