/**
 * The Agents Toolkit files, env samples and Bicep parameters line up: every ${{NAME}} has a source, every
 * parameter exists. Also the package script's helpers on their own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { hostnameProblem, parseEnvFile, placeholdersIn, repairPattern } from '../../scripts/package';

const ROOT = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

type Step = { uses: string; with?: Record<string, any>; writeToEnvironmentFile?: Record<string, string> };
const project = parse(read('m365agents.yml')) as Record<string, any>;
const local = parse(read('m365agents.local.yml')) as Record<string, any>;
const uses = (steps: Step[] | undefined) => (steps ?? []).map((s) => s.uses);

describe('m365agents.yml', () => {
  it('provisions, deploys and publishes with the toolkit actions', () => {
    expect(project.version).toBe('v1.9');
    expect(uses(project.provision)).toEqual([
      'teamsApp/create',
      'arm/deploy',
      'teamsApp/validateManifest',
      'teamsApp/zipAppPackage',
      'teamsApp/validateAppPackage',
      'teamsApp/update',
    ]);
    expect(uses(project.deploy)).toEqual(['cli/runNpmCommand', 'cli/runNpmCommand', 'cli/runNpmCommand', 'azureAppService/zipDeploy']);
    expect(uses(project.publish)).toContain('teamsApp/publishAppPackage');
    const arm = (project.provision as Step[]).find((s) => s.uses === 'arm/deploy')!;
    expect(arm.with!.templates).toEqual([
      { path: './infra/azure.bicep', parameters: './infra/azure.parameters.json', deploymentName: expect.any(String) },
    ]);
  });

  it('has a source for every ${{NAME}} in the toolkit files, parameters and app package', () => {
    const dev = parseEnvFile(read('env/.env.dev'));
    const outputs = [...read('infra/azure.bicep').matchAll(/^output (\w+) /gm)].map((m) => m[1]!);
    const written = (project.provision as Step[]).flatMap((s) => Object.values(s.writeToEnvironmentFile ?? {}));
    const known = new Set([...dev.keys(), ...outputs, ...written]);
    for (const file of ['m365agents.yml', 'infra/azure.parameters.json', 'appPackage/manifest.json', 'appPackage/cy.json']) {
      for (const name of placeholdersIn(read(file))) expect({ file, name, known: known.has(name) }).toEqual({ file, name, known: true });
    }
    // The Bicep outputs the toolkit relies on.
    expect(outputs).toEqual(expect.arrayContaining(['BOT_AZURE_APP_SERVICE_RESOURCE_ID', 'BOT_DOMAIN', 'BOT_ID', 'BOT_TENANT_ID']));
  });

  it('passes only parameters azure.bicep declares, and every one it requires', () => {
    const bicep = read('infra/azure.bicep');
    const declared = [...bicep.matchAll(/^param (\w+) \w+( =)?/gm)].map((m) => ({ name: m[1]!, required: !m[2] }));
    const passed = Object.keys((JSON.parse(read('infra/azure.parameters.json')) as { parameters: object }).parameters);
    for (const name of passed) expect(declared.map((d) => d.name)).toContain(name);
    for (const d of declared.filter((x) => x.required)) expect(passed).toContain(d.name);
  });
});

describe('m365agents.local.yml', () => {
  it('writes the local runtime settings for the bot at 127.0.0.1:3978, from env/.env.local', () => {
    expect(uses(local.deploy)).toEqual(['devTool/install', 'cli/runNpmCommand', 'file/createOrUpdateEnvironmentFile']);
    const envFile = (local.deploy as Step[]).find((s) => s.uses === 'file/createOrUpdateEnvironmentFile')!;
    expect(envFile.with!.target).toMatch(/^\.\/devTools\//); // git-ignored
    const env = parseEnvFile(read('env/.env.local'));
    const resolved = Object.fromEntries(
      Object.entries(envFile.with!.envs as Record<string, string>).map(([k, v]) => [k, v.replace(/\$\{\{(\w+)\}\}/g, (_, n: string) => env.get(n) ?? `<unset ${n}>`)]),
    );
    expect(resolved).toMatchObject({ HOST: '127.0.0.1', PORT: '3978', STORE: 'sqlite' });
    expect(env.get('BOT_ID')).toBe(''); // local mode
    expect(env.get('BOT_ENDPOINT')).toBe('http://127.0.0.1:3978');
  });
});

describe('package script helpers', () => {
  it('parses env files: comments, quotes, export, inline comments, empty values', () => {
    const env = parseEnvFile('# c\nA=1\nexport B="two words"\nC=three # note\nD=\n  E = \'x#y\'\nnot a line\n');
    expect([...env]).toEqual([['A', '1'], ['B', 'two words'], ['C', 'three'], ['D', ''], ['E', 'x#y']]);
  });

  it('accepts host names and refuses schemes, paths and ports', () => {
    expect(hostnameProblem('inclusiondev01.azurewebsites.net')).toBeUndefined();
    expect(hostnameProblem('https://inclusion.example.org')).toMatch(/without a scheme/);
    expect(hostnameProblem('inclusion.example.org/api')).toMatch(/host name only/);
    expect(hostnameProblem('inclusion.example.org:443')).toMatch(/host name only/);
    expect(hostnameProblem('inclusion')).toMatch(/full host name/);
    expect(hostnameProblem('-bad.example.org')).toMatch(/not a valid host name/);
  });

  it('escapes only the brackets that close no character class', () => {
    expect(repairPattern('^a\\[\\b([0-9]|1[01])\\b]\\.x$')).toBe('^a\\[\\b([0-9]|1[01])\\b\\]\\.x$');
    expect(() => new RegExp(repairPattern('^a\\[\\b([0-9])\\b]$'), 'u')).not.toThrow();
    expect(repairPattern('[a-z]+\\]')).toBe('[a-z]+\\]');
  });
});
