/** Kubernetes label selectors (matchLabels + matchExpressions), compiled once into predicates. */

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export type Matcher = (labels: Labels) => boolean;

const ALL: Matcher = () => true;

/** An empty selector (`{}`) selects everything; every term must hold (AND). */
export function compileSelector(sel: LabelSelector | undefined | null): Matcher {
  if (!sel) return ALL;
  const terms: Matcher[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) terms.push((l) => l[k] === v);
  for (const e of sel.matchExpressions ?? []) {
    const values = new Set(e.values ?? []);
    switch (e.operator) {
      case 'In':
        terms.push((l) => l[e.key] !== undefined && values.has(l[e.key]!));
        break;
      // NotIn also matches objects that lack the key, as the API server does.
      case 'NotIn':
        terms.push((l) => l[e.key] === undefined || !values.has(l[e.key]!));
        break;
      case 'Exists':
        terms.push((l) => l[e.key] !== undefined);
        break;
      case 'DoesNotExist':
        terms.push((l) => l[e.key] === undefined);
        break;
      default:
        terms.push(() => false);
    }
  }
  if (terms.length === 0) return ALL;
  if (terms.length === 1) return terms[0]!;
  return (l) => terms.every((t) => t(l));
}

/** Parses `k=v,k2=v2` (as `mlp reach ns/k=v` takes it) into labels. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`expected key=value, received "${part}"`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}
