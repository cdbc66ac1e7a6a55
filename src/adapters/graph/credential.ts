import { ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

export interface CredentialSettings {
  readonly GRAPH_CREDENTIAL: 'managed-identity' | 'certificate' | 'secret' | 'token';
  readonly GRAPH_ACCESS_TOKEN?: string | undefined;
  readonly GRAPH_TENANT_ID?: string | undefined;
  readonly GRAPH_CLIENT_ID?: string | undefined;
  readonly GRAPH_CLIENT_SECRET?: string | undefined;
  readonly GRAPH_CERTIFICATE_PATH?: string | undefined;
  readonly GRAPH_BASE_URL: string;
  readonly SHAREPOINT_SITE?: string | undefined;
}

export interface Tokens {
  /** Bearer token for Microsoft Graph. */
  graph(): Promise<string>;
  /** Bearer token for the site's SharePoint REST API; undefined when the credential cannot get one SharePoint accepts. */
  readonly sharePoint: (() => Promise<string>) | undefined;
}

function need(v: string | undefined, name: string): string {
  if (!v) throw new Error(`${name} is required for this GRAPH_CREDENTIAL`);
  return v;
}

/** The credential chosen by GRAPH_CREDENTIAL. SharePoint REST refuses app-only tokens from a client secret. */
export function tokensFromSettings(s: CredentialSettings): Tokens {
  if (s.GRAPH_CREDENTIAL === 'token') {
    const t = need(s.GRAPH_ACCESS_TOKEN, 'GRAPH_ACCESS_TOKEN');
    return { graph: async () => t, sharePoint: async () => t };
  }
  let credential: TokenCredential;
  if (s.GRAPH_CREDENTIAL === 'managed-identity') credential = new ManagedIdentityCredential(s.GRAPH_CLIENT_ID ? { clientId: s.GRAPH_CLIENT_ID } : {});
  else if (s.GRAPH_CREDENTIAL === 'certificate')
    credential = new ClientCertificateCredential(need(s.GRAPH_TENANT_ID, 'GRAPH_TENANT_ID'), need(s.GRAPH_CLIENT_ID, 'GRAPH_CLIENT_ID'), { certificatePath: need(s.GRAPH_CERTIFICATE_PATH, 'GRAPH_CERTIFICATE_PATH') });
  else credential = new ClientSecretCredential(need(s.GRAPH_TENANT_ID, 'GRAPH_TENANT_ID'), need(s.GRAPH_CLIENT_ID, 'GRAPH_CLIENT_ID'), need(s.GRAPH_CLIENT_SECRET, 'GRAPH_CLIENT_SECRET'));
  const graphScope = `${new URL(s.GRAPH_BASE_URL).origin.replace(/^http:/, 'https:')}/.default`;
  const host = s.SHAREPOINT_SITE?.split(':')[0];
  const get = (scope: string) => async () => {
    const t = await credential.getToken(scope);
    if (!t) throw new Error('no token from the credential');
    return t.token;
  };
  return { graph: get(graphScope), sharePoint: s.GRAPH_CREDENTIAL !== 'secret' && host ? get(`https://${host}/.default`) : undefined };
}
