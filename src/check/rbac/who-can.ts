/**
 * The reverse of can-i: which subjects may make a request, through which binding (and, for
 * effective answers, through which escalation path). Like rbac-tool's and kubectl-who-can's
 * `who-can`, over the tree plus the API server's bootstrap policy.
 */
import type { K8sObject } from '../../k8s/object.js';
import { EscalationAnalyzer } from './escalation.js';
import { principalOf } from './escalation-rules.js';
import {
  type AccessRequest,
  describeBinding,
  type RbacAuthorizer,
  ruleAllows,
  type Subject,
} from './evaluate.js';

export interface WhoCanEntry {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** The binding and role that grant it. */
  readonly via: string;
  /** True when the binding is part of the API server's bootstrap policy. */
  readonly builtin: boolean;
  /** Escalation steps, for subjects that reach the request only indirectly. */
  readonly path?: readonly string[];
}

export function whoCan(
  rbac: RbacAuthorizer,
  objects: readonly K8sObject[],
  req: Omit<AccessRequest, 'user' | 'groups'>,
  effective = false,
): WhoCanEntry[] {
  const full: AccessRequest = { user: '', ...req };
  const out: WhoCanEntry[] = [];
  const seen = new Set<string>();
  const key = (s: Subject, ns?: string) =>
    s.kind === 'ServiceAccount' ? `ServiceAccount:${s.namespace || ns}:${s.name}` : `${s.kind}:${s.name}`;
  const inScope = (ns?: string) =>
    ns === undefined ||
    (req.nonResourceURL === undefined && req.namespace !== undefined && ns === req.namespace);
  for (const b of rbac.allBindings()) {
    if (!inScope(b.kind === 'RoleBinding' ? (b.namespace ?? '') : undefined)) continue;
    const rules = rbac.rulesOf(b);
    if (!rules?.some((r) => ruleAllows(r, full))) continue;
    for (const s of b.subjects) {
      const k = key(s, b.namespace);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({
        kind: s.kind,
        name: s.name,
        ...(s.kind === 'ServiceAccount' ? { namespace: s.namespace || b.namespace } : {}),
        via: describeBinding(b),
        builtin: rbac.isBuiltin(b),
      });
    }
  }
  if (effective) {
    const analyzer = new EscalationAnalyzer(rbac, objects);
    const candidates = new Map<string, Subject & { bindingNamespace?: string }>();
    for (const b of rbac.allBindings())
      for (const s of b.subjects)
        candidates.set(key(s, b.namespace), { ...s, bindingNamespace: b.namespace });
    if (req.namespace)
      for (const sa of analyzer.serviceAccountsIn(req.namespace))
        candidates.set(`ServiceAccount:${req.namespace}:${sa}`, {
          kind: 'ServiceAccount',
          name: sa,
          namespace: req.namespace,
        });
    for (const [k, s] of candidates) {
      if (seen.has(k)) continue;
      const p = principalOf(s, s.bindingNamespace);
      const d = analyzer.authorize(p, { ...full, user: p.user, groups: p.groups });
      if (!d.allowed) continue;
      seen.add(k);
      out.push({
        kind: s.kind,
        name: s.name,
        ...(s.kind === 'ServiceAccount' ? { namespace: s.namespace || s.bindingNamespace } : {}),
        via: d.path[d.path.length - 1] ?? '',
        builtin: false,
        path: d.path,
      });
    }
  }
  const order = ['User', 'Group', 'ServiceAccount'];
  return out.sort(
    (a, b) =>
      Number(!!a.path) - Number(!!b.path) ||
      order.indexOf(a.kind) - order.indexOf(b.kind) ||
      `${a.namespace ?? ''}/${a.name}`.localeCompare(`${b.namespace ?? ''}/${b.name}`),
  );
}
