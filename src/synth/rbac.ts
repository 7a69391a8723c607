/**
 * Team RBAC: one Role per team role with explicit verbs and resources (no wildcards, so a new
 * resource type never silently becomes writable), bindings to the spec's subjects, and the
 * platform-admin ClusterRole.
 */
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { TEAM_ROLES, type Team, type TeamRole } from '../spec/schema.js';
import { commonLabels, teamLabels } from './labels.js';

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];

const WORKLOADS: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'services', 'configmaps', 'persistentvolumeclaims'], verbs: [] },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets'], verbs: [] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: [] },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: [] },
];

// Ingresses are published from the spec (team.ingress: host, TLS, rate limits), never by hand:
// the ingress controller serves every namespace's Ingresses, so one team writing an Ingress
// could claim another team's host (or a path under it) and publish without TLS or limits.
const INGRESS_READ: PolicyRule = { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: READ };

/** What each team role may do inside its own namespace. */
export const TEAM_ROLE_RULES: Record<TeamRole, PolicyRule[]> = {
  viewer: [
    ...WORKLOADS.map((r) => ({ ...r, verbs: READ })),
    {
      apiGroups: [''],
      resources: ['pods/log', 'endpoints', 'events', 'resourcequotas', 'limitranges', 'serviceaccounts'],
      verbs: READ,
    },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
    INGRESS_READ,
  ],
  developer: [
    ...WORKLOADS.map((r) => ({ ...r, verbs: [...READ, ...WRITE] })),
    {
      apiGroups: [''],
      resources: ['pods/log', 'endpoints', 'events', 'resourcequotas', 'limitranges', 'serviceaccounts'],
      verbs: READ,
    },
    { apiGroups: [''], resources: ['pods/exec', 'pods/portforward'], verbs: ['create', 'get'] },
    {
      apiGroups: ['apps'],
      resources: ['deployments/scale', 'statefulsets/scale'],
      verbs: ['get', 'update', 'patch'],
    },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
    INGRESS_READ,
  ],
  admin: [
    ...WORKLOADS.map((r) => ({ ...r, verbs: [...READ, ...WRITE, 'deletecollection'] })),
    {
      apiGroups: [''],
      resources: ['pods/log', 'endpoints', 'events', 'resourcequotas', 'limitranges'],
      verbs: READ,
    },
    { apiGroups: [''], resources: ['pods/exec', 'pods/portforward'], verbs: ['create', 'get'] },
    {
      apiGroups: ['apps'],
      resources: ['deployments/scale', 'statefulsets/scale'],
      verbs: ['get', 'update', 'patch'],
    },
    // Secrets and service accounts are admin-only through the API. Whoever creates pods can
    // still mount any Secret of the namespace: `rbac.escalation` reports that as a warning, and
    // the spec rejects admin-level service accounts where developers create pods.
    { apiGroups: [''], resources: ['secrets', 'serviceaccounts'], verbs: [...READ, ...WRITE] },
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
    INGRESS_READ,
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: READ },
  ],
};

export function teamRoleName(team: string, role: TeamRole): string {
  return `${team}-${role}`;
}

type Subject =
  | { kind: 'User' | 'Group'; apiGroup: string; name: string }
  | { kind: 'ServiceAccount'; name: string; namespace: string };

function memberSubjects(m: { users: readonly string[]; groups: readonly string[] } | undefined): Subject[] {
  if (!m) return [];
  return [
    ...m.users.map((name) => ({ kind: 'User' as const, apiGroup: 'rbac.authorization.k8s.io', name })),
    ...m.groups.map((name) => ({ kind: 'Group' as const, apiGroup: 'rbac.authorization.k8s.io', name })),
  ];
}

function roleSubjects(team: Team, role: TeamRole): Subject[] {
  return [
    ...memberSubjects(team.members[role]),
    ...team.serviceAccounts
      .filter((sa) => sa.role === role)
      .map((sa) => ({ kind: 'ServiceAccount' as const, name: sa.name, namespace: team.name })),
  ];
}

export function teamRbac(env: ResolvedEnvironment, team: Team): K8sObject[] {
  const labels = teamLabels(env, team);
  const out: K8sObject[] = [];
  for (const sa of team.serviceAccounts) {
    out.push({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: sa.name, namespace: team.name, labels },
      automountServiceAccountToken: false,
    });
  }
  for (const role of TEAM_ROLES) {
    const name = teamRoleName(team.name, role);
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace: team.name, labels },
      // A copy per team: objects handed out must not share mutable parts.
      rules: structuredClone(TEAM_ROLE_RULES[role]),
    });
    const subjects = roleSubjects(team, role);
    if (subjects.length === 0) continue;
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace: team.name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects,
    });
  }
  return out;
}

/** Everyone in a team, any role: whom shared-service read access is granted to. */
export function allTeamSubjects(team: Team): Subject[] {
  return TEAM_ROLES.flatMap((role) => roleSubjects(team, role));
}

export const SHARED_READER_ROLE = 'shared-service-reader';

/** Read access to a shared service's endpoints, granted to the teams the spec lets use it. */
export function sharedServiceRbac(
  env: ResolvedEnvironment,
  namespace: string,
  teams: readonly Team[],
): K8sObject[] {
  const labels = commonLabels(env);
  const out: K8sObject[] = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: SHARED_READER_ROLE, namespace, labels },
      rules: [
        { apiGroups: [''], resources: ['services', 'endpoints'], verbs: READ },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
      ],
    },
  ];
  for (const team of teams) {
    const subjects = allTeamSubjects(team);
    if (subjects.length === 0) continue;
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: `${team.name}-${SHARED_READER_ROLE}`,
        namespace,
        labels: { ...labels, team: team.name },
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: SHARED_READER_ROLE },
      subjects,
    });
  }
  return out;
}

export function platformRbac(env: ResolvedEnvironment): K8sObject[] {
  const labels = commonLabels(env);
  const out: K8sObject[] = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'platform-admin', labels },
      // The one deliberate wildcard: platform admins operate the cluster itself.
      rules: [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] },
      ],
    },
  ];
  const subjects = memberSubjects(env.platform.admins);
  if (subjects.length > 0) {
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'platform-admin', labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'platform-admin' },
      subjects,
    });
  }
  return out;
}
