/**
 * The RBAC objects every API server creates at start-up (its "bootstrap policy"), so offline
 * answers match a real cluster: discovery and health for everyone, self-reviews for every
 * authenticated user, cluster-admin for `system:masters`, and the aggregated admin/edit/view
 * ClusterRoles a tree may bind. Facts from kubernetes/kubernetes
 * `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go` and its golden files
 * `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml` and
 * `cluster-role-bindings.yaml` (v1.31). Kept small: the roles that answer questions about
 * users and teams, and the controller manager's own identity; per-controller roles
 * (`system:controller:*`), the scheduler's, kube-proxy's and the Node authorizer's are left out.
 */
import type { K8sObject } from '../../k8s/object.js';

const RBAC = 'rbac.authorization.k8s.io/v1';
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const AGG = 'rbac.authorization.k8s.io/aggregate-to-';

type Rule = {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
  resourceNames?: string[];
};

function clusterRole(name: string, rules: Rule[], labels: Record<string, string> = {}): K8sObject {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels } },
    rules,
  };
}

function aggregated(name: string, selects: string, labels: Record<string, string> = {}): K8sObject {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRole',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...labels } },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`${AGG}${selects}`]: 'true' } }] },
    rules: [],
  };
}

function binding(name: string, role: string, subjects: [kind: string, name: string][]): K8sObject {
  return {
    apiVersion: RBAC,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: subjects.map(([kind, n]) => ({ kind, name: n, apiGroup: 'rbac.authorization.k8s.io' })),
  };
}

export const BOOTSTRAP_OBJECTS: readonly K8sObject[] = [
  clusterRole('cluster-admin', [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ]),
  clusterRole('system:discovery', [
    {
      nonResourceURLs: [
        '/api',
        '/api/*',
        '/apis',
        '/apis/*',
        '/healthz',
        '/livez',
        '/openapi',
        '/openapi/*',
        '/readyz',
        '/version',
        '/version/',
      ],
      verbs: ['get'],
    },
  ]),
  clusterRole('system:public-info-viewer', [
    { nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] },
  ]),
  clusterRole('system:basic-user', [
    {
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      verbs: ['create'],
    },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  ]),
  clusterRole('system:monitoring', [
    {
      nonResourceURLs: [
        '/healthz',
        '/healthz/*',
        '/livez',
        '/livez/*',
        '/metrics',
        '/metrics/slis',
        '/readyz',
        '/readyz/*',
      ],
      verbs: ['get'],
    },
  ]),
  // The controller manager's own identity (its controllers use per-controller service accounts).
  clusterRole('system:kube-controller-manager', [
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    {
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: ['kube-controller-manager'],
      verbs: ['get', 'update'],
    },
    { apiGroups: [''], resources: ['secrets', 'serviceaccounts'], verbs: ['create'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['delete'] },
    {
      apiGroups: [''],
      resources: ['namespaces', 'secrets', 'serviceaccounts', 'configmaps'],
      verbs: ['get'],
    },
    { apiGroups: [''], resources: ['secrets', 'serviceaccounts'], verbs: ['update'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    { apiGroups: ['*'], resources: ['*'], verbs: ['list', 'watch'] },
    { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
  ]),
  // admin ⊇ edit ⊇ view by aggregation: view is labelled into edit, edit into admin.
  aggregated('admin', 'admin'),
  aggregated('edit', 'edit', { [`${AGG}admin`]: 'true' }),
  aggregated('view', 'view', { [`${AGG}edit`]: 'true' }),
  clusterRole(
    'system:aggregate-to-admin',
    [
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['roles', 'rolebindings'],
        verbs: [...READ, ...WRITE],
      },
      { apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create'] },
    ],
    { [`${AGG}admin`]: 'true' },
  ),
  clusterRole(
    'system:aggregate-to-edit',
    [
      {
        apiGroups: [''],
        resources: [
          'pods/attach',
          'pods/proxy',
          'pods/exec',
          'pods/portforward',
          'secrets',
          'services/proxy',
        ],
        verbs: READ,
      },
      { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
      {
        apiGroups: [''],
        resources: ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward'],
        verbs: WRITE,
      },
      { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
      {
        apiGroups: [''],
        resources: [
          'replicationcontrollers',
          'replicationcontrollers/scale',
          'serviceaccounts',
          'services',
          'services/proxy',
          'persistentvolumeclaims',
          'configmaps',
          'secrets',
          'events',
        ],
        verbs: WRITE,
      },
      { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
      {
        apiGroups: ['apps'],
        resources: [
          'statefulsets',
          'statefulsets/scale',
          'daemonsets',
          'deployments',
          'deployments/scale',
          'deployments/rollback',
          'replicasets',
          'replicasets/scale',
        ],
        verbs: WRITE,
      },
      { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: WRITE },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: WRITE },
      { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: WRITE },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies', 'ingresses'], verbs: WRITE },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...READ, ...WRITE] },
    ],
    { [`${AGG}edit`]: 'true' },
  ),
  clusterRole(
    'system:aggregate-to-view',
    [
      {
        apiGroups: [''],
        resources: [
          'configmaps',
          'endpoints',
          'persistentvolumeclaims',
          'persistentvolumeclaims/status',
          'pods',
          'replicationcontrollers',
          'replicationcontrollers/scale',
          'serviceaccounts',
          'services',
          'services/status',
        ],
        verbs: READ,
      },
      {
        apiGroups: [''],
        resources: [
          'bindings',
          'events',
          'limitranges',
          'namespaces/status',
          'pods/log',
          'pods/status',
          'replicationcontrollers/status',
          'resourcequotas',
          'resourcequotas/status',
        ],
        verbs: READ,
      },
      { apiGroups: [''], resources: ['namespaces'], verbs: READ },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
      {
        apiGroups: ['apps'],
        resources: [
          'controllerrevisions',
          'daemonsets',
          'daemonsets/status',
          'deployments',
          'deployments/scale',
          'deployments/status',
          'replicasets',
          'replicasets/scale',
          'replicasets/status',
          'statefulsets',
          'statefulsets/scale',
          'statefulsets/status',
        ],
        verbs: READ,
      },
      {
        apiGroups: ['autoscaling'],
        resources: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'],
        verbs: READ,
      },
      {
        apiGroups: ['batch'],
        resources: ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'],
        verbs: READ,
      },
      {
        apiGroups: ['policy'],
        resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'],
        verbs: READ,
      },
      {
        apiGroups: ['networking.k8s.io'],
        resources: ['ingresses', 'ingresses/status', 'networkpolicies'],
        verbs: READ,
      },
    ],
    { [`${AGG}view`]: 'true' },
  ),
  binding('cluster-admin', 'cluster-admin', [['Group', 'system:masters']]),
  // Since 1.14 discovery and self-reviews need authentication; health and version do not.
  binding('system:discovery', 'system:discovery', [['Group', 'system:authenticated']]),
  binding('system:basic-user', 'system:basic-user', [['Group', 'system:authenticated']]),
  binding('system:public-info-viewer', 'system:public-info-viewer', [
    ['Group', 'system:authenticated'],
    ['Group', 'system:unauthenticated'],
  ]),
  binding('system:monitoring', 'system:monitoring', [['Group', 'system:monitoring']]),
  binding('system:kube-controller-manager', 'system:kube-controller-manager', [
    ['User', 'system:kube-controller-manager'],
  ]),
];
