import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';

/** A configuration file that cannot be used: the message names the file and every bad field. Start-up stops on it. */
export class ConfigFileError extends Error {}

/** Read a YAML configuration file and validate it; `pathPrefix` is prepended to field paths in messages. */
export function readYamlFile<S extends z.ZodType>(file: string, schema: S, pathPrefix = ''): z.output<S> {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigFileError(`${file} could not be read: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigFileError(`${file} is not valid:\n` + parsed.error.issues.map((i) => `  - ${pathPrefix}${i.path.join('.') || '(file)'}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}
