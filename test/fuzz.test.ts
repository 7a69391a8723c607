import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { SpecError } from '../src/spec/errors.js';
import { parseSpec } from '../src/spec/load.js';
import { exampleText } from './helpers.js';

type Path = (string | number)[];

function allPaths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => allPaths(v, [...prefix, k]))];
}

function mutate(root: unknown, path: Path, op: number, replacement: unknown): unknown {
  const copy = structuredClone(root);
  if (path.length === 0) return replacement;
  let parent = copy as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (op === 0) parent[last] = replacement;
  else if (op === 1) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (op === 2) {
    const target = parent[last];
    if (target && typeof target === 'object' && !Array.isArray(target))
      (target as Record<string, unknown>).surprise = replacement;
    else parent[last] = [replacement];
  } else if (op === 3) {
    if (Array.isArray(parent)) parent.push(structuredClone(parent[Number(last)]));
    else parent[last] = String(parent[last]);
  }
  return copy;
}

const example = parse(exampleText());
const paths = allPaths(example);

/** Either a valid spec or a located error: never a crash, never an unlocated message. */
function assertLocatedOrValid(text: string) {
  try {
    parseSpec(text, 'fuzz.yaml');
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    expect(err.issues.length).toBeGreaterThan(0);
    for (const i of err.issues) {
      expect(i.line).toBeGreaterThanOrEqual(1);
      expect(i.col).toBeGreaterThanOrEqual(1);
      expect(i.message.length).toBeGreaterThan(0);
    }
  }
}

describe('spec fuzzing', () => {
  // Three properties, each with its own generous budget: a loaded 2-core CI machine runs the
  // whole file several times slower than a quiet one (spec loading is ~15 ms per mutation).
  it('4,000 structural mutations of the example give a valid spec or a located error', () => {
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(
        '1GB',
        '500m',
        'ML_Team',
        '',
        -1,
        Number.POSITIVE_INFINITY,
        null,
        '8080/TCP',
        'ml-team',
        'postgres',
        '1.31',
        // Issue 7: values that used to pass or crash.
        '99999/TCP',
        '9100-9000/TCP',
        '999.40.0.0/99',
        '10.40.0.1/16',
        '2001:db8::/64',
        'kube-system',
        '__proto__',
        '1.29',
      ),
    );
    fc.assert(
      fc.property(fc.nat(paths.length - 1), fc.nat(3), value, (index, op, replacement) => {
        const mutated = mutate(example, paths[index]!, op, replacement);
        assertLocatedOrValid(stringify(mutated));
      }),
      { numRuns: 4_000, seed: 20261122 },
    );
  }, 600_000);

  it('1,000 byte-level damages of the example give a valid spec or a located error', () => {
    // Byte-level damage exercises the YAML layer.
    const text = exampleText();
    fc.assert(
      fc.property(fc.nat(text.length - 1), fc.string({ maxLength: 3 }), fc.nat(4), (at, insert, cut) => {
        assertLocatedOrValid(text.slice(0, at) + insert + text.slice(at + cut));
      }),
      { numRuns: 1_000, seed: 20261122 },
    );
  }, 600_000);

  it('1,000 hostile YAML snippets in the example give a valid spec or a located error', () => {
    const text = exampleText();
    // Hostile YAML at a line start: anchors and aliases (bombs, cycles, dangling), keys that
    // reach a prototype, control characters, byte order marks, tags and merge keys.
    const lines = text.split('\n');
    const snippets = [
      '&a ',
      '*a',
      '*nope',
      '__proto__: {}',
      'constructor: 1',
      '  prototype: x',
      '\u0000',
      '\ufeff',
      '\u0085',
      '!!binary ',
      '<<: *a',
      '- &b [*b]',
      'x: &c [lol, lol]\ny: [*c, *c, *c, *c]',
      `z: [${Array(200).fill('*a').join(', ')}]`,
    ];
    fc.assert(
      fc.property(fc.nat(lines.length - 1), fc.nat(snippets.length - 1), fc.nat(40), (line, which, col) => {
        const target = lines[line]!;
        const at = Math.min(col, target.length);
        const edited = [...lines];
        edited[line] = target.slice(0, at) + snippets[which]! + target.slice(at);
        assertLocatedOrValid(edited.join('\n'));
      }),
      { numRuns: 1_000, seed: 20261122 },
    );
  }, 600_000);
});
