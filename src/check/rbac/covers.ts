/**
 * Does one set of RBAC rules cover another? The API server's answer, used to decide whether
 * creating a binding or role escalates: `Covers` in kubernetes/kubernetes
 * `staging/src/k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go`. Each servant
 * rule is broken down into single verb × group × resource (× name) rules, and each of those
 * must be covered by one owner rule: `*` covers everything, an enumeration never covers `*`.
 */
import type { PolicyRule } from './evaluate.js';

const has = (set: readonly string[] | undefined, v: string) => (set ?? []).includes(v);
const hasAll = (set: readonly string[] | undefined, want: readonly string[] | undefined) =>
  (want ?? []).every((w) => has(set, w));

/** Single-verb, single-resource rules, the unit the comparison works on. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if ((rule.resourceNames ?? []).length > 0) {
          for (const name of rule.resourceNames!)
            out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? [])
    for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function resourceCoversAll(set: readonly string[] | undefined, requested: readonly string[] | undefined) {
  if (has(set, '*')) return true;
  return (requested ?? []).every((r) => {
    if (has(set, r)) return true;
    const slash = r.indexOf('/');
    return slash >= 0 && has(set, `*/${r.slice(slash + 1)}`);
  });
}

export function nonResourceURLCovers(owner: string, requested: string): boolean {
  if (owner === requested) return true;
  return owner.endsWith('*') && requested.startsWith(owner.slice(0, -1));
}

export function ruleCovers(owner: PolicyRule, servant: PolicyRule): boolean {
  const verbs = has(owner.verbs, '*') || hasAll(owner.verbs, servant.verbs);
  const groups = has(owner.apiGroups, '*') || hasAll(owner.apiGroups, servant.apiGroups);
  const resources = resourceCoversAll(owner.resources, servant.resources);
  const urls = (servant.nonResourceURLs ?? []).every((u) =>
    (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, u)),
  );
  const servantNames = servant.resourceNames ?? [];
  const ownerNames = owner.resourceNames ?? [];
  const names =
    servantNames.length === 0
      ? ownerNames.length === 0
      : ownerNames.length === 0 || hasAll(ownerNames, servantNames);
  return verbs && groups && resources && urls && names;
}

/** Whether `owner` covers every rule of `servant`, and the broken-down rules it does not. */
export function covers(
  owner: readonly PolicyRule[],
  servant: readonly PolicyRule[],
): { covered: boolean; uncovered: PolicyRule[] } {
  const uncovered: PolicyRule[] = [];
  for (const rule of servant)
    for (const sub of breakdownRule(rule)) if (!owner.some((o) => ruleCovers(o, sub))) uncovered.push(sub);
  return { covered: uncovered.length === 0, uncovered };
}
