import { CallerIdConstants } from 'botbuilder';

/** The Bot Framework's public-cloud endpoints (botframework-connector AuthenticationConstants). */
const PUBLIC_CLOUD = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  CallerId: CallerIdConstants.PublicAzureChannel,
};

/**
 * The adapter's authentication settings. Local mode: none (anonymous). Otherwise the bot's identity; overriding the
 * OpenID metadata URL (sovereign clouds, tests) switches botbuilder to "parameterized" settings, where every endpoint
 * must be given — so the public cloud's are filled in rather than left undefined (which refuses every token).
 */
export function botAuthSettings(c: {
  localMode: boolean;
  BOT_ID?: string | undefined;
  BOT_TYPE: string;
  BOT_TENANT_ID?: string | undefined;
  BOT_PASSWORD?: string | undefined;
  BOT_OPENID_METADATA_URL?: string | undefined;
}): Record<string, string | undefined> {
  if (c.localMode) return {};
  return {
    MicrosoftAppId: c.BOT_ID,
    MicrosoftAppType: c.BOT_TYPE,
    MicrosoftAppTenantId: c.BOT_TENANT_ID,
    ...(c.BOT_PASSWORD ? { MicrosoftAppPassword: c.BOT_PASSWORD } : {}),
    ...(c.BOT_OPENID_METADATA_URL ? { ...PUBLIC_CLOUD, ToBotFromChannelOpenIdMetadataUrl: c.BOT_OPENID_METADATA_URL, ValidateAuthority: 'true' } : {}),
  };
}
