/**
 * `npm run package -- --env dev` end to end (a child process, as a developer or the pipeline runs it), and its
 * refusal on a bad environment.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppManifestUtils, type AppManifest } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { bundledSchema, parseEnvFile } from '../../scripts/package';

// @microsoft/app-manifest requires strip-bom, an ES module jest's CommonJS runtime cannot load (Node 20 itself can).
// It only strips a byte-order mark when the library reads files, which these tests never ask it to do.
jest.mock('strip-bom', () => ({ __esModule: true, default: (s: string) => s.replace(/^\uFEFF/, '') }));

const ROOT = join(__dirname, '..', '..');

function runPackage(args: string[]) {
  const r = spawnSync('npm', ['run', '--silent', 'package', '--', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'inclusion-package-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm run package -- --env dev', () => {
  let zip: JSZip;
  const env = parseEnvFile(readFileSync(join(ROOT, 'env', '.env.dev'), 'utf8'));

  beforeAll(async () => {
    const out = join(tmp, 'good');
    const r = runPackage(['--env', 'dev', '--out-dir', out]);
    if (r.status !== 0) throw new Error(`package failed (${r.status}):\n${r.stderr}`);
    zip = await JSZip.loadAsync(readFileSync(join(out, 'appPackage.dev.zip')));
  });

  it('puts the manifest, the Welsh strings and both icons at the root of the zip', () => {
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'cy.json', 'manifest.json', 'outline.png']);
  });

  it('writes a manifest that validates against its bundled schema, with every placeholder filled', async () => {
    const text = await zip.file('manifest.json')!.async('string');
    expect(text).not.toContain('${{');
    const manifest = JSON.parse(text) as AppManifest & Record<string, any>;
    expect(await AppManifestUtils.validateAgainstSchema(manifest)).toEqual([]);
    expect(manifest.id).toBe(env.get('TEAMS_APP_ID'));
    expect(manifest.bots[0].botId).toBe(env.get('BOT_ID'));
    expect(manifest.bots[0].supportsFiles).toBe(true);
    expect(manifest.bots[0].scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(manifest.webApplicationInfo).toEqual({
      id: env.get('BOT_ID'),
      resource: `api://${env.get('BOT_DOMAIN')}/botid-${env.get('BOT_ID')}`,
    });
    expect(manifest.validDomains).toContain(env.get('BOT_DOMAIN'));
    expect(manifest.developer.privacyUrl).toBe(`https://${env.get('BOT_DOMAIN')}/privacy`);
    expect(manifest.name.short).toBe(`Inclusion${env.get('APP_NAME_SUFFIX')}`);
    const commands = (scope: string) =>
      manifest.bots[0].commandLists.find((l: { scopes: string[] }) => l.scopes.includes(scope)).commands.map((c: { title: string }) => c.title);
    expect(commands('personal')).toEqual(['refer', 'my', 'reviews', 'deadline', 'idp', 'iaith', 'help']);
    expect(commands('team')).toEqual(['panel', 'help']);
    expect(commands('groupChat')).toEqual(['panel', 'help']);
  });

  it('ships Welsh strings that validate against the localization schema', async () => {
    const cy = JSON.parse(await zip.file('cy.json')!.async('string')) as Record<string, string>;
    const schema = bundledSchema(cy.$schema, 'localization');
    if (typeof schema === 'string') throw new Error(schema);
    expect(await AppManifestUtils.validateAgainstSchema(cy as unknown as AppManifest, schema.schema as never)).toEqual([]);
    expect(cy['bots[0].commandLists[0].commands[0].title']).toBe('atgyfeirio');
    expect(cy['name.short']).toBe(`Cynhwysiant${env.get('APP_NAME_SUFFIX')}`);
  });

  it('ships icons of exactly 192×192 and 32×32', async () => {
    const color = PNG.sync.read(await zip.file('color.png')!.async('nodebuffer'));
    const outline = PNG.sync.read(await zip.file('outline.png')!.async('nodebuffer'));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
  });
});

describe('npm run package with a bad environment', () => {
  it('exits non-zero naming BOT_ID when it is not a GUID, and writes nothing', () => {
    const envDir = join(tmp, 'bad-env');
    const out = join(tmp, 'bad-out');
    cpSync(join(ROOT, 'env'), envDir, { recursive: true });
    const file = join(envDir, '.env.dev');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^BOT_ID=.*$/m, 'BOT_ID=not-a-guid'));

    const r = runPackage(['--env', 'dev', '--env-dir', envDir, '--out-dir', out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/BOT_ID: "not-a-guid" must be a GUID/);
    expect(existsSync(join(out, 'appPackage.dev.zip'))).toBe(false);
  });
});
