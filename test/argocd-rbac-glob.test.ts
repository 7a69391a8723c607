// The glob matcher and the CSV reader under Argo CD's RBAC. Expected values were produced by
// github.com/gobwas/glob (e7a84e95) and Go's encoding/csv themselves, run outside this repo.
import { describe, expect, it } from 'vitest';
import { goTrimSpace, readCsvLine } from '../src/argocd/csv.js';
import { compileGlob, globMatch } from '../src/argocd/glob.js';

const GLOB: [pattern: string, text: string, want: boolean | 'invalid'][] = [
  ['*', 'a/b/c', true],
  ['*', '', true],
  ['*/*', 'proj/ns/app', true],
  ['*/*', 'proj', false],
  ['default/*', 'default/my-app', true],
  ['default/*', 'default', false],
  ['default/*', 'other/my-app', false],
  ['default/my-app', 'default/my-app', true],
  ['default/my-app', 'default/my-app2', false],
  ['action/extensions/*', 'action/extensions/DaemonSet/test', true],
  ['delete/*/Pod/*/*', 'delete//Pod/ns/p', true],
  ['delete/*/kind/*', 'delete/g/Other/kind/name', true],
  ['a?c', 'abc', true],
  ['a?c', 'ac', false],
  ['?', 'ü', true],
  ['[abc]x', 'bx', true],
  ['[!abc]x', 'bx', false],
  ['[a-c]x', 'cx', true],
  ['[!a-c]x', 'dx', true],
  ['[c-a]', 'b', 'invalid'],
  ['[', '[', 'invalid'],
  ['[]', 'x', 'invalid'],
  [']', ']', true],
  ['}', '}', true],
  ['a,b', 'a,b', true],
  ['{a,b}', 'b', true],
  ['{a,b}', 'a,b', false],
  ['{a,b', 'b', true],
  ['{}', '', true],
  ['{a,{b,c}}x', 'cx', true],
  ['\\*', '*', true],
  ['\\*', 'a', false],
  ['abc\\', 'abc', true],
  ['**', 'x/y', true],
  ['a**b', 'a/x/b', true],
  ['', '', true],
  ['', 'a', false],
  ['x*y*z', 'xyz', true],
  ['ml-team/*', 'ml-team/*', true],
  ['ml-team/app', 'ml-team/*', false],
  ['\ud800', 'x', 'invalid'],
];

describe('glob: gobwas/glob without separators', () => {
  it.each(GLOB)('%j ~ %j → %s', (pattern, text, want) => {
    if (want === 'invalid') {
      expect(compileGlob(pattern)).toBeNull();
      expect(globMatch(pattern, text)).toBe(false);
    } else expect(globMatch(pattern, text)).toBe(want);
  });

  it('a pattern built to backtrack answers in linear time', () => {
    const pattern = `${'*a'.repeat(40)}b`;
    const text = 'a'.repeat(20_000);
    const t0 = performance.now();
    expect(globMatch(pattern, text)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2_000);
  });
});

const CSV: [line: string, want: string[] | 'error'][] = [
  ['p, a, b', ['p', 'a', 'b']],
  ['p,a ,b', ['p', 'a ', 'b']],
  ['p, "a, b", c', ['p', 'a, b', 'c']],
  ['p, "a ""q"" b"', ['p', 'a "q" b']],
  ['p, a"b', 'error'],
  ['p, "a"b', 'error'],
  ['p, "a', 'error'],
  ['p,\t\u00a0x', ['p', 'x']],
  ['p,,', ['p', '', '']],
  ['"p"', ['p']],
];

describe('csv: encoding/csv with TrimLeadingSpace, one line', () => {
  it.each(CSV)('%j', (line, want) => {
    const r = readCsvLine(line);
    expect(r.ok ? r.fields : 'error').toEqual(want);
  });

  it('trims Go whitespace (NEL, NBSP), not the BOM', () => {
    expect(goTrimSpace('\u0085\u00a0 p \u3000')).toBe('p');
    expect(goTrimSpace('\ufeffp')).toBe('\ufeffp');
  });
});
