/**
 * Escalation through RBAC objects themselves (kubernetes/kubernetes
 * `pkg/registry/rbac/escalation_check.go`, `pkg/registry/rbac/rolebinding/policybased` and
 * `ConfirmNoEscalation`): a RoleBinding may grant only rules its author holds, unless the author
 * has `bind` on the role; a Role may hold only rules its author holds, unless the author has
 * `escalate`. Binding a role one already holds gains nothing, so only `bind` and `escalate`
 * open new grants.
 */

import type { EffectiveGrant } from './escalation.js';
import type { AccessRequest, PolicyRule, RbacAuthorizer } from './evaluate.js';

/** What the fixpoint exposes to each kind of step. */
export interface Exploration {
  readonly can: (r: Omit<AccessRequest, 'user'>) => EffectiveGrant | undefined;
  readonly add: (g: EffectiveGrant) => boolean;
  readonly step: (g: EffectiveGrant, what: string) => string[];
  readonly grantsNow: () => readonly EffectiveGrant[];
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const ALL: PolicyRule = { apiGroups: ['*'], resources: ['*'], verbs: ['*'] };

/** RoleBindings: without `bind`, only roles already held (no gain); with it, the role. */
export function bindInNamespace(rbac: RbacAuthorizer, ns: string, ctx: Exploration): boolean {
  const { can, add, step, grantsNow } = ctx;
  let changed = false;
  const create = ['create', 'update', 'patch']
    .map((verb) => can({ verb, resource: 'rolebindings', apiGroup: RBAC_GROUP, namespace: ns }))
    .find((g) => g);
  const candidates: [kind: string, resource: string, name: string, rules: PolicyRule[]][] = [
    ...[...rbac.rolesIn(ns)].map(
      ([n, r]) => ['Role', 'roles', n, r] as [string, string, string, PolicyRule[]],
    ),
    ...[...rbac.clusterRoleMap()].map(
      ([n, r]) => ['ClusterRole', 'clusterroles', n, r] as [string, string, string, PolicyRule[]],
    ),
  ];
  if (create) {
    for (const [kind, resource, name, rules] of candidates) {
      const bind = can({ verb: 'bind', resource, apiGroup: RBAC_GROUP, name, namespace: ns });
      if (!bind) continue;
      changed =
        add({
          namespace: ns,
          rules,
          via: `RoleBinding (self-made) ${ns} → ${kind} ${name}`,
          builtin: false,
          path: [
            ...step(create, `create rolebindings in ${ns}`),
            ...step(bind, `bind ${kind} ${name}`).slice(bind.path.length),
          ],
          origin: 'bind',
        }) || changed;
    }
  }
  // `escalate` + create roles + `bind` on the new role's name: a new Role with "*", bound to oneself.
  const newRole = 'mlp-escalation-probe';
  const esc0 = can({ verb: 'escalate', resource: 'roles', apiGroup: RBAC_GROUP, namespace: ns });
  const mkRole = can({ verb: 'create', resource: 'roles', apiGroup: RBAC_GROUP, namespace: ns });
  const bindNew = can({
    verb: 'bind',
    resource: 'roles',
    apiGroup: RBAC_GROUP,
    name: newRole,
    namespace: ns,
  });
  if (create && esc0 && mkRole && bindNew)
    changed =
      add({
        namespace: ns,
        rules: [ALL],
        via: `Role ${ns}/(new) with "*", bound to oneself`,
        builtin: false,
        path: step(esc0, `create and escalate roles, bind and create rolebindings in ${ns}`),
        origin: 'escalate',
      }) || changed;
  // `escalate` lets a role be rewritten with rules one does not hold; one bound to us becomes "*".
  const esc = can({ verb: 'escalate', resource: 'roles', apiGroup: RBAC_GROUP, namespace: ns });
  const edit = ['update', 'patch']
    .map((verb) => can({ verb, resource: 'roles', apiGroup: RBAC_GROUP, namespace: ns }))
    .find((g) => g);
  if (esc && edit) {
    // Only a Role bound to the subject itself pays off; rewriting someone else's gains nothing.
    const held = grantsNow()
      .filter((g) => g.namespace === ns && g.roleRef?.kind === 'Role')
      .map((g) => g.roleRef!.name)[0];
    if (held !== undefined)
      changed =
        add({
          namespace: ns,
          rules: [ALL],
          via: `Role ${ns}/${held} rewritten with "*"`,
          builtin: false,
          path: step(esc, `escalate and update roles in ${ns}`),
          origin: 'escalate',
        }) || changed;
  }
  return changed;
}

export function bindClusterWide(rbac: RbacAuthorizer, ctx: Exploration): boolean {
  const { can, add, step, grantsNow } = ctx;
  let changed = false;
  // `escalate` + update on ClusterRoles: a ClusterRole bound to the subject becomes "*" wherever
  // it is bound (cluster-wide through a ClusterRoleBinding, else in the RoleBinding's namespace).
  const esc = can({ verb: 'escalate', resource: 'clusterroles', apiGroup: RBAC_GROUP });
  const edit = ['update', 'patch']
    .map((verb) => can({ verb, resource: 'clusterroles', apiGroup: RBAC_GROUP }))
    .find((g) => g);
  if (esc && edit)
    for (const g of grantsNow().filter((x) => x.roleRef?.kind === 'ClusterRole' && !x.builtin))
      changed =
        add({
          ...(g.namespace !== undefined ? { namespace: g.namespace } : {}),
          rules: [ALL],
          via: `ClusterRole ${g.roleRef!.name} rewritten with "*"`,
          builtin: false,
          path: step(esc, 'escalate and update clusterroles'),
          origin: 'escalate',
        }) || changed;
  const create = ['create', 'update', 'patch']
    .map((verb) => can({ verb, resource: 'clusterrolebindings', apiGroup: RBAC_GROUP }))
    .find((g) => g);
  if (!create) return changed;
  for (const [name, rules] of rbac.clusterRoleMap()) {
    const bind = can({ verb: 'bind', resource: 'clusterroles', apiGroup: RBAC_GROUP, name });
    if (!bind) continue;
    changed =
      add({
        rules,
        via: `ClusterRoleBinding (self-made) → ClusterRole ${name}`,
        builtin: false,
        path: step(create, 'create clusterrolebindings'),
        origin: 'bind',
      }) || changed;
  }
  return changed;
}
