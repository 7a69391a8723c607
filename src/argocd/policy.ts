/**
 * Loading policy text the way `argocdAdapter.LoadPolicy` does (util/rbac/rbac.go, v3.x):
 * builtin, then user-defined (policy.csv), then the run-time policy of one AppProject, each
 * split on "\n", each piece TrimSpace'd; empty lines and `#` comments skipped; the rest read
 * as CSV. `p` needs exactly 6 fields, `g` exactly 3. A key naming another section of the
 * casbin model (`r`, `e`, `m`) is accepted and has no effect; any other key is an error that
 * fails the whole load.
 */
import { goTrimSpace, readCsvLine } from './csv.js';

/** Where a piece of policy text came from, for saying which line decided. */
export interface PolicyChunk {
  readonly origin: string;
  readonly text: string;
}

export interface PolicyLine {
  readonly ptype: 'p' | 'g';
  /** The fields after the key: p → sub, res, act, obj, eft; g → member, role. */
  readonly values: readonly string[];
  /** e.g. `policy.csv line 3`, `AppProject ml-team role developer policies[0]`. */
  readonly origin: string;
  readonly text: string;
}

export class PolicyLoadError extends Error {
  override readonly name = 'PolicyLoadError';
}

// The sections of Argo CD's model.conf (assets/model.conf): r, p, g, e, m.
const OTHER_SECTIONS = new Set(['r', 'e', 'm']);

export function loadPolicy(chunks: readonly PolicyChunk[]): PolicyLine[] {
  const out: PolicyLine[] = [];
  for (const chunk of chunks) {
    const pieces = chunk.text.split('\n');
    pieces.forEach((raw, i) => {
      const line = goTrimSpace(raw);
      if (line === '' || line.startsWith('#')) return;
      const origin = pieces.length > 1 ? `${chunk.origin} line ${i + 1}` : chunk.origin;
      const read = readCsvLine(line);
      if (!read.ok)
        throw new PolicyLoadError(`${origin}: error parsing policy line "${line}": ${read.error}`);
      const [key, ...values] = read.fields;
      const n = read.fields.length;
      if (!key || (key === 'g' && n !== 3) || (key === 'p' && n !== 6))
        throw new PolicyLoadError(`${origin}: invalid RBAC policy: ${line}`);
      if (key === 'p' || key === 'g') out.push({ ptype: key, values, origin, text: line });
      // model[sec][key] exists only for the section's own key ("r", "e", "m"); "p2", "g2", "x" fail.
      else if (!OTHER_SECTIONS.has(key)) throw new PolicyLoadError(`${origin}: invalid RBAC policy: ${line}`);
    });
  }
  return out;
}
