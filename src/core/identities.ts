/**
 * User and group names the API server gives its own meaning. Binding one of them to a team
 * role grants the role to everyone, to nobody in particular, or to the control plane. From
 * kubernetes/kubernetes `staging/src/k8s.io/apiserver/pkg/authentication/user/user.go`
 * (well-known names), `pkg/serviceaccount/util.go` (service-account names and groups) and the
 * bootstrap policy (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`: `system:monitoring`,
 * `system:bootstrappers`, `system:node:<name>`). The `system:` prefix is reserved for Kubernetes.
 */

export interface ReservedIdentity {
  /** Who the name really stands for. */
  readonly meaning: string;
  /** What to write instead. */
  readonly fix: string;
}

const EVERYONE = 'list the users or the identity-provider groups instead';

/** Why `name` (a User or Group subject) must not be bound to a team, or undefined if it may. */
export function reservedIdentity(kind: 'User' | 'Group', name: string): ReservedIdentity | undefined {
  if (kind === 'Group') {
    switch (name) {
      case 'system:authenticated':
        return { meaning: 'every authenticated user and service account of the cluster', fix: EVERYONE };
      case 'system:unauthenticated':
        return { meaning: 'every anonymous request', fix: EVERYONE };
      case 'system:serviceaccounts':
        return {
          meaning: 'every service account of every namespace',
          fix: 'list the team service accounts under serviceAccounts',
        };
      case 'system:masters':
        return {
          meaning: 'the super-user group: its members bypass RBAC and cannot be restricted',
          fix: 'use an identity-provider group; platform admins go under platform.admins',
        };
      case 'system:nodes':
        return { meaning: 'every kubelet of the cluster', fix: EVERYONE };
    }
    if (name.startsWith('system:serviceaccounts:'))
      return {
        meaning: `every service account of namespace ${name.slice('system:serviceaccounts:'.length)}`,
        fix: 'list the team service accounts under serviceAccounts',
      };
  } else {
    if (name === 'system:anonymous') return { meaning: 'every anonymous request', fix: EVERYONE };
    if (name.startsWith('system:serviceaccount:'))
      return {
        meaning: 'a service account, spelled as a user',
        fix: 'declare team service accounts under serviceAccounts',
      };
    if (name.startsWith('system:node:'))
      return { meaning: 'a kubelet (node identity)', fix: 'bind people, not control-plane identities' };
  }
  if (name.startsWith('system:'))
    return {
      meaning: 'a name reserved for Kubernetes components (the control plane, kubelets, bootstrap tokens)',
      fix: 'bind people, not control-plane identities',
    };
  return undefined;
}
