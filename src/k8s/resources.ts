/**
 * The discovery facts `kubectl` would ask an API server for: which resource a kind is, its API
 * group, and whether it lives in a namespace. Offline we keep the built-in ones in a table.
 */

export interface ResourceInfo {
  readonly kind: string;
  readonly resource: string;
  readonly group: string;
  readonly namespaced: boolean;
  /** kubectl's abbreviations (`po`, `deploy`), as discovery serves them. */
  readonly shortNames?: readonly string[];
}

/**
 * Short names the API server's discovery documents serve (`ShortNames()` of each storage in
 * kubernetes/kubernetes `pkg/registry/<group>/<resource>/storage/storage.go`, and
 * apiextensions' `customresourcedefinition/etcd.go`), as `kubectl api-resources` lists them.
 */
const SHORT_NAMES: Readonly<Record<string, readonly string[]>> = {
  pods: ['po'],
  services: ['svc'],
  configmaps: ['cm'],
  serviceaccounts: ['sa'],
  persistentvolumeclaims: ['pvc'],
  persistentvolumes: ['pv'],
  endpoints: ['ep'],
  events: ['ev'],
  resourcequotas: ['quota'],
  limitranges: ['limits'],
  replicationcontrollers: ['rc'],
  namespaces: ['ns'],
  nodes: ['no'],
  componentstatuses: ['cs'],
  deployments: ['deploy'],
  statefulsets: ['sts'],
  daemonsets: ['ds'],
  replicasets: ['rs'],
  cronjobs: ['cj'],
  horizontalpodautoscalers: ['hpa'],
  ingresses: ['ing'],
  networkpolicies: ['netpol'],
  poddisruptionbudgets: ['pdb'],
  storageclasses: ['sc'],
  priorityclasses: ['pc'],
  customresourcedefinitions: ['crd', 'crds'],
  certificatesigningrequests: ['csr'],
};

const TABLE: readonly ResourceInfo[] = [
  ['Pod', 'pods', '', true],
  ['Service', 'services', '', true],
  ['ConfigMap', 'configmaps', '', true],
  ['Secret', 'secrets', '', true],
  ['ServiceAccount', 'serviceaccounts', '', true],
  ['PersistentVolumeClaim', 'persistentvolumeclaims', '', true],
  ['Endpoints', 'endpoints', '', true],
  ['Event', 'events', '', true],
  ['ResourceQuota', 'resourcequotas', '', true],
  ['LimitRange', 'limitranges', '', true],
  ['ReplicationController', 'replicationcontrollers', '', true],
  ['PodTemplate', 'podtemplates', '', true],
  ['Namespace', 'namespaces', '', false],
  ['Node', 'nodes', '', false],
  ['PersistentVolume', 'persistentvolumes', '', false],
  ['ComponentStatus', 'componentstatuses', '', false],
  ['Deployment', 'deployments', 'apps', true],
  ['StatefulSet', 'statefulsets', 'apps', true],
  ['DaemonSet', 'daemonsets', 'apps', true],
  ['ReplicaSet', 'replicasets', 'apps', true],
  ['ControllerRevision', 'controllerrevisions', 'apps', true],
  ['Job', 'jobs', 'batch', true],
  ['CronJob', 'cronjobs', 'batch', true],
  ['HorizontalPodAutoscaler', 'horizontalpodautoscalers', 'autoscaling', true],
  ['Ingress', 'ingresses', 'networking.k8s.io', true],
  ['IngressClass', 'ingressclasses', 'networking.k8s.io', false],
  ['NetworkPolicy', 'networkpolicies', 'networking.k8s.io', true],
  ['EndpointSlice', 'endpointslices', 'discovery.k8s.io', true],
  ['PodDisruptionBudget', 'poddisruptionbudgets', 'policy', true],
  ['Role', 'roles', 'rbac.authorization.k8s.io', true],
  ['RoleBinding', 'rolebindings', 'rbac.authorization.k8s.io', true],
  ['ClusterRole', 'clusterroles', 'rbac.authorization.k8s.io', false],
  ['ClusterRoleBinding', 'clusterrolebindings', 'rbac.authorization.k8s.io', false],
  ['StorageClass', 'storageclasses', 'storage.k8s.io', false],
  ['PriorityClass', 'priorityclasses', 'scheduling.k8s.io', false],
  ['RuntimeClass', 'runtimeclasses', 'node.k8s.io', false],
  ['Lease', 'leases', 'coordination.k8s.io', true],
  ['CustomResourceDefinition', 'customresourcedefinitions', 'apiextensions.k8s.io', false],
  ['ValidatingAdmissionPolicy', 'validatingadmissionpolicies', 'admissionregistration.k8s.io', false],
  [
    'ValidatingAdmissionPolicyBinding',
    'validatingadmissionpolicybindings',
    'admissionregistration.k8s.io',
    false,
  ],
  [
    'ValidatingWebhookConfiguration',
    'validatingwebhookconfigurations',
    'admissionregistration.k8s.io',
    false,
  ],
  ['MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', 'admissionregistration.k8s.io', false],
  ['CertificateSigningRequest', 'certificatesigningrequests', 'certificates.k8s.io', false],
  ['APIService', 'apiservices', 'apiregistration.k8s.io', false],
  ['FlowSchema', 'flowschemas', 'flowcontrol.apiserver.k8s.io', false],
  ['PriorityLevelConfiguration', 'prioritylevelconfigurations', 'flowcontrol.apiserver.k8s.io', false],
].map(
  ([kind, resource, group, namespaced]) =>
    ({
      kind,
      resource,
      group,
      namespaced,
      ...(SHORT_NAMES[resource as string] ? { shortNames: SHORT_NAMES[resource as string] } : {}),
    }) as ResourceInfo,
);

const BY_KIND = new Map(TABLE.map((r) => [r.kind, r]));
const BY_RESOURCE = new Map<string, ResourceInfo[]>();
for (const r of TABLE) BY_RESOURCE.set(r.resource, [...(BY_RESOURCE.get(r.resource) ?? []), r]);

export function resourceForKind(kind: string): ResourceInfo | undefined {
  return BY_KIND.get(kind);
}

/**
 * Resolves what a user types the way kubectl's RESTMapper does: the plural resource (`pods`),
 * the singular (`pod`, the kind in lowercase), the kind (`Pod`) or a short name (`po`),
 * optionally with `.group` (`deployments.apps`, `deploy.apps`); unknown names are taken as
 * given, in the group after the first dot (core if none).
 */
export function resolveResource(input: string): ResourceInfo {
  const lower = input.toLowerCase();
  const dot = lower.indexOf('.');
  const name = dot < 0 ? lower : lower.slice(0, dot);
  const group = dot < 0 ? undefined : lower.slice(dot + 1);
  const candidates = [
    ...(BY_RESOURCE.get(name) ?? []),
    ...TABLE.filter((r) => r.kind.toLowerCase() === name || (r.shortNames ?? []).includes(name)),
  ];
  const match = candidates.find((r) => group === undefined || r.group === group);
  if (match) return match;
  return { kind: input, resource: name, group: group ?? '', namespaced: true };
}

export { groupOf } from './object.js';
