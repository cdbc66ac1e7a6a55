/**
 * The deployment's settings (infra/settings.json, read by infra/azure.bicep) agree with the bot's (src/config.ts).
 * No Bicep compiler here, so the Bicep is checked as text where that catches real mistakes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, settingNames } from '../../src/config';

const ROOT = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

interface Entry {
  name: string;
  description: string;
  deployed: boolean;
  source: string;
  value: string;
  secret: boolean;
  example: string;
}
const file = JSON.parse(read('infra/settings.json')) as { settings: Entry[]; platform: Entry[] };
const azureBicep = read('infra/azure.bicep');
const byName = new Map(file.settings.map((s) => [s.name, s]));

/** Settings src/config.ts needs outside local mode (with STORE=sharepoint in App Service). */
const REQUIRED_DEPLOYED = ['BOT_ID', 'BOT_TENANT_ID', 'UPN_HASH_KEY', 'STORE', 'SHAREPOINT_SITE', 'GRAPH_CREDENTIAL', 'ALLOWED_TENANTS', 'HOST', 'PORT'];
const SOURCES = ['literal', 'parameter', 'keyvault', 'identity', 'resource', 'default'];
const KEYS = ['deployed', 'description', 'example', 'name', 'secret', 'source', 'value'];

/** The object literal passed as `name: { ... }` in azure.bicep (its keys). */
function bicepObjectKeys(name: string): string[] {
  const m = new RegExp(`${name}: \\{([^}]*)\\}`).exec(azureBicep);
  if (!m) throw new Error(`azure.bicep has no ${name} object`);
  return [...m[1]!.matchAll(/^\s*(\w+):/gm)].map((k) => k[1]!);
}

describe('infra/settings.json and src/config.ts', () => {
  it('lists exactly the settings src/config.ts reads, once each', () => {
    const listed = file.settings.map((s) => s.name);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...settingNames()].sort());
  });

  it('marks every setting the bot needs in Azure as deployed', () => {
    for (const name of REQUIRED_DEPLOYED) expect({ name, deployed: byName.get(name)?.deployed }).toEqual({ name, deployed: true });
    expect(byName.get('HOST')).toMatchObject({ source: 'literal', value: '0.0.0.0' });
    expect(byName.get('STORE')).toMatchObject({ source: 'literal', value: 'sharepoint' });
    expect(byName.get('UPN_HASH_KEY')).toMatchObject({ source: 'keyvault', secret: true });
  });

  it('gives every entry the same keys, a known source and a description', () => {
    for (const s of [...file.settings, ...file.platform]) {
      expect({ name: s.name, keys: Object.keys(s).sort() }).toEqual({ name: s.name, keys: KEYS });
      expect(SOURCES).toContain(s.source);
      expect(s.description.length).toBeGreaterThan(10);
      // deployed <=> it has a source; not deployed <=> the code default applies
      expect({ name: s.name, deployed: s.deployed }).toEqual({ name: s.name, deployed: s.source !== 'default' });
      if (s.source === 'default') expect(s.value).toBe('');
    }
  });

  it('never puts a secret in plain app settings: deployed secrets come from Key Vault', () => {
    for (const s of file.settings) {
      if (s.secret && s.deployed) expect({ name: s.name, source: s.source }).toEqual({ name: s.name, source: 'keyvault' });
      if (s.source === 'keyvault') {
        expect(s.secret).toBe(true);
        // Key Vault secret names: letters, digits and dashes only.
        expect(s.value).toMatch(/^[A-Za-z0-9-]{1,127}$/);
      }
    }
  });

  it('keeps platform settings apart from the bot\'s own', () => {
    const own = new Set(settingNames());
    for (const s of file.platform) expect({ name: s.name, own: own.has(s.name) }).toEqual({ name: s.name, own: false });
    expect(file.platform.map((s) => s.name)).toContain('APPLICATIONINSIGHTS_CONNECTION_STRING');
  });

  it('deploys a configuration that src/config.ts accepts, outside local mode', () => {
    const env: Record<string, string> = {};
    for (const s of file.settings.filter((x) => x.deployed)) {
      env[s.name] = s.source === 'literal' ? s.value : s.source === 'keyvault' ? 'k'.repeat(64) : s.example;
    }
    const config = loadConfig(env);
    expect(config.localMode).toBe(false);
    expect(config.STORE).toBe('sharepoint');
    expect(config.HOST).toBe('0.0.0.0');
    expect(config.GRAPH_CREDENTIAL).toBe('managed-identity');
  });
});

describe('infra/azure.bicep reads settings.json', () => {
  it('loads it with loadJsonContent and hands both lists to the app settings module', () => {
    expect(azureBicep).toContain("loadJsonContent('settings.json')");
    expect(azureBicep).toMatch(/settings: concat\(settingsFile\.settings, settingsFile\.platform\)/);
    expect(read('infra/appSettings.bicep')).toMatch(/resource appSettings 'Microsoft\.Web\/sites\/config@[\d-]+' = \{/);
  });

  it('has a value for every parameter, identity output and resource output settings.json names', () => {
    const params = new Set([...azureBicep.matchAll(/^param (\w+) /gm)].map((m) => m[1]!));
    const parameterValues = bicepObjectKeys('parameterValues');
    const identityValues = bicepObjectKeys('identityValues');
    const resourceValues = bicepObjectKeys('resourceValues');
    for (const s of [...file.settings, ...file.platform].filter((x) => x.deployed)) {
      if (s.source === 'parameter') {
        expect({ name: s.name, parameterValues: parameterValues.includes(s.value) }).toEqual({ name: s.name, parameterValues: true });
        expect({ name: s.name, param: params.has(s.value) }).toEqual({ name: s.name, param: true });
      }
      if (s.source === 'identity') expect(identityValues).toContain(s.value);
      if (s.source === 'resource') expect(resourceValues).toContain(s.value);
    }
  });

  it('runs Node 20 LTS, HTTPS only, always on, with Key Vault references read by the managed identity', () => {
    expect(azureBicep).toContain("linuxFxVersion: 'NODE|20-lts'");
    expect(azureBicep).toMatch(/httpsOnly: true/);
    expect(azureBicep).toMatch(/alwaysOn: true/);
    expect(azureBicep).toMatch(/keyVaultReferenceIdentity: identity\.id/);
    expect(azureBicep).toMatch(/enableRbacAuthorization: true/);
    expect(read('infra/botRegistration/azurebot.bicep')).toMatch(/msaAppType: 'UserAssignedMSI'/);
  });
});
