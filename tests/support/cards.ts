/** Helpers to read rendered Adaptive Cards in assertions. */
type Node = Record<string, unknown>;

function walk(node: unknown, visit: (n: Node) => void): void {
  if (Array.isArray(node)) node.forEach((x) => walk(x, visit));
  else if (node && typeof node === 'object') {
    visit(node as Node);
    Object.values(node as Node).forEach((x) => walk(x, visit));
  }
}

/** Every visible string on the card: text, titles, facts, labels, input values, choices. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  walk(card, (n) => {
    for (const k of ['text', 'title', 'value', 'label', 'placeholder']) if (typeof n[k] === 'string') out.push(n[k] as string);
  });
  return out.join('\n');
}

export function inputs(card: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  walk(card, (n) => {
    if (typeof n.type === 'string' && n.type.startsWith('Input.') && typeof n.id === 'string') out[n.id] = n.value;
  });
  return out;
}

export function input(card: unknown, id: string): Node | undefined {
  let found: Node | undefined;
  walk(card, (n) => {
    if (n.id === id && typeof n.type === 'string' && n.type.startsWith('Input.')) found = n;
  });
  return found;
}

export function actions(card: unknown): Node[] {
  const out: Node[] = [];
  walk(card, (n) => {
    if (n.type === 'Action.Execute' || n.type === 'Action.Submit') out.push(n);
  });
  return out;
}

/** Error messages shown on the card (attention-coloured text blocks under inputs). */
export function errorTexts(card: unknown): string[] {
  const out: string[] = [];
  walk(card, (n) => {
    if (n.type === 'TextBlock' && n.color === 'Attention' && typeof n.text === 'string') out.push(n.text);
  });
  return out;
}

export function facts(card: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  walk(card, (n) => {
    if (n.type === 'FactSet') for (const f of n.facts as { title: string; value: string }[]) out[f.title] = f.value;
  });
  return out;
}
