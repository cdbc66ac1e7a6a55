import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import en from '../src/i18n/en.json';
import cy from '../src/i18n/cy.json';

const flat = (o: unknown, prefix = ''): Record<string, string> =>
  Object.entries(o as Record<string, unknown>).reduce<Record<string, string>>((acc, [k, v]) => {
    if (v && typeof v === 'object') Object.assign(acc, flat(v, `${prefix}${k}.`));
    else acc[`${prefix}${k}`] = String(v);
    return acc;
  }, {});

const EN = flat(en);
const CY = flat(cy);

test('every English string has a Welsh one and vice versa', () => {
  expect(Object.keys(CY).filter((k) => !(k in EN))).toEqual([]);
  expect(Object.keys(EN).filter((k) => !(k in CY))).toEqual([]);
});

test('Welsh strings are translated, not English copied (names and codes aside)', () => {
  const sameAllowed = /^(app\.fullName|clocks\.|stages\.england|areas\.adhd|my\.due$|panel\.(agendaTitle|itemLine)$)|ADHD|MAMS|TALC/;
  const same = Object.keys(EN).filter((k) => EN[k] === CY[k] && EN[k]!.length > 12 && !sameAllowed.test(k) && !sameAllowed.test(EN[k]!));
  expect(same).toEqual([]);
});

test('placeholders match in both languages', () => {
  const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const mismatched = Object.keys(EN).filter((k) => JSON.stringify(params(EN[k]!)) !== JSON.stringify(params(CY[k]!)));
  expect(mismatched).toEqual([]);
});

test('every ${t.…}, ${cy.…} and ${en.…} binding in the card templates names a real string', () => {
  const dir = join(__dirname, '..', 'adaptive-cards');
  const missing: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/\$\{(t|cy|en)\.([\w.-]+)\}/g)) {
      if (!(m[2]! in EN)) missing.push(`${file}: ${m[0]}`);
    }
  }
  expect(missing).toEqual([]);
});

test('every error code the domain can return has a message', () => {
  const src = readFileSync(join(__dirname, '..', 'src', 'domain', 'referral.ts'), 'utf8');
  const codes = new Set([...src.matchAll(/code: '(\w+)'/g), ...src.matchAll(/error: '(\w+)'/g)].map((m) => m[1]!));
  for (const code of codes) expect([code, EN[`errors.${code}`] !== undefined]).toEqual([code, true]);
  expect(codes.size).toBeGreaterThan(8);
});
