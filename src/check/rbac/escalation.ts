/**
 * Effective permissions: what a subject can reach, not just what its bindings say. RBAC rules
 * are only the first step of an attack; the API server itself offers more (see "Privilege
 * escalation prevention" and "Restrictions on role binding creation" in the RBAC docs, and
 * kubernetes/kubernetes `pkg/registry/rbac/escalation_check.go` with
 * `staging/src/k8s.io/component-helpers/auth/rbac/validation` `ConfirmNoEscalation`):
 *
 * - who can create pods (or a workload that creates them) in a namespace runs code as any
 *   ServiceAccount of it and mounts any Secret of it;
 * - who can exec into a running pod (or add an ephemeral container to it) acts as its
 *   ServiceAccount;
 * - who can create `serviceaccounts/token`, or a token Secret and read it back, acts as that SA;
 * - who can impersonate users, groups or service accounts acts as them;
 * - who can create RoleBindings grants any role it holds already (no gain) and, with `bind`
 *   on a role, that role; with `escalate` on a role it can rewrite it.
 *
 * Computed to a fixpoint, each gained grant carries the path that reached it.
 */

import { KUBERNETES_NAMESPACES } from '../../k8s/namespaces.js';
import type { K8sObject } from '../../k8s/object.js';
import { covers } from './covers.js';
import { bindClusterWide, bindInNamespace, type Exploration } from './escalation-binding.js';
import {
  type AccessRequest,
  effectiveGroups,
  type Grant,
  type PolicyRule,
  type RbacAuthorizer,
  ruleAllows,
} from './evaluate.js';

export interface Principal {
  readonly user: string;
  readonly groups: readonly string[];
}

/** How a gained grant was reached; `rbac` grants come from bindings. */
export type GrantOrigin = 'rbac' | 'secret-mount' | 'bind' | 'escalate';

export interface EffectiveGrant extends Grant {
  /** Steps from the subject to this grant; empty for the subject's own bindings. */
  readonly path: readonly string[];
  readonly origin: GrantOrigin;
}

export interface EffectiveDecision {
  readonly allowed: boolean;
  readonly reason: string;
  /** Steps, ending with the binding or capability that allows the request. */
  readonly path: readonly string[];
}

const SA_PREFIX = 'system:serviceaccount:';

/** Resources whose create (or update: the pod template) starts pods with a chosen ServiceAccount. */
const POD_MAKERS: readonly { group: string; resource: string; verbs: readonly string[] }[] = [
  { group: '', resource: 'pods', verbs: ['create'] },
  { group: '', resource: 'replicationcontrollers', verbs: ['create', 'update', 'patch'] },
  ...['deployments', 'replicasets', 'statefulsets', 'daemonsets'].map((resource) => ({
    group: 'apps',
    resource,
    verbs: ['create', 'update', 'patch'],
  })),
  ...['jobs', 'cronjobs'].map((resource) => ({
    group: 'batch',
    resource,
    verbs: ['create', 'update', 'patch'],
  })),
];

export function serviceAccountUser(namespace: string, name: string): string {
  return `${SA_PREFIX}${namespace}:${name}`;
}

function podSpecOf(o: K8sObject): { serviceAccountName?: string } | undefined {
  // biome-ignore lint/suspicious/noExplicitAny: pod templates are untyped JSON
  const spec = o.spec as Record<string, any> | undefined;
  if (!spec) return undefined;
  if (o.kind === 'Pod') return spec;
  if (o.kind === 'CronJob') return spec.jobTemplate?.spec?.template?.spec;
  return spec.template?.spec;
}

export class EscalationAnalyzer {
  private readonly namespaces = new Set<string>(KUBERNETES_NAMESPACES);
  private readonly serviceAccounts = new Map<string, Set<string>>();
  /** ServiceAccounts that running pods use, per namespace: reachable by exec. */
  private readonly runningAs = new Map<string, Set<string>>();
  private readonly users = new Set<string>();
  private readonly groups = new Set<string>();

  constructor(
    private readonly rbac: RbacAuthorizer,
    objects: readonly K8sObject[],
  ) {
    for (const o of objects) {
      if (o.kind === 'Namespace' && o.metadata?.name) this.namespaces.add(o.metadata.name);
      const ns = o.metadata?.namespace;
      if (!ns) continue;
      this.namespaces.add(ns);
      if (o.kind === 'ServiceAccount') this.addServiceAccount(ns, o.metadata.name);
      const pod = podSpecOf(o);
      if (pod) {
        const sa = pod.serviceAccountName || 'default';
        const set = this.runningAs.get(ns) ?? new Set<string>();
        set.add(sa);
        this.runningAs.set(ns, set);
      }
    }
    for (const b of rbac.allBindings()) {
      if (b.namespace) this.namespaces.add(b.namespace);
      for (const s of b.subjects) {
        if (s.kind === 'User') this.users.add(s.name);
        else if (s.kind === 'Group') this.groups.add(s.name);
        else if (s.kind === 'ServiceAccount') {
          const ns = s.namespace || b.namespace;
          if (ns) this.addServiceAccount(ns, s.name);
        }
      }
    }
    // Every namespace has its "default" ServiceAccount, whether the tree mentions it or not.
    for (const ns of this.namespaces) this.addServiceAccount(ns, 'default');
  }

  private addServiceAccount(ns: string, name: string): void {
    this.namespaces.add(ns);
    const set = this.serviceAccounts.get(ns) ?? new Set<string>();
    set.add(name);
    this.serviceAccounts.set(ns, set);
  }

  /** Namespaces the analysis knows: the tree's, the built-in ones and any asked about. */
  knownNamespaces(): string[] {
    return [...this.namespaces].sort();
  }

  serviceAccountsIn(ns: string): string[] {
    return [...(this.serviceAccounts.get(ns) ?? new Set(['default']))].sort();
  }

  knownUsers(): string[] {
    return [...this.users].sort();
  }

  knownGroups(): string[] {
    return [...this.groups].sort();
  }

  /** Every grant the principal can reach, with the path to it; `extraNamespace` is also explored. */
  effectiveGrants(principal: Principal, extraNamespace?: string): EffectiveGrant[] {
    const grants: EffectiveGrant[] = [];
    const keys = new Set<string>();
    const became = new Set<string>();
    const add = (g: EffectiveGrant): boolean => {
      const key = `${g.namespace ?? '*'}|${g.via}`;
      if (keys.has(key)) return false;
      keys.add(key);
      grants.push(g);
      return true;
    };
    const become = (p: Principal, path: readonly string[]): boolean => {
      const id = `${p.user}|${[...p.groups].sort().join(',')}`;
      if (became.has(id)) return false;
      became.add(id);
      let changed = false;
      for (const g of this.rbac.grantsOf(p.user, p.groups))
        changed = add({ ...g, path, origin: 'rbac' }) || changed;
      return changed;
    };
    become(principal, []);
    const namespaces = [...this.namespaces];
    if (extraNamespace && !this.namespaces.has(extraNamespace)) namespaces.push(extraNamespace);
    const can = (req: Omit<AccessRequest, 'user'>) => findGrant(grants, { user: '', ...req });
    const step = (g: EffectiveGrant, what: string) => [...g.path, `${what} (${g.via})`];
    const exploration: Exploration = { can, add, step, grantsNow: () => grants };

    for (let changed = true; changed; ) {
      changed = false;
      for (const ns of namespaces) {
        const sas = this.serviceAccountsIn(ns);
        // Pods: run as any ServiceAccount, mount any Secret.
        for (const maker of POD_MAKERS) {
          const verb = maker.verbs.find((v) =>
            can({ verb: v, resource: maker.resource, apiGroup: maker.group, namespace: ns }),
          );
          if (!verb) continue;
          const g = can({ verb, resource: maker.resource, apiGroup: maker.group, namespace: ns })!;
          const how = step(g, `${verb} ${maker.resource} in ${ns}`);
          for (const sa of sas)
            changed = become(saPrincipal(ns, sa), [...how, `run as ServiceAccount ${ns}/${sa}`]) || changed;
          changed =
            add({
              namespace: ns,
              rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
              via: `mount any Secret of ${ns} into a pod`,
              builtin: false,
              path: how,
              origin: 'secret-mount',
            }) || changed;
          break;
        }
        // Exec into running pods, or add an ephemeral container to one: act as its ServiceAccount.
        const intoPod = [
          ['create', 'exec'],
          ['get', 'exec'],
          ['update', 'ephemeralcontainers'],
          ['patch', 'ephemeralcontainers'],
        ]
          .map(([verb, sub]) => ({
            verb,
            sub,
            g: can({ verb: verb!, resource: 'pods', subresource: sub!, namespace: ns }),
          }))
          .find((x) => x.g);
        if (intoPod)
          for (const sa of this.runningAs.get(ns) ?? [])
            changed =
              become(saPrincipal(ns, sa), [
                ...step(intoPod.g!, `${intoPod.verb} pods/${intoPod.sub} in ${ns}`),
                `${intoPod.sub === 'exec' ? 'exec into' : 'add an ephemeral container to'} a pod running as ServiceAccount ${ns}/${sa}`,
              ]) || changed;
        for (const sa of sas) {
          const token = can({
            verb: 'create',
            resource: 'serviceaccounts',
            subresource: 'token',
            name: sa,
            namespace: ns,
          });
          if (token)
            changed =
              become(saPrincipal(ns, sa), [
                ...step(token, `create serviceaccounts/token ${sa} in ${ns}`),
                `authenticate as ServiceAccount ${ns}/${sa}`,
              ]) || changed;
          const imp = can({ verb: 'impersonate', resource: 'serviceaccounts', name: sa, namespace: ns });
          if (imp)
            changed =
              become(saPrincipal(ns, sa), [
                ...step(imp, `impersonate ServiceAccount ${ns}/${sa}`),
                `act as ServiceAccount ${ns}/${sa}`,
              ]) || changed;
        }
        // A token Secret for any ServiceAccount, filled in by the token controller, then read back.
        const mk = can({ verb: 'create', resource: 'secrets', namespace: ns });
        const read = can({ verb: 'get', resource: 'secrets', name: 'token', namespace: ns });
        if (mk && read)
          for (const sa of sas)
            changed =
              become(saPrincipal(ns, sa), [
                ...step(mk, `create a service-account-token Secret in ${ns}`),
                read.origin === 'secret-mount'
                  ? `read it by mounting it (${read.via})`
                  : `read it (get secrets: ${read.via})`,
                `authenticate with the token of ServiceAccount ${ns}/${sa}`,
              ]) || changed;
        changed = bindInNamespace(this.rbac, ns, exploration) || changed;
      }
      changed = bindClusterWide(this.rbac, exploration) || changed;
      changed = this.impersonateUsers(can, become, step) || changed;
    }
    return grants;
  }

  /** Impersonation of users, and of groups (which needs a user to impersonate too). */
  private impersonateUsers(
    can: (r: Omit<AccessRequest, 'user'>) => EffectiveGrant | undefined,
    become: (p: Principal, path: readonly string[]) => boolean,
    step: (g: EffectiveGrant, what: string) => string[],
  ): boolean {
    let changed = false;
    let someUser: [string, EffectiveGrant] | undefined;
    // Service accounts are impersonated as `serviceaccounts`, never as `users` (impersonation filter).
    for (const user of [...this.users, 'mlp:any-user'].filter((u) => !u.startsWith(SA_PREFIX))) {
      const g = can({ verb: 'impersonate', resource: 'users', name: user });
      if (!g) continue;
      someUser ??= [user, g];
      if (user === 'mlp:any-user') continue;
      changed =
        become({ user, groups: [] }, [...step(g, `impersonate user ${user}`), `act as ${user}`]) || changed;
    }
    if (!someUser) return changed;
    for (const group of this.groups) {
      const g = can({ verb: 'impersonate', resource: 'groups', name: group });
      if (!g) continue;
      changed =
        become({ user: someUser[0], groups: [group] }, [
          ...step(someUser[1], `impersonate user ${someUser[0]}`),
          ...step(g, `impersonate group ${group}`).slice(g.path.length),
          `act as a member of ${group}`,
        ]) || changed;
    }
    return changed;
  }

  authorize(principal: Principal, req: AccessRequest): EffectiveDecision {
    const grants = this.effectiveGrants(principal, req.namespace);
    const g = findGrant(grants, req);
    if (!g)
      return { allowed: false, reason: 'no RBAC rule or escalation path allows this request', path: [] };
    const index = g.rules.findIndex((r) => ruleAllows(r, req));
    const last = g.origin === 'secret-mount' ? g.via : `allowed by ${g.via} rule ${index}`;
    const path = [...g.path, last];
    return { allowed: true, reason: path.join(' → '), path };
  }
}

function saPrincipal(ns: string, name: string): Principal {
  const user = serviceAccountUser(ns, name);
  return { user, groups: effectiveGroups(user) };
}

export function grantApplies(g: Grant, req: AccessRequest): boolean {
  if (g.namespace === undefined) return true;
  // RoleBindings grant only inside their namespace, and never non-resource URLs.
  return req.nonResourceURL === undefined && !!req.namespace && g.namespace === req.namespace;
}

function findGrant(grants: readonly EffectiveGrant[], req: AccessRequest): EffectiveGrant | undefined {
  // Prefer the shortest path: the subject's own bindings before anything gained.
  let best: EffectiveGrant | undefined;
  for (const g of grants) {
    if (!grantApplies(g, req) || !g.rules.some((r) => ruleAllows(r, req))) continue;
    if (!best || g.path.length < best.path.length) best = g;
  }
  return best;
}

/** Rules held in a namespace (or cluster-wide when `namespace` is absent) by these grants. */
export function rulesHeldIn(grants: readonly Grant[], namespace: string | undefined): PolicyRule[] {
  return grants
    .filter((g) => g.namespace === undefined || (namespace !== undefined && g.namespace === namespace))
    .flatMap((g) => g.rules);
}

/** Gained grants that the subject's own grants do not cover: real escalations. */
export function escalations(own: readonly Grant[], effective: readonly EffectiveGrant[]): EffectiveGrant[] {
  return effective.filter(
    (g) => g.path.length > 0 && !covers(rulesHeldIn(own, g.namespace), g.rules).covered,
  );
}
