import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Template } from 'adaptivecards-templating';

/** An expanded Adaptive Card (the shape teams-ai expects). */
export interface Card {
  type: 'AdaptiveCard';
  [key: string]: unknown;
}

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'adaptive-cards'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('adaptive-cards folder not found');
    dir = up;
  }
  return dir;
}

const CARDS_DIR = join(findRoot(__dirname), 'adaptive-cards');
// A Template parses its ${...} expressions once when built and can then be expanded with any data.
const templates = new Map<string, Template>();

/** Expand `adaptive-cards/<name>.json` with data. Templates are read and parsed once. */
export function renderCard(name: string, data: Record<string, unknown>): Card {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad card name ${name}`);
  let template = templates.get(name);
  if (!template) {
    template = new Template(JSON.parse(readFileSync(join(CARDS_DIR, `${name}.json`), 'utf8')));
    templates.set(name, template);
  }
  const card = template.expand({ $root: data }) as Card;
  if (card.type !== 'AdaptiveCard') throw new Error(`template ${name} is not an AdaptiveCard`);
  return card;
}

/** Bytes of a card as Teams would receive it in a message (the 40 KB message limit applies). */
export function cardSize(card: Card): number {
  return Buffer.byteLength(JSON.stringify({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] }));
}
