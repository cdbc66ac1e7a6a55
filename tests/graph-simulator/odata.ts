/**
 * The slice of OData query syntax the simulator understands: $filter (eq, ne, lt, le, gt, ge,
 * and, or, not, parentheses, startswith), $orderby, $select, $expand with nested options, and the
 * raw query-string parsing Graph applies ('+' decodes to a space, as ASP.NET does).
 */

export class ODataSyntaxError extends Error {}

/** Parses a raw query string (without '?') into lower-cased keys → decoded values. */
export function parseQuery(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq === -1 ? part : part.slice(0, eq);
    const v = eq === -1 ? '' : part.slice(eq + 1);
    out.set(safeDecode(k).toLowerCase(), safeDecode(v));
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new ODataSyntaxError(`Malformed percent-encoding in query: ${s}`);
  }
}

/** Splits on a separator at parenthesis depth 0, ignoring separators inside '...' literals. */
export function splitTopLevel(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inStr = false;
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (inStr) {
      cur += c;
      if (c === "'") {
        if (s[i + 1] === "'") { cur += "'"; i++; } else inStr = false;
      }
      continue;
    }
    if (c === "'") { inStr = true; cur += c; continue; }
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === sep && depth === 0) { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

export interface ExpandOption {
  name: string;
  select?: string[];
}

/** `fields($select=a,b),columns` → [{ name: 'fields', select: ['a','b'] }, { name: 'columns' }]. */
export function parseExpand(s: string | undefined): ExpandOption[] {
  if (!s) return [];
  return splitTopLevel(s, ',').map((part) => {
    const open = part.indexOf('(');
    if (open === -1) return { name: part.trim() };
    if (!part.endsWith(')')) throw new ODataSyntaxError(`Malformed $expand clause: ${part}`);
    const name = part.slice(0, open).trim();
    const inner = part.slice(open + 1, -1);
    const opt: ExpandOption = { name };
    for (const o of splitTopLevel(inner, ';')) {
      const eq = o.indexOf('=');
      if (eq === -1) throw new ODataSyntaxError(`Malformed nested option: ${o}`);
      const key = o.slice(0, eq).trim().toLowerCase();
      const val = o.slice(eq + 1);
      if (key === '$select' || key === 'select') opt.select = parseSelect(val);
    }
    return opt;
  });
}

export function parseSelect(s: string | undefined): string[] | undefined {
  if (s === undefined) return undefined;
  return s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
}

export interface OrderKey {
  path: string;
  desc: boolean;
}

export function parseOrderBy(s: string | undefined): OrderKey[] {
  if (!s) return [];
  return splitTopLevel(s, ',').map((p) => {
    const bits = p.split(/\s+/);
    const path = bits[0] as string;
    const dir = (bits[1] ?? 'asc').toLowerCase();
    if (bits.length > 2 || (dir !== 'asc' && dir !== 'desc')) throw new ODataSyntaxError(`Malformed $orderby clause: ${p}`);
    return { path, desc: dir === 'desc' };
  });
}

// ---------------------------------------------------------------------------------------------
// $filter
// ---------------------------------------------------------------------------------------------

export type Literal =
  | { type: 'lit'; kind: 'string'; value: string }
  | { type: 'lit'; kind: 'number'; value: number }
  | { type: 'lit'; kind: 'bool'; value: boolean }
  | { type: 'lit'; kind: 'null'; value: null }
  | { type: 'lit'; kind: 'datetime'; value: string };

export type Operand = { type: 'ref'; path: string } | Literal;

export type CmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type FilterExpr =
  | { type: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { type: 'not'; expr: FilterExpr }
  | { type: 'cmp'; op: CmpOp; left: Operand; right: Operand }
  | { type: 'startswith'; ref: string; prefix: string }
  | { type: 'boolref'; ref: string };

type Tok =
  | { t: 'punct'; v: '(' | ')' | ',' }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'dt'; v: string }
  | { t: 'word'; v: string };

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/;

function tokenize(s: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { toks.push({ t: 'punct', v: c }); i++; continue; }
    if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) throw new ODataSyntaxError('Unterminated string literal in $filter');
        const d = s[i] as string;
        if (d === "'") {
          if (s[i + 1] === "'") { v += "'"; i += 2; continue; }
          i++;
          break;
        }
        v += d;
        i++;
      }
      toks.push({ t: 'str', v });
      continue;
    }
    const rest = s.slice(i);
    const dt = DATETIME_RE.exec(rest);
    if (dt && dt[0].length > 4 && (dt[0].includes('-'))) {
      toks.push({ t: 'dt', v: dt[0] });
      i += dt[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) { toks.push({ t: 'num', v: Number(num[0]) }); i += num[0].length; continue; }
    const word = /^[A-Za-z_@$][\w/.@$]*/.exec(rest);
    if (word) { toks.push({ t: 'word', v: word[0] }); i += word[0].length; continue; }
    throw new ODataSyntaxError(`Unexpected character '${c}' in $filter at position ${i}`);
  }
  return toks;
}

const CMP_OPS = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

export function parseFilter(s: string): FilterExpr {
  const toks = tokenize(s);
  let pos = 0;
  const peek = (): Tok | undefined => toks[pos];
  const isWord = (tok: Tok | undefined, w: string): boolean => tok !== undefined && tok.t === 'word' && tok.v.toLowerCase() === w;
  const expectPunct = (v: '(' | ')' | ','): void => {
    const tok = toks[pos];
    if (!tok || tok.t !== 'punct' || tok.v !== v) throw new ODataSyntaxError(`Expected '${v}' in $filter`);
    pos++;
  };

  const parseOperand = (): Operand => {
    const tok = toks[pos++];
    if (!tok) throw new ODataSyntaxError('Unexpected end of $filter');
    switch (tok.t) {
      case 'str': return { type: 'lit', kind: 'string', value: tok.v };
      case 'num': return { type: 'lit', kind: 'number', value: tok.v };
      case 'dt': return { type: 'lit', kind: 'datetime', value: tok.v };
      case 'word': {
        const w = tok.v.toLowerCase();
        if (w === 'true' || w === 'false') return { type: 'lit', kind: 'bool', value: w === 'true' };
        if (w === 'null') return { type: 'lit', kind: 'null', value: null };
        return { type: 'ref', path: tok.v };
      }
      default: throw new ODataSyntaxError(`Unexpected '${tok.v}' in $filter`);
    }
  };

  const parsePrimary = (): FilterExpr => {
    const tok = peek();
    if (!tok) throw new ODataSyntaxError('Unexpected end of $filter');
    if (tok.t === 'punct' && tok.v === '(') {
      pos++;
      const e = parseOr();
      expectPunct(')');
      return e;
    }
    if (isWord(tok, 'not')) {
      pos++;
      return { type: 'not', expr: parsePrimary() };
    }
    if (tok.t === 'word' && toks[pos + 1]?.t === 'punct' && (toks[pos + 1] as Tok).v === '(') {
      const fn = tok.v.toLowerCase();
      if (fn !== 'startswith') throw new ODataSyntaxError(`Unsupported function '${tok.v}' in $filter`);
      pos += 2;
      const a = parseOperand();
      expectPunct(',');
      const b = parseOperand();
      expectPunct(')');
      if (a.type !== 'ref' || b.type !== 'lit' || b.kind !== 'string') {
        throw new ODataSyntaxError('startswith expects (field, \'literal\')');
      }
      return { type: 'startswith', ref: a.path, prefix: b.value };
    }
    const left = parseOperand();
    const opTok = peek();
    if (opTok && opTok.t === 'word' && CMP_OPS.has(opTok.v.toLowerCase())) {
      pos++;
      const right = parseOperand();
      return { type: 'cmp', op: opTok.v.toLowerCase() as CmpOp, left, right };
    }
    if (left.type === 'ref') return { type: 'boolref', ref: left.path };
    throw new ODataSyntaxError('Expected a comparison operator in $filter');
  };

  const parseAnd = (): FilterExpr => {
    let left = parsePrimary();
    while (isWord(peek(), 'and')) {
      pos++;
      left = { type: 'and', left, right: parsePrimary() };
    }
    return left;
  };

  function parseOr(): FilterExpr {
    let left = parseAnd();
    while (isWord(peek(), 'or')) {
      pos++;
      left = { type: 'or', left, right: parseAnd() };
    }
    return left;
  }

  const e = parseOr();
  if (pos !== toks.length) throw new ODataSyntaxError(`Unexpected token '${String(toks[pos]?.v)}' in $filter`);
  return e;
}

/** Every field path the expression references (for the indexed-column check). */
export function filterRefs(e: FilterExpr, out: Set<string> = new Set()): Set<string> {
  switch (e.type) {
    case 'and':
    case 'or':
      filterRefs(e.left, out);
      filterRefs(e.right, out);
      break;
    case 'not':
      filterRefs(e.expr, out);
      break;
    case 'cmp':
      if (e.left.type === 'ref') out.add(e.left.path);
      if (e.right.type === 'ref') out.add(e.right.path);
      break;
    case 'startswith':
    case 'boolref':
      out.add(e.ref);
      break;
  }
  return out;
}

export type ValueKind = 'text' | 'number' | 'dateTime' | 'boolean';

export interface Resolved {
  kind: ValueKind;
  value: unknown;
}

/** Evaluates a parsed filter; `resolve` maps a path to the value and its column kind. */
export function evalFilter(e: FilterExpr, resolve: (path: string) => Resolved): boolean {
  switch (e.type) {
    case 'and': return evalFilter(e.left, resolve) && evalFilter(e.right, resolve);
    case 'or': return evalFilter(e.left, resolve) || evalFilter(e.right, resolve);
    case 'not': return !evalFilter(e.expr, resolve);
    case 'boolref': return resolve(e.ref).value === true;
    case 'startswith': {
      const v = resolve(e.ref).value;
      return typeof v === 'string' && v.toLowerCase().startsWith(e.prefix.toLowerCase());
    }
    case 'cmp': {
      let kind: ValueKind = 'text';
      let l: unknown;
      let r: unknown;
      if (e.left.type === 'ref') {
        const res = resolve(e.left.path);
        kind = res.kind;
        l = res.value;
      }
      if (e.right.type === 'ref') {
        const res = resolve(e.right.path);
        if (e.left.type !== 'ref') kind = res.kind;
        r = res.value;
      }
      if (e.left.type === 'lit') l = coerceLiteral(e.left, kind);
      if (e.right.type === 'lit') r = coerceLiteral(e.right, kind);
      return compare(e.op, l, r, kind);
    }
  }
}

function coerceLiteral(lit: Literal, kind: ValueKind): unknown {
  if (lit.kind === 'null') return null;
  switch (kind) {
    case 'number':
      if (lit.kind === 'number') return lit.value;
      if (lit.kind === 'string' && lit.value.trim() !== '' && !Number.isNaN(Number(lit.value))) return Number(lit.value);
      throw new ODataSyntaxError(`Cannot compare a number column with ${JSON.stringify(lit.value)}`);
    case 'dateTime': {
      if (lit.kind === 'string' || lit.kind === 'datetime') {
        const t = Date.parse(lit.value);
        if (Number.isNaN(t)) throw new ODataSyntaxError(`Invalid date/time literal ${lit.value}`);
        return t;
      }
      throw new ODataSyntaxError('Cannot compare a dateTime column with a non-date literal');
    }
    case 'boolean':
      if (lit.kind === 'bool') return lit.value;
      if (lit.kind === 'number') return lit.value !== 0;
      if (lit.kind === 'string') return lit.value === '1' || lit.value.toLowerCase() === 'true';
      throw new ODataSyntaxError('Cannot compare a boolean column with that literal');
    case 'text':
      return lit.kind === 'string' || lit.kind === 'datetime' ? lit.value : String(lit.value);
  }
}

function normalise(v: unknown, kind: ValueKind): unknown {
  if (v === undefined || v === null) return null;
  if (kind === 'dateTime' && typeof v === 'string') return Date.parse(v);
  if (kind === 'text' && typeof v === 'string') return v.toLowerCase(); // SharePoint text comparison is case-insensitive
  if (kind === 'text') return String(v).toLowerCase();
  return v;
}

function compare(op: CmpOp, a: unknown, b: unknown, kind: ValueKind): boolean {
  const l = normalise(a, kind);
  const r = normalise(b, kind);
  if (op === 'eq') return l === r;
  if (op === 'ne') return l !== r;
  if (l === null || r === null) return false;
  const c = cmpValues(l, r);
  switch (op) {
    case 'lt': return c < 0;
    case 'le': return c <= 0;
    case 'gt': return c > 0;
    case 'ge': return c >= 0;
  }
}

/** Total order used by comparisons and $orderby: null/undefined first. */
export function cmpValues(a: unknown, b: unknown): number {
  const an = a === undefined || a === null;
  const bn = b === undefined || b === null;
  if (an || bn) return an && bn ? 0 : an ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
