import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, settingNames } from '../src/config';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
};

test('no settings at all is local mode on the embedded store', () => {
  const c = loadConfig({});
  expect(c).toMatchObject({ localMode: true, STORE: 'sqlite', PORT: 3978, HOST: '127.0.0.1', SQLITE_PATH: 'data/inclusion.db', ADMINS: [] });
  expect(c.DOCUMENT_TYPES).toContain('pdf');
});

test('a bot identity needs its tenant and the UPN hash key; each missing setting is named', () => {
  expect(problems({ BOT_ID: 'x' })).toEqual(expect.arrayContaining([expect.stringMatching(/^BOT_TENANT_ID:/), expect.stringMatching(/^UPN_HASH_KEY:/)]));
  expect(problems({ BOT_ID: 'x', BOT_TENANT_ID: 't', UPN_HASH_KEY: 'k'.repeat(40), BOT_TYPE: 'SingleTenant' })).toEqual([expect.stringMatching(/^BOT_PASSWORD:/)]);
  expect(loadConfig({ BOT_ID: 'x', BOT_TENANT_ID: 't', UPN_HASH_KEY: 'k'.repeat(40) }).localMode).toBe(false);
});

test('bad values are named: port, store, log level, site, an unresolved Key Vault reference', () => {
  expect(problems({ PORT: 'eighty' })[0]).toMatch(/^PORT:/);
  expect(problems({ STORE: 'postgres' })[0]).toMatch(/^STORE:/);
  expect(problems({ LOG_LEVEL: 'loud' })[0]).toMatch(/^LOG_LEVEL:/);
  expect(problems({ STORE: 'sharepoint' })).toEqual(expect.arrayContaining([expect.stringMatching(/^SHAREPOINT_SITE:/)]));
  expect(problems({ SHAREPOINT_SITE: 'https://contoso.sharepoint.com/sites/x' })[0]).toMatch(/^SHAREPOINT_SITE: SHAREPOINT_SITE must look like/);
  expect(problems({ UPN_HASH_KEY: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/upn-hash-key/)' })[0]).toMatch(/unresolved Key Vault reference/);
});

test('local mode is refused inside Azure App Service', () => {
  expect(problems({ WEBSITE_SITE_NAME: 'inclusion-bot-dev' })[0]).toMatch(/^BOT_ID: BOT_ID is required in Azure App Service/);
});

test('lists are split and trimmed; empty strings count as unset', () => {
  const c = loadConfig({ ADMINS: ' a , b,,', ALLOWED_TENANTS: '', DOCUMENT_TYPES: '.PDF, docx' });
  expect(c.ADMINS).toEqual(['a', 'b']);
  expect(c.ALLOWED_TENANTS).toEqual([]);
  expect(c.DOCUMENT_TYPES).toEqual(['pdf', 'docx']);
});

test('the README documents every setting', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  expect(settingNames().filter((n) => !readme.includes(`| \`${n}\` |`))).toEqual([]);
});
