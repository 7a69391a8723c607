/**
 * PromQL through the upstream grammar (`@prometheus-io/lezer-promql`, the parser Prometheus'
 * own UI uses): syntax errors with their offset, and the series selectors an expression reads.
 * Also the two helpers that build PromQL text safely: string literals and numbers.
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

export interface Selector {
  /** The metric name, when the selector fixes one (`foo{…}`, `{__name__="foo"}`, `{"foo"}`). */
  readonly metric?: string;
  /** Matchers other than a fixed metric name (a regex `__name__` stays here). */
  readonly matchers: readonly LabelMatcher[];
  /** Offset of the selector in the expression. */
  readonly offset: number;
}

export interface SyntaxIssue {
  readonly offset: number;
  readonly message: string;
}

/**
 * A Lezer error node as an issue: Lezer recovers and marks the spot, and a zero-length error
 * node at the end means the input ended early. Shared by the PromQL and LogQL parsers.
 */
export function syntaxErrorAt(text: string, offset: number, what: string): SyntaxIssue {
  const near = text.slice(offset, offset + 20);
  return {
    offset,
    message: near
      ? `unexpected ${JSON.stringify(near)} at offset ${offset}`
      : `unexpected end of ${what} at offset ${offset}`,
  };
}

export interface ParsedPromql {
  readonly errors: readonly SyntaxIssue[];
  readonly selectors: readonly Selector[];
}

/** Longer expressions are refused before parsing: no rule the platform writes comes close. */
export const MAX_EXPRESSION_LENGTH = 64 * 1024;

export function parsePromql(expr: string): ParsedPromql {
  if (expr.length > MAX_EXPRESSION_LENGTH) {
    return {
      errors: [
        {
          offset: MAX_EXPRESSION_LENGTH,
          message: `expression longer than ${MAX_EXPRESSION_LENGTH} characters`,
        },
      ],
      selectors: [],
    };
  }
  if (expr.trim() === '') return { errors: [{ offset: 0, message: 'empty expression' }], selectors: [] };
  const tree = parser.parse(expr);
  const errors: SyntaxIssue[] = [];
  const selectors: Selector[] = [];
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) {
        errors.push(syntaxErrorAt(expr, ref.from, 'expression'));
        return false;
      }
      if (ref.name === 'VectorSelector') {
        const sel = selectorOf(ref.node, expr);
        if (sel) selectors.push(sel);
        else
          errors.push({ offset: ref.from, message: `undecodable string in selector at offset ${ref.from}` });
        // Descend anyway: lezer nests recovery (error) nodes inside the selector (`up } 1`).
      }
      return undefined;
    },
  });
  return { errors, selectors };
}

function selectorOf(node: SyntaxNode, expr: string): Selector | undefined {
  const text = (n: SyntaxNode) => expr.slice(n.from, n.to);
  let metric: string | undefined;
  const matchers: LabelMatcher[] = [];
  const id = node.getChild('Identifier');
  if (id) metric = text(id);
  const list = node.getChild('LabelMatchers');
  for (let c = list?.firstChild ?? null; c; c = c.nextSibling) {
    if (c.name === 'QuotedLabelName') {
      // `{"metric.name"}`: a quoted metric name (UTF-8 names, Prometheus 3).
      const lit = c.getChild('StringLiteral');
      const v = lit ? decodeString(text(lit)) : undefined;
      if (v === undefined) return undefined;
      metric = v;
      continue;
    }
    if (c.name !== 'UnquotedLabelMatcher' && c.name !== 'QuotedLabelMatcher') continue;
    const nameNode = c.getChild('LabelName') ?? c.getChild('QuotedLabelName')?.getChild('StringLiteral');
    const op = c.getChild('MatchOp');
    const lit = c.getChildren('StringLiteral').at(-1);
    if (!nameNode || !op || !lit) continue; // recovered partial matcher: the error node reports it
    const label = nameNode.name === 'LabelName' ? text(nameNode) : decodeString(text(nameNode));
    const value = decodeString(text(lit));
    if (label === undefined || value === undefined) return undefined;
    const m: LabelMatcher = { label, op: text(op) as MatchOp, value };
    if (m.label === '__name__' && m.op === '=') metric = m.value;
    else matchers.push(m);
  }
  return metric === undefined ? { matchers, offset: node.from } : { metric, matchers, offset: node.from };
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/**
 * A PromQL string literal's value: `"…"` and `'…'` take Go's escapes (`\n`, `\xHH`, `\uHHHH`,
 * `\UHHHHHHHH`, octal `\ooo`), backquoted strings are raw. `undefined` when malformed.
 */
export function decodeString(literal: string): string | undefined {
  const q = literal[0];
  if (literal.length < 2 || literal.at(-1) !== q) return undefined;
  const body = literal.slice(1, -1);
  if (q === '`') return body.includes('`') ? undefined : body;
  if (q !== '"' && q !== "'") return undefined;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === q || ch === '\n') return undefined;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    if (Object.hasOwn(SIMPLE_ESCAPES, e)) {
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hexLen) {
      const hex = body.slice(i + 1, i + 1 + hexLen);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(hex)) return undefined;
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
      out += String.fromCodePoint(cp);
      i += hexLen;
      continue;
    }
    const oct = body.slice(i, i + 3);
    if (/^[0-7]{3}$/.test(oct) && Number.parseInt(oct, 8) <= 255) {
      out += String.fromCharCode(Number.parseInt(oct, 8));
      i += 2;
      continue;
    }
    return undefined;
  }
  return out;
}

/** A double-quoted PromQL string literal holding `value` exactly. */
export function promqlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** A number as PromQL text, rounded to 12 significant digits so 14.4 × 0.001 reads 0.0144, not 0.014400000000000012. */
export function promqlNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(Number(n.toPrecision(12)));
}
