/**
 * The questions `mlp verify` asks both the offline proof and the live API server. Pure: the
 * same environment gives the same questions in the same order.
 */

import type { AccessRequest } from '../../check/rbac/evaluate.js';
import { effectiveGroups } from '../../check/rbac/evaluate.js';
import type { K8sObject } from '../../k8s/object.js';
import type { ResolvedEnvironment } from '../../spec/model.js';

export interface Identity {
  /** How the table names it: `user ml-lead@company.com`, `group ml-engineers`, `sa ml-team/training-runner`. */
  readonly label: string;
  readonly user: string;
  /** Exactly the groups an authenticated request of this identity carries. */
  readonly groups: readonly string[];
}

/**
 * A user name no binding mentions: asking for a group as this user isolates what the group
 * alone grants.
 */
export const GROUP_PROBE_USER = 'mlp-verify-probe';

/**
 * The spec's members and service accounts. A SubjectAccessReview is judged with exactly the
 * groups it carries (the authenticator's additions are not made), so the implicit groups are
 * added here, once, for both sides: system:authenticated, and for service accounts
 * system:serviceaccounts and system:serviceaccounts:NS.
 */
export function identities(env: ResolvedEnvironment): Identity[] {
  const out: Identity[] = [];
  const seen = new Set<string>();
  const add = (label: string, user: string, groups: string[]) => {
    if (seen.has(label)) return;
    seen.add(label);
    out.push({ label, user, groups: effectiveGroups(user, groups).sort() });
  };
  for (const u of env.platform.admins.users) add(`user ${u}`, u, []);
  for (const g of env.platform.admins.groups) add(`group ${g}`, GROUP_PROBE_USER, [g]);
  for (const team of [...env.teams].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    for (const role of ['admin', 'developer', 'viewer'] as const) {
      const m = team.members[role];
      for (const u of m?.users ?? []) add(`user ${u}`, u, []);
      for (const g of m?.groups ?? []) add(`group ${g}`, GROUP_PROBE_USER, [g]);
    }
    for (const sa of team.serviceAccounts)
      add(`sa ${team.name}/${sa.name}`, `system:serviceaccount:${team.name}:${sa.name}`, []);
  }
  return out;
}

/** What each identity is asked, in each team namespace: the runbook's can-i list, widened. */
export const ACCESS_CHECKS: readonly Omit<AccessRequest, 'user' | 'groups' | 'namespace'>[] = [
  { verb: 'get', resource: 'pods', apiGroup: '' },
  { verb: 'list', resource: 'pods', apiGroup: '' },
  { verb: 'create', resource: 'pods', apiGroup: '' },
  { verb: 'delete', resource: 'pods', apiGroup: '' },
  { verb: 'create', resource: 'pods', subresource: 'exec', apiGroup: '' },
  { verb: 'get', resource: 'pods', subresource: 'log', apiGroup: '' },
  { verb: 'get', resource: 'secrets', apiGroup: '' },
  { verb: 'list', resource: 'secrets', apiGroup: '' },
  { verb: 'create', resource: 'deployments', apiGroup: 'apps' },
  { verb: 'delete', resource: 'deployments', apiGroup: 'apps' },
  { verb: 'create', resource: 'rolebindings', apiGroup: 'rbac.authorization.k8s.io' },
  { verb: 'update', resource: 'resourcequotas', apiGroup: '' },
  { verb: 'delete', resource: 'networkpolicies', apiGroup: 'networking.k8s.io' },
];

export interface AccessQuestion {
  readonly identity: Identity;
  readonly request: AccessRequest;
  /** `create pods/exec in ml-team`. */
  readonly text: string;
}

export function accessQuestions(env: ResolvedEnvironment): AccessQuestion[] {
  const namespaces = env.teams.map((t) => t.name).sort();
  const out: AccessQuestion[] = [];
  for (const identity of identities(env))
    for (const namespace of namespaces)
      for (const c of ACCESS_CHECKS) {
        const resource = `${c.resource}${c.subresource ? `/${c.subresource}` : ''}${c.apiGroup ? `.${c.apiGroup}` : ''}`;
        out.push({
          identity,
          request: { ...c, user: identity.user, groups: identity.groups, namespace },
          text: `${c.verb} ${resource} in ${namespace}`,
        });
      }
  return out;
}

export interface ProbePod {
  readonly namespace: string;
  /** fits, no-resources, too-big, gpu-over-quota, privileged, registry-not-allowed. */
  readonly probe: string;
  readonly pod: K8sObject;
}

/**
 * Pods that pass every rule but the one a probe breaks: labelled, restricted Pod Security,
 * pinned image from the first allowed registry, small requests and limits.
 */
interface ProbeContainer {
  name: string;
  image: string;
  securityContext: Record<string, unknown>;
  resources?: { requests: Record<string, string>; limits: Record<string, string> };
}

type PodWithSpec = K8sObject & { spec: { containers: ProbeContainer[] } & Record<string, unknown> };

function basePod(env: ResolvedEnvironment, namespace: string, probe: string): PodWithSpec {
  const registry = env.allowedRegistries[0] ?? 'registry.k8s.io';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `mlp-verify-${probe}`,
      namespace,
      labels: { team: namespace, app: 'mlp-verify', environment: env.environment },
    },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'probe',
          image: `${registry}/mlp-verify-probe:1.0.0`,
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m', memory: '256Mi' } },
        },
      ],
    },
  };
}

export function probePods(env: ResolvedEnvironment): ProbePod[] {
  const out: ProbePod[] = [];
  for (const team of [...env.teams].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const ns = team.name;
    const make = (probe: string, edit: (c: ProbeContainer) => void = () => {}): ProbePod => {
      const pod = basePod(env, ns, probe);
      edit(pod.spec.containers[0]!);
      return { namespace: ns, probe, pod };
    };
    const gpu = team.quota.gpu ?? 0;
    out.push(
      make('fits'),
      make('no-resources', (c) => delete c.resources),
      make('too-big', (c) => {
        c.resources = { requests: { cpu: '64', memory: '256Gi' }, limits: { cpu: '64', memory: '256Gi' } };
      }),
      make('gpu-over-quota', (c) => {
        const n = String(gpu + 1);
        c.resources!.requests['nvidia.com/gpu'] = n;
        c.resources!.limits['nvidia.com/gpu'] = n;
      }),
      make('privileged', (c) => {
        c.securityContext = { privileged: true };
      }),
      make('registry-not-allowed', (c) => {
        c.image = 'evil.example.com/miner:1.0.0';
      }),
    );
  }
  return out;
}
