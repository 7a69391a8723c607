/**
 * Argo CD's glob matcher (`policy.matchMode: glob`, the default): `util/glob/glob.go` calls
 * github.com/gobwas/glob `Compile(pattern)` with no separators, so `*` also crosses `/`
 * (docs/operator-manual/rbac.md "Glob matching"). This is a port of gobwas/glob
 * `syntax/lexer/lexer.go` and `syntax/ast/parser.go` (commit e7a84e95), quirks included:
 * `]`, `}` and `,` outside their brackets are plain text, an unclosed `{` is closed at the end,
 * a trailing `\` is dropped, `[a-z]` holds one range or a list of characters, never both.
 * A pattern gobwas cannot compile matches nothing (glob.Match logs and returns false).
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

// With the `u` flag only syntax characters may be escaped outside a class, and `-` only inside.
const escapeRe = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
const escapeClass = (s: string): string => s.replace(/[\\\]^-]/g, '\\$&');

/** Builds the regular expression source of the gobwas AST (parser.go's tree, flattened). */
function toRegExpSource(tokens: readonly Token[]): string {
  // Each open `{` is a group; a separator starts the next alternative of the innermost group.
  let out = '';
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    switch (tok.t) {
      case 'text':
        out += escapeRe(tok.v);
        break;
      case 'any':
        out += '[^]*';
        break;
      case 'single':
        out += '[^]';
        break;
      case 'termsOpen':
        depth++;
        out += '(?:';
        break;
      case 'sep':
        out += '|';
        break;
      case 'termsClose':
        depth--;
        out += ')';
        break;
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
        const body = isRange ? `${escapeClass(lo)}-${escapeClass(hi)}` : escapeClass(chars);
        out += `[${not ? '^' : ''}${body}]`;
        break;
      }
      default:
        throw new GlobSyntaxError(`unexpected token: ${tok.t}`);
    }
  }
  // parser.go returns at EOF whatever is open: an unclosed `{a,b` is the group `{a,b}`.
  return out + ')'.repeat(Math.max(depth, 0));
}

const cache = new Map<string, RegExp | null>();
const CACHE_LIMIT = 10_000; // util/glob DefaultGlobCacheSize

/** The compiled pattern, or null when gobwas/glob would fail to compile it. */
export function compileGlob(pattern: string): RegExp | null {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  let re: RegExp | null;
  try {
    re = new RegExp(`^(?:${toRegExpSource(lex(pattern))})$`, 'u');
  } catch {
    re = null;
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** `glob.Match(pattern, text)`: the whole text must match; an invalid pattern matches nothing. */
export function globMatch(pattern: string, text: string): boolean {
  return compileGlob(pattern)?.test(text) ?? false;
}
