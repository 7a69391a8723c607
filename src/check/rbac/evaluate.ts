/**
 * An RBAC authorizer with the API server's semantics: Roles and ClusterRoles, RoleBindings and
 * ClusterRoleBindings, users, groups and service accounts (with their implicit groups),
 * wildcards, resourceNames, subresources, non-resource URLs and aggregated ClusterRoles.
 */
import type { K8sObject } from '../../k8s/object.js';
import { compileSelector, type LabelSelector } from '../../k8s/selector.js';
import { BOOTSTRAP_OBJECTS } from './bootstrap.js';

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export interface Binding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  namespace?: string;
  roleRef: { kind: string; name: string };
  subjects: Subject[];
}

export interface AccessRequest {
  readonly user: string;
  readonly groups?: readonly string[];
  readonly verb: string;
  /** Resource requests: resource, optional subresource, API group and object name. */
  readonly resource?: string;
  readonly subresource?: string;
  readonly apiGroup?: string;
  readonly name?: string;
  /** Empty or absent for cluster-wide requests. */
  readonly namespace?: string;
  /** Non-resource requests such as `/healthz`. */
  readonly nonResourceURL?: string;
}

/** Rules a subject holds through one binding: in one namespace, or cluster-wide. */
export interface Grant {
  /** Absent for ClusterRoleBindings: the rules apply in every namespace and cluster-wide. */
  readonly namespace?: string;
  readonly rules: readonly PolicyRule[];
  /** `RoleBinding ns/name → Role name`. */
  readonly via: string;
  /** The role the binding refers to. */
  readonly roleRef?: { readonly kind: string; readonly name: string };
  /** True for the API server's bootstrap policy rather than the tree. */
  readonly builtin: boolean;
}

export interface AuthorizerOptions {
  /**
   * Include the API server's bootstrap ClusterRoles and bindings (discovery, basic-user,
   * cluster-admin for system:masters, admin/edit/view). @default true
   */
  readonly builtins?: boolean;
}

export interface Decision {
  readonly allowed: boolean;
  /** Which binding and role allowed it, or why nothing did. */
  readonly reason: string;
}

const SA_PREFIX = 'system:serviceaccount:';

/** The groups the API server adds on its own: authenticated users and service accounts. */
export function effectiveGroups(user: string, groups: readonly string[] = []): string[] {
  const out = new Set(groups);
  if (user === 'system:anonymous') out.add('system:unauthenticated');
  else out.add('system:authenticated');
  if (user.startsWith(SA_PREFIX)) {
    const ns = user.slice(SA_PREFIX.length).split(':')[0];
    out.add('system:serviceaccounts');
    out.add(`system:serviceaccounts:${ns}`);
  }
  return [...out];
}

export function ruleAllows(rule: PolicyRule, req: AccessRequest): boolean {
  const verbs = rule.verbs ?? [];
  if (!verbs.includes('*') && !verbs.includes(req.verb)) return false;
  if (req.nonResourceURL !== undefined) {
    return (rule.nonResourceURLs ?? []).some(
      (u) =>
        u === '*' ||
        u === req.nonResourceURL ||
        (u.endsWith('*') && req.nonResourceURL!.startsWith(u.slice(0, -1))),
    );
  }
  const groups = rule.apiGroups ?? [];
  if (!groups.includes('*') && !groups.includes(req.apiGroup ?? '')) return false;
  const combined = req.subresource ? `${req.resource}/${req.subresource}` : (req.resource ?? '');
  const resources = rule.resources ?? [];
  const resourceOk = resources.some(
    (r) => r === '*' || r === combined || (req.subresource !== undefined && r === `*/${req.subresource}`),
  );
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  // A rule limited to names never matches a request without one (list, create, watch all).
  return names.length === 0 || (req.name !== undefined && req.name !== '' && names.includes(req.name));
}

export class RbacAuthorizer {
  private readonly roles = new Map<string, PolicyRule[]>();
  private readonly clusterRoles = new Map<string, PolicyRule[]>();
  private readonly roleBindings = new Map<string, Binding[]>();
  private readonly clusterRoleBindings: Binding[] = [];
  private readonly builtinBindings = new Set<Binding>();

  constructor(objects: readonly K8sObject[], options: AuthorizerOptions = {}) {
    const raw = new Map<string, K8sObject>();
    // The tree's objects replace built-ins of the same kind and name, as an apply would.
    const own = new Set(objects.map((o) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`));
    const builtins =
      (options.builtins ?? true)
        ? BOOTSTRAP_OBJECTS.filter((o) => !own.has(`${o.kind}//${o.metadata.name}`))
        : [];
    for (const o of [...builtins, ...objects]) {
      if (!o.apiVersion?.startsWith('rbac.authorization.k8s.io/')) continue;
      const name = o.metadata?.name;
      if (o.kind === 'Role')
        this.roles.set(`${o.metadata.namespace}/${name}`, (o.rules as PolicyRule[]) ?? []);
      else if (o.kind === 'ClusterRole') raw.set(name, o);
      else if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
        const b: Binding = {
          kind: o.kind,
          name,
          ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
          roleRef: o.roleRef as Binding['roleRef'],
          subjects: (o.subjects as Subject[]) ?? [],
        };
        if (builtins.includes(o)) this.builtinBindings.add(b);
        if (o.kind === 'ClusterRoleBinding') this.clusterRoleBindings.push(b);
        else {
          const ns = o.metadata.namespace ?? '';
          this.roleBindings.set(ns, [...(this.roleBindings.get(ns) ?? []), b]);
        }
      }
    }
    for (const name of raw.keys()) this.clusterRoles.set(name, this.aggregate(name, raw, new Set()));
  }

  /** An aggregated ClusterRole's rules are the union of the rules of every role it selects. */
  private aggregate(name: string, raw: Map<string, K8sObject>, visiting: Set<string>): PolicyRule[] {
    const role = raw.get(name)!;
    const agg = role.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined;
    if (!agg?.clusterRoleSelectors) return (role.rules as PolicyRule[]) ?? [];
    visiting.add(name);
    const matchers = agg.clusterRoleSelectors.map(compileSelector);
    const rules: PolicyRule[] = [];
    for (const [other, o] of raw) {
      if (other === name || visiting.has(other)) continue;
      if (matchers.some((m) => m(o.metadata.labels ?? {})))
        rules.push(...this.aggregate(other, raw, visiting));
    }
    visiting.delete(name);
    return rules;
  }

  private subjectMatches(s: Subject, b: Binding, user: string, groups: readonly string[]): boolean {
    switch (s.kind) {
      case 'User':
        return s.name === user;
      case 'Group':
        return groups.includes(s.name);
      case 'ServiceAccount':
        return user === `${SA_PREFIX}${s.namespace || b.namespace}:${s.name}`;
      default:
        return false;
    }
  }

  rulesOf(b: Binding): PolicyRule[] | undefined {
    if (b.roleRef.kind === 'ClusterRole') return this.clusterRoles.get(b.roleRef.name);
    if (b.roleRef.kind === 'Role' && b.kind === 'RoleBinding')
      return this.roles.get(`${b.namespace}/${b.roleRef.name}`);
    return undefined;
  }

  authorize(req: AccessRequest): Decision {
    const groups = effectiveGroups(req.user, req.groups);
    const bindings = [...this.clusterRoleBindings];
    // RoleBindings grant only inside their namespace, and never non-resource URLs.
    if (req.namespace && req.nonResourceURL === undefined)
      bindings.push(...(this.roleBindings.get(req.namespace) ?? []));
    for (const b of bindings) {
      if (!b.subjects.some((s) => this.subjectMatches(s, b, req.user, groups))) continue;
      const rules = this.rulesOf(b);
      if (!rules) continue;
      const index = rules.findIndex((r) => ruleAllows(r, req));
      if (index >= 0) {
        return { allowed: true, reason: `allowed by ${describeBinding(b)} rule ${index}` };
      }
    }
    return { allowed: false, reason: 'no RBAC rule allows this request' };
  }

  /** Everything a user with these groups holds, binding by binding. */
  grantsOf(user: string, groups: readonly string[] = []): Grant[] {
    const all = effectiveGroups(user, groups);
    const out: Grant[] = [];
    for (const b of this.allBindings()) {
      if (!b.subjects.some((s) => this.subjectMatches(s, b, user, all))) continue;
      const rules = this.rulesOf(b);
      if (!rules) continue;
      out.push({
        ...(b.kind === 'RoleBinding' ? { namespace: b.namespace ?? '' } : {}),
        rules,
        via: describeBinding(b),
        roleRef: { kind: b.roleRef.kind, name: b.roleRef.name },
        builtin: this.builtinBindings.has(b),
      });
    }
    return out;
  }

  /** Every binding, ClusterRoleBindings first. */
  allBindings(): Binding[] {
    return [...this.clusterRoleBindings, ...[...this.roleBindings.values()].flat()];
  }

  isBuiltin(b: Binding): boolean {
    return this.builtinBindings.has(b);
  }

  /** Roles of one namespace by name, and ClusterRoles by name (aggregation applied). */
  rolesIn(namespace: string): Map<string, PolicyRule[]> {
    const out = new Map<string, PolicyRule[]>();
    for (const [key, rules] of this.roles) {
      const slash = key.indexOf('/');
      if (key.slice(0, slash) === namespace) out.set(key.slice(slash + 1), rules);
    }
    return out;
  }

  clusterRoleMap(): ReadonlyMap<string, PolicyRule[]> {
    return this.clusterRoles;
  }

  /** The RoleBindings of one namespace, for analyses of who is bound where. */
  bindingsIn(namespace: string): readonly Binding[] {
    return this.roleBindings.get(namespace) ?? [];
  }
}

export function describeBinding(b: Binding): string {
  const where = b.namespace ? `${b.kind} ${b.namespace}/${b.name}` : `${b.kind} ${b.name}`;
  return `${where} → ${b.roleRef.kind} ${b.roleRef.name}`;
}
