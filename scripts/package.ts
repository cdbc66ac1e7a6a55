/**
 * Builds the Teams app package for one environment: `npm run package -- --env dev`.
 *
 *   1. reads env/.env.<env> and, if present, env/.env.<env>.user (later file wins; nothing from process.env, so a
 *      build depends only on the files);
 *   2. substitutes the ${{NAME}} placeholders in appPackage/manifest.json and every localization file it names,
 *      refusing when a value is missing or malformed (TEAMS_APP_ID and BOT_ID must be GUIDs, BOT_DOMAIN a host
 *      name without scheme);
 *   3. validates the result offline against the JSON schemas bundled with @microsoft/app-manifest (manifest and
 *      localization files) and against the store's own rules (icon sizes, outline colours, text lengths, command
 *      limits, semver, every localized key present in the manifest and every Welsh string present);
 *   4. writes appPackage/build/appPackage.<env>.zip with manifest.json, the localization files and both icons at the root.
 *
 * Options: --env <name> (required), --env-dir <dir> (default env), --app-dir <dir> (default appPackage),
 *          --out-dir <dir> (default <app-dir>/build). Exit 0 = written, 1 = refused (each problem named), 2 = usage.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { AppManifest } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { z } from 'zod';

const ROOT = resolve(__dirname, '..');

/** Expected failures: every problem found, each naming the field or setting at fault. */
export class PackageError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `  - ${p}`).join('\n'));
  }
}

export interface PackageOptions {
  env: string;
  envDir: string;
  appDir: string;
  outDir: string;
}

export function parseOptions(argv: string[]): PackageOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: 'string' },
      'env-dir': { type: 'string' },
      'app-dir': { type: 'string' },
      'out-dir': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.env) throw new UsageError('--env <name> is required, e.g. npm run package -- --env dev');
  if (!/^[A-Za-z0-9_-]+$/.test(values.env)) throw new UsageError(`--env "${values.env}" must be letters, digits, - or _`);
  const appDir = resolve(values['app-dir'] ?? join(ROOT, 'appPackage'));
  return {
    env: values.env,
    envDir: resolve(values['env-dir'] ?? join(ROOT, 'env')),
    appDir,
    outDir: resolve(values['out-dir'] ?? join(appDir, 'build')),
  };
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Environment files

/** Parses a dotenv-style file: KEY=value lines, # comments, optional quotes, optional `export `. */
export function parseEnvFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!;
    let value = m[2]!;
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2]!;
    else value = value.replace(/\s+#.*$/, '').trim();
    out.set(key, value);
  }
  return out;
}

export interface LoadedEnv {
  values: Map<string, string>;
  /** Where each name was last set, for messages. */
  origin: Map<string, string>;
  files: string[];
}

export function loadEnv(envDir: string, env: string): LoadedEnv {
  const main = join(envDir, `.env.${env}`);
  if (!existsSync(main)) throw new PackageError([`environment "${env}": ${displayPath(main)} does not exist`]);
  const values = new Map<string, string>();
  const origin = new Map<string, string>();
  const files: string[] = [];
  for (const file of [main, `${main}.user`]) {
    if (!existsSync(file)) continue;
    files.push(file);
    for (const [k, v] of parseEnvFile(readFileSync(file, 'utf8'))) {
      values.set(k, v);
      origin.set(k, displayPath(file));
    }
  }
  return { values, origin, files };
}

// ---------------------------------------------------------------------------------------------------------------
// Placeholders

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** A host name as Teams wants it in validDomains and URLs: no scheme, path, port or spaces. */
export function hostnameProblem(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `must be a host name without a scheme (remove "${value.split('//')[0]}//")`;
  if (/[/:?#\s]/.test(value)) return 'must be a host name only: no path, port, query or spaces';
  if (value.length > 253) return 'is longer than 253 characters';
  const labels = value.split('.');
  if (labels.length < 2 && value.toLowerCase() !== 'localhost') return 'must be a full host name, e.g. inclusion.azurewebsites.net';
  if (!labels.every((l) => HOST_LABEL.test(l))) return 'is not a valid host name (letters, digits and hyphens between dots)';
  return undefined;
}

/** Rules for the values the templates use; names not listed only need to be set and non-empty. */
const VALUE_RULES: Record<string, (v: string) => string | undefined> = {
  TEAMS_APP_ID: (v) => (GUID.test(v) ? undefined : 'must be a GUID (the Teams app id, written by provision)'),
  BOT_ID: (v) => (GUID.test(v) ? undefined : "must be a GUID (the bot's app id: the managed identity's client id)"),
  BOT_DOMAIN: hostnameProblem,
  APP_NAME_SUFFIX: (v) => (/^[A-Za-z0-9 ._-]{0,20}$/.test(v) ? undefined : 'must be at most 20 letters, digits, spaces, ".", "_" or "-"'),
};

/** Placeholders that may be set to an empty value (but must still be present in the env file). */
const MAY_BE_EMPTY = new Set(['APP_NAME_SUFFIX']);

export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** Checks every placeholder's value; returns the problems, each starting with the setting's name. */
export function checkValues(names: string[], env: LoadedEnv, envLabel: string): string[] {
  const problems: string[] = [];
  for (const name of names) {
    const value = env.values.get(name);
    if (value === undefined) {
      problems.push(`${name}: not set in ${envLabel}${MAY_BE_EMPTY.has(name) ? ' (set it, empty if you want none)' : ''}`);
      continue;
    }
    if (value === '' && !MAY_BE_EMPTY.has(name)) {
      problems.push(`${name}: empty in ${env.origin.get(name) ?? envLabel}; run provision or set it`);
      continue;
    }
    const rule = VALUE_RULES[name];
    const why = rule?.(value);
    if (why) problems.push(`${name}: "${value}" ${why} (${env.origin.get(name) ?? envLabel})`);
  }
  return problems;
}

/** Replaces ${{NAME}} with the JSON-escaped value (values were checked first). */
export function substitute(text: string, values: Map<string, string>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => JSON.stringify(values.get(name) ?? '').slice(1, -1));
}

// ---------------------------------------------------------------------------------------------------------------
// Schema validation, offline

const SCHEMA_URL = /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?json-schemas\/teams\/(v\d+\.\d+|vDevPreview)\/(MicrosoftTeams(?:\.Localization)?\.schema\.json)$/i;

/** The bundled copy of a Teams schema; never downloads (this machine, and many council build agents, are offline). */
export function bundledSchema(schemaUrl: unknown, expect: 'manifest' | 'localization'): { version: string; schema: object } | string {
  if (typeof schemaUrl !== 'string') return '$schema is missing';
  const m = SCHEMA_URL.exec(schemaUrl);
  const wanted = expect === 'manifest' ? 'MicrosoftTeams.schema.json' : 'MicrosoftTeams.Localization.schema.json';
  if (!m || m[2] !== wanted) return `$schema "${schemaUrl}" is not a Teams ${expect} schema URL (…/json-schemas/teams/vX.Y/${wanted})`;
  const file = join(dirname(require.resolve('@microsoft/app-manifest')), 'json-schemas', 'teams', m[1]!, m[2]!);
  if (!existsSync(file)) return `$schema ${m[1]} is not bundled with @microsoft/app-manifest; pick a bundled version`;
  // The package cleans the same two escapes when it loads a schema itself.
  const text = readFileSync(file, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b');
  return { version: m[1]!.slice(1), schema: repairPatterns(JSON.parse(text)) as object };
}

/**
 * Escapes a `]` that closes no character class. The localization schemas write keys such as
 * `activities.activityTypes\[\b(…)\b]\.description`: a literal `]` JavaScript accepts, but ajv compiles patterns
 * with the `u` flag, which rejects it ("Lone quantifier brackets"). Same meaning, compilable.
 */
export function repairPattern(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += ch + (pattern[i + 1] ?? '');
      i++;
    } else if (ch === '[' && !inClass) {
      inClass = true;
      out += ch;
    } else if (ch === ']') {
      out += inClass ? ch : '\\]';
      inClass = false;
    } else out += ch;
  }
  return out;
}

function repairPatterns(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(repairPatterns);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'patternProperties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [repairPattern(p), repairPatterns(s)]));
    } else if (k === 'pattern' && typeof v === 'string') out[k] = repairPattern(v);
    else out[k] = repairPatterns(v);
  }
  return out;
}

async function schemaProblems(doc: unknown, schema: object, label: string): Promise<string[]> {
  // Loaded when needed: the helpers above stay importable where its ESM dependencies can't load (jest).
  const { AppManifestUtils } = await import('@microsoft/app-manifest');
  const errors = await AppManifestUtils.validateAgainstSchema(doc as AppManifest, schema as never);
  return errors.map((e) => `${label}: schema: ${e.trim()}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The store's rules (Teams app validation), beyond the JSON schema

export const LIMITS = {
  nameShort: 30,
  nameFull: 100,
  descriptionShort: 80,
  descriptionFull: 4000,
  commandTitle: 32,
  commandDescription: 128,
  commandsPerList: 10,
  colorIcon: 192,
  outlineIcon: 32,
} as const;

const command = z.object({ title: z.string(), description: z.string() });
const manifestShape = z.looseObject({
  $schema: z.string(),
  manifestVersion: z.string(),
  version: z.string(),
  id: z.string(),
  name: z.looseObject({ short: z.string(), full: z.string().optional() }),
  description: z.looseObject({ short: z.string(), full: z.string() }),
  icons: z.object({ color: z.string(), outline: z.string() }),
  developer: z.looseObject({ websiteUrl: z.string(), privacyUrl: z.string(), termsOfUseUrl: z.string() }),
  localizationInfo: z
    .object({
      defaultLanguageTag: z.string(),
      defaultLanguageFile: z.string().optional(),
      additionalLanguages: z.array(z.object({ languageTag: z.string(), file: z.string() })).optional(),
    })
    .optional(),
  bots: z
    .array(
      z.looseObject({
        botId: z.string(),
        scopes: z.array(z.string()),
        commandLists: z.array(z.object({ scopes: z.array(z.string()), commands: z.array(command) })).optional(),
      }),
    )
    .optional(),
  validDomains: z.array(z.string()).optional(),
  webApplicationInfo: z.looseObject({ id: z.string(), resource: z.string().optional() }).optional(),
});
type Manifest = z.infer<typeof manifestShape>;

export interface Localization {
  tag: string;
  file: string;
  doc: Record<string, unknown>;
}

function tooLong(problems: string[], label: string, value: string | undefined, max: number): void {
  if (value === undefined) return;
  if (value.trim() === '') problems.push(`${label}: is empty`);
  else if ([...value].length > max) problems.push(`${label}: ${[...value].length} characters, at most ${max} allowed ("${value.slice(0, 40)}…")`);
}

/** Every string a localization file may translate for this app, with the store's length limit. */
export function localizableStrings(m: Manifest): Map<string, { value: string | undefined; max: number }> {
  const out = new Map<string, { value: string | undefined; max: number }>();
  out.set('name.short', { value: m.name.short, max: LIMITS.nameShort });
  out.set('name.full', { value: m.name.full, max: LIMITS.nameFull });
  out.set('description.short', { value: m.description.short, max: LIMITS.descriptionShort });
  out.set('description.full', { value: m.description.full, max: LIMITS.descriptionFull });
  (m.bots ?? []).forEach((bot, b) =>
    (bot.commandLists ?? []).forEach((list, l) =>
      list.commands.forEach((c, i) => {
        out.set(`bots[${b}].commandLists[${l}].commands[${i}].title`, { value: c.title, max: LIMITS.commandTitle });
        out.set(`bots[${b}].commandLists[${l}].commands[${i}].description`, { value: c.description, max: LIMITS.commandDescription });
      }),
    ),
  );
  return out;
}

/** Checks a decoded icon; the outline may only hold white (any alpha) and fully transparent pixels. */
export function iconProblems(kind: 'color' | 'outline', png: PNG, file: string): string[] {
  const size = kind === 'color' ? LIMITS.colorIcon : LIMITS.outlineIcon;
  const problems: string[] = [];
  if (png.width !== size || png.height !== size) {
    problems.push(`icons.${kind}: ${file} is ${png.width}×${png.height}, must be exactly ${size}×${size}`);
  }
  if (kind === 'outline') {
    let bad = 0;
    let first = '';
    for (let i = 0; i < png.width * png.height; i++) {
      const [r, g, b, a] = [png.data[i * 4]!, png.data[i * 4 + 1]!, png.data[i * 4 + 2]!, png.data[i * 4 + 3]!];
      if (a !== 0 && (r !== 255 || g !== 255 || b !== 255)) {
        if (bad === 0) first = ` first at (${i % png.width}, ${Math.floor(i / png.width)}) rgba(${r},${g},${b},${a})`;
        bad++;
      }
    }
    if (bad > 0) problems.push(`icons.outline: ${file} has ${bad} pixel(s) that are neither white nor transparent;${first}`);
  }
  return problems;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function storeProblems(m: Manifest, schemaVersion: string, localizations: Localization[], icons: { color: PNG; outline: PNG }): string[] {
  const p: string[] = [];
  if (m.manifestVersion !== schemaVersion) p.push(`manifestVersion: "${m.manifestVersion}" differs from the $schema version ${schemaVersion}`);
  if (!SEMVER.test(m.version)) p.push(`version: "${m.version}" must be MAJOR.MINOR.PATCH (numbers only)`);

  const strings = localizableStrings(m);
  for (const [key, { value, max }] of strings) tooLong(p, key, value, max);

  for (const [field, url] of Object.entries({ websiteUrl: m.developer.websiteUrl, privacyUrl: m.developer.privacyUrl, termsOfUseUrl: m.developer.termsOfUseUrl })) {
    if (!/^https:\/\/[^/\s]+/.test(url)) p.push(`developer.${field}: "${url}" must be an https:// URL`);
  }

  (m.bots ?? []).forEach((bot, b) => {
    const seen = new Set<string>();
    (bot.commandLists ?? []).forEach((list, l) => {
      const at = `bots[${b}].commandLists[${l}]`;
      if (list.commands.length > LIMITS.commandsPerList) p.push(`${at}: ${list.commands.length} commands, at most ${LIMITS.commandsPerList} per scope`);
      for (const scope of list.scopes) {
        if (!bot.scopes.includes(scope)) p.push(`${at}.scopes: "${scope}" is not one of the bot's scopes (${bot.scopes.join(', ')})`);
        if (seen.has(scope)) p.push(`${at}.scopes: "${scope}" already has a command list`);
        seen.add(scope);
      }
      const titles = list.commands.map((c) => c.title.toLowerCase());
      const dup = titles.find((t, i) => titles.indexOf(t) !== i);
      if (dup) p.push(`${at}: command "${dup}" is listed twice`);
    });
  });

  const domains = m.validDomains ?? [];
  for (const d of domains) {
    const why = hostnameProblem(d.replace(/^\*\./, ''));
    if (why) p.push(`validDomains: "${d}" ${why}`);
  }
  const resource = m.webApplicationInfo?.resource;
  if (resource !== undefined) {
    const r = /^api:\/\/(?:([^/]+)\/)?(.+)$/.exec(resource);
    if (!r) p.push(`webApplicationInfo.resource: "${resource}" must start with api://`);
    else if (r[1] && !domains.includes(r[1])) p.push(`webApplicationInfo.resource: host "${r[1]}" is not in validDomains`);
    const botid = /botid-(.+)$/.exec(resource)?.[1];
    if (botid && !(m.bots ?? []).some((bot) => bot.botId === botid)) p.push(`webApplicationInfo.resource: botid-${botid} is not the bot's botId`);
  }

  const tags = new Set<string>([m.localizationInfo?.defaultLanguageTag?.toLowerCase() ?? '']);
  for (const loc of localizations) {
    if (tags.has(loc.tag.toLowerCase())) p.push(`localizationInfo: language "${loc.tag}" is listed twice`);
    tags.add(loc.tag.toLowerCase());
    const label = `${loc.file} (${loc.tag})`;
    const locSchema = typeof loc.doc.$schema === 'string' ? /\/teams\/v([\d.]+)\//.exec(loc.doc.$schema)?.[1] : undefined;
    if (locSchema !== m.manifestVersion) p.push(`${label}: $schema version ${locSchema ?? '(none)'} must equal manifestVersion ${m.manifestVersion}`);
    for (const [key, value] of Object.entries(loc.doc)) {
      if (key === '$schema') continue;
      const target = strings.get(key);
      if (!target) {
        p.push(`${label}: "${key}" is not a string of manifest.json (no such key to translate)`);
        continue;
      }
      if (typeof value !== 'string') p.push(`${label}: "${key}" must be a string`);
      else tooLong(p, `${label}: "${key}"`, value, target.max);
    }
    // Bilingual by law: every string the manifest shows has its translation.
    for (const [key, { value }] of strings) {
      if (value !== undefined && !(key in loc.doc)) p.push(`${label}: missing translation of "${key}"`);
    }
    (m.bots ?? []).forEach((bot, b) =>
      (bot.commandLists ?? []).forEach((list, l) => {
        const titles = list.commands.map((_, i) => String(loc.doc[`bots[${b}].commandLists[${l}].commands[${i}].title`] ?? '').toLowerCase());
        const dup = titles.find((t, i) => t !== '' && titles.indexOf(t) !== i);
        if (dup) p.push(`${label}: command "${dup}" is listed twice in bots[${b}].commandLists[${l}]`);
      }),
    );
  }

  p.push(...iconProblems('color', icons.color, m.icons.color));
  p.push(...iconProblems('outline', icons.outline, m.icons.outline));
  return p;
}

// ---------------------------------------------------------------------------------------------------------------
// Build

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}

function readPng(file: string, field: string, problems: string[]): PNG | undefined {
  if (!existsSync(file)) {
    problems.push(`${field}: ${displayPath(file)} does not exist`);
    return undefined;
  }
  try {
    return PNG.sync.read(readFileSync(file));
  } catch (e) {
    problems.push(`${field}: ${displayPath(file)} is not a readable PNG (${(e as Error).message})`);
    return undefined;
  }
}

function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PackageError([`${label}: not valid JSON after substitution (${(e as Error).message})`]);
  }
}

/** A name inside the package must be a plain file at its root. */
function packageFileName(name: string, field: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) throw new PackageError([`${field}: "${name}" must be a file name at the package root`]);
  return name;
}

export interface PackageResult {
  zipPath: string;
  files: string[];
  manifest: Manifest;
}

export async function buildPackage(opts: PackageOptions): Promise<PackageResult> {
  const env = loadEnv(opts.envDir, opts.env);
  const envLabel = env.files.map(displayPath).join(' + ');
  const manifestPath = join(opts.appDir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new PackageError([`${displayPath(manifestPath)} does not exist`]);
  const manifestTemplate = readFileSync(manifestPath, 'utf8');

  // Localization files are named by the manifest template itself (their names hold no placeholders).
  const templateDoc = parseJson(manifestTemplate.replace(PLACEHOLDER, 'x'), 'manifest.json') as Manifest;
  const languages = (templateDoc.localizationInfo?.additionalLanguages ?? []).map((l) => ({
    tag: l.languageTag,
    file: packageFileName(l.file, `localizationInfo.additionalLanguages[${l.languageTag}].file`),
  }));
  const locTemplates = languages.map((l) => {
    const path = join(opts.appDir, l.file);
    if (!existsSync(path)) throw new PackageError([`localizationInfo: ${l.file} (${l.tag}) does not exist in ${displayPath(opts.appDir)}`]);
    return { ...l, text: readFileSync(path, 'utf8') };
  });

  const names = [...new Set([manifestTemplate, ...locTemplates.map((l) => l.text)].flatMap(placeholdersIn))].sort();
  const valueProblems = checkValues(names, env, envLabel);
  if (valueProblems.length > 0) throw new PackageError(valueProblems);

  const manifestText = substitute(manifestTemplate, env.values);
  const manifestDoc = parseJson(manifestText, 'manifest.json');
  const problems: string[] = [];

  const mSchema = bundledSchema((manifestDoc as { $schema?: unknown }).$schema, 'manifest');
  if (typeof mSchema === 'string') throw new PackageError([`manifest.json: ${mSchema}`]);
  problems.push(...(await schemaProblems(manifestDoc, mSchema.schema, 'manifest.json')));

  const shaped = manifestShape.safeParse(manifestDoc);
  if (!shaped.success) {
    throw new PackageError([...problems, ...shaped.error.issues.map((i) => `manifest.json: ${i.path.join('.')}: ${i.message}`)]);
  }
  const manifest = shaped.data;

  const localizations: (Localization & { text: string })[] = [];
  for (const l of locTemplates) {
    const text = substitute(l.text, env.values);
    const doc = parseJson(text, l.file) as Record<string, unknown>;
    const lSchema = bundledSchema(doc.$schema, 'localization');
    if (typeof lSchema === 'string') problems.push(`${l.file}: ${lSchema}`);
    else problems.push(...(await schemaProblems(doc, lSchema.schema, l.file)));
    localizations.push({ tag: l.tag, file: l.file, doc, text });
  }

  const iconFiles = {
    color: packageFileName(manifest.icons.color, 'icons.color'),
    outline: packageFileName(manifest.icons.outline, 'icons.outline'),
  };
  const color = readPng(join(opts.appDir, iconFiles.color), 'icons.color', problems);
  const outline = readPng(join(opts.appDir, iconFiles.outline), 'icons.outline', problems);
  if (color && outline) problems.push(...storeProblems(manifest, mSchema.version, localizations, { color, outline }));
  if (problems.length > 0) throw new PackageError(problems);

  // Fixed timestamps: the same inputs give the same zip.
  const date = new Date('2020-01-01T00:00:00Z');
  const zip = new JSZip();
  zip.file('manifest.json', `${JSON.stringify(manifestDoc, null, 2)}\n`, { date });
  for (const l of localizations) zip.file(l.file, `${JSON.stringify(l.doc, null, 2)}\n`, { date });
  zip.file(iconFiles.color, readFileSync(join(opts.appDir, iconFiles.color)), { date });
  zip.file(iconFiles.outline, readFileSync(join(opts.appDir, iconFiles.outline)), { date });
  const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });

  mkdirSync(opts.outDir, { recursive: true });
  const zipPath = join(opts.outDir, `appPackage.${opts.env}.zip`);
  writeFileSync(zipPath, buffer);
  return { zipPath, files: Object.keys(zip.files).sort(), manifest };
}

export async function main(argv: string[]): Promise<number> {
  let opts: PackageOptions;
  try {
    opts = parseOptions(argv);
  } catch (e) {
    console.error(`package: ${(e as Error).message}`);
    return 2;
  }
  try {
    const r = await buildPackage(opts);
    const langs = [r.manifest.localizationInfo?.defaultLanguageTag, ...(r.manifest.localizationInfo?.additionalLanguages ?? []).map((l) => l.languageTag)];
    console.log(
      `package: wrote ${displayPath(r.zipPath)} (manifest ${r.manifest.manifestVersion}, app ${r.manifest.name.short} ${r.manifest.version}, ` +
        `languages ${langs.filter(Boolean).join(', ')}; files ${r.files.join(', ')})`,
    );
    return 0;
  } catch (e) {
    if (e instanceof PackageError) {
      console.error(`package: refusing to build appPackage.${opts.env}.zip:\n${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error('package: unexpected failure', e);
      process.exit(1);
    },
  );
}
