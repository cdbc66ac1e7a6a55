import en from './en.json';
import cy from './cy.json';

export type Language = 'en' | 'cy';
export type Strings = typeof en;

const CATALOGUES: Record<Language, Strings> = { en, cy: cy as Strings };

export function strings(language: Language): Strings {
  return CATALOGUES[language];
}

/** Look up a dotted key (e.g. "errors.required") and fill `{name}` parameters; a missing key is a bug. */
export function t(language: Language, key: string, params: Readonly<Record<string, string | number>> = {}): string {
  let node: unknown = CATALOGUES[language];
  for (const part of key.split('.')) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  }
  if (typeof node !== 'string') throw new Error(`missing string ${language}:${key}`);
  return node.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function has(language: Language, key: string): boolean {
  try {
    t(language, key);
    return true;
  } catch {
    return false;
  }
}

/** Language from a Teams locale such as "cy-GB" or "en-GB". */
export function languageFromLocale(locale: string | undefined): Language {
  return locale?.toLowerCase().startsWith('cy') ? 'cy' : 'en';
}
