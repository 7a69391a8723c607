/**
 * The admission rules, each written once as CEL. The same expression is evaluated offline by
 * `mlp check` and emitted as the cluster's ValidatingAdmissionPolicy (or Kyverno CEL policy),
 * so offline and in-cluster verdicts cannot drift apart.
 *
 * Expressions see `object` and two variables, defined here once for every policy:
 *   variables.podSpec     the pod spec of a Pod or of a workload's pod template
 *   variables.containers  its containers and init containers
 * A container rule is a condition over `c`, wrapped as `variables.containers.all(c, …)`; offline
 * it is also evaluated per container to say which one fails.
 */

export type WorkloadKind =
  | 'Pod'
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'ReplicaSet'
  | 'Job'
  | 'CronJob';
export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
];

export const POLICY_VARIABLES = [
  {
    name: 'podSpec',
    expression:
      "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)",
  },
  {
    name: 'containers',
    expression:
      'variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])',
  },
] as const;

export interface PolicyRule {
  readonly id: string;
  readonly title: string;
  readonly severity: 'high' | 'medium' | 'low';
  readonly kinds: readonly WorkloadKind[];
  /** CEL over `c` (one container), or over `object`/`variables` for pod-level rules. */
  readonly container?: string;
  readonly pod?: string;
  readonly message: string;
  readonly fix: string;
}

export interface PolicyConfig {
  /** Image registries allowed in this environment, e.g. `ghcr.io/acme`. Empty = any. */
  readonly allowedRegistries: readonly string[];
}

const BASELINE_CAPABILITIES = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];
const celList = (xs: readonly string[]) => `[${xs.map((x) => `'${x.replace(/'/g, "\\'")}'`).join(', ')}]`;
const sc = (field: string) => `has(c.securityContext) && has(c.securityContext.${field})`;

export function policyRules(config: PolicyConfig): PolicyRule[] {
  const rules: PolicyRule[] = [
    {
      id: 'pss-privileged',
      title: 'No privileged containers (Pod Security baseline)',
      severity: 'high',
      kinds: WORKLOAD_KINDS,
      container: `!(${sc('privileged')}) || c.securityContext.privileged == false`,
      message: 'privileged containers are not allowed',
      fix: 'remove securityContext.privileged',
    },
    {
      id: 'pss-host-namespaces',
      title: 'No host network, PID or IPC namespaces (Pod Security baseline)',
      severity: 'high',
      kinds: WORKLOAD_KINDS,
      // Field by field: in the API server the pod spec is a typed object, not a map.
      pod: ['hostNetwork', 'hostPID', 'hostIPC']
        .map((f) => `(!has(variables.podSpec.${f}) || variables.podSpec.${f} == false)`)
        .join(' && '),
      message: 'hostNetwork, hostPID and hostIPC must be unset or false',
      fix: 'remove hostNetwork/hostPID/hostIPC from the pod spec',
    },
    {
      id: 'pss-host-path',
      title: 'No hostPath volumes (Pod Security baseline)',
      severity: 'high',
      kinds: WORKLOAD_KINDS,
      pod: '!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))',
      message: 'hostPath volumes are not allowed',
      fix: 'use a PersistentVolumeClaim, emptyDir or ConfigMap instead of hostPath',
    },
    {
      id: 'pss-capabilities',
      title: 'Only baseline capabilities may be added (Pod Security baseline)',
      severity: 'high',
      kinds: WORKLOAD_KINDS,
      container: `!(${sc('capabilities')}) || !has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(cap, cap in ${celList(BASELINE_CAPABILITIES)})`,
      message: 'capabilities beyond the Pod Security baseline set may not be added',
      fix: 'remove securityContext.capabilities.add (NET_ADMIN, SYS_ADMIN, …)',
    },
    {
      id: 'pss-run-as-non-root',
      title: 'Containers run as non-root (Pod Security restricted)',
      severity: 'medium',
      kinds: WORKLOAD_KINDS,
      container: `(${sc('runAsNonRoot')} && c.securityContext.runAsNonRoot == true) || (!(${sc('runAsNonRoot')}) && has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsNonRoot) && variables.podSpec.securityContext.runAsNonRoot == true)`,
      message: 'runAsNonRoot must be true on the pod or the container',
      fix: 'set securityContext.runAsNonRoot: true',
    },
    {
      id: 'pss-privilege-escalation',
      title: 'No privilege escalation (Pod Security restricted)',
      severity: 'medium',
      kinds: WORKLOAD_KINDS,
      container: `${sc('allowPrivilegeEscalation')} && c.securityContext.allowPrivilegeEscalation == false`,
      message: 'allowPrivilegeEscalation must be false',
      fix: 'set securityContext.allowPrivilegeEscalation: false on every container',
    },
    {
      id: 'pss-drop-all-capabilities',
      title: 'Capabilities dropped (Pod Security restricted)',
      severity: 'medium',
      kinds: WORKLOAD_KINDS,
      container: `${sc('capabilities')} && has(c.securityContext.capabilities.drop) && 'ALL' in c.securityContext.capabilities.drop && (!has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(cap, cap == 'NET_BIND_SERVICE'))`,
      message: 'capabilities must drop ALL and may add only NET_BIND_SERVICE',
      fix: 'set securityContext.capabilities.drop: [ALL]',
    },
    {
      id: 'pss-seccomp',
      title: 'A seccomp profile is set (Pod Security restricted)',
      severity: 'medium',
      kinds: WORKLOAD_KINDS,
      container: `(${sc('seccompProfile')} && c.securityContext.seccompProfile.type in ['RuntimeDefault', 'Localhost']) || (!(${sc('seccompProfile')}) && has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.seccompProfile) && variables.podSpec.securityContext.seccompProfile.type in ['RuntimeDefault', 'Localhost'])`,
      message: 'seccompProfile.type must be RuntimeDefault or Localhost',
      fix: 'set securityContext.seccompProfile.type: RuntimeDefault on the pod',
    },
    {
      id: 'resources-required',
      title: 'CPU and memory requests and limits on every container',
      severity: 'medium',
      kinds: WORKLOAD_KINDS,
      container:
        "has(c.resources) && has(c.resources.requests) && has(c.resources.limits) && ['cpu', 'memory'].all(r, r in c.resources.requests && r in c.resources.limits)",
      message: 'every container needs cpu and memory requests and limits',
      fix: 'set resources.requests and resources.limits for cpu and memory',
    },
    {
      id: 'image-tag-pinned',
      title: 'Images are pinned: a tag other than latest, or a digest',
      severity: 'medium',
      kinds: WORKLOAD_KINDS,
      container:
        "c.image.contains('@sha256:') || (c.image.matches(':[^/:]+$') && !c.image.endsWith(':latest'))",
      message: 'images need an explicit tag other than :latest, or a digest',
      fix: 'use image: registry/name:1.2.3 or @sha256:…',
    },
    {
      id: 'probes-required',
      title: 'Liveness and readiness probes on long-running workloads',
      severity: 'low',
      kinds: ['Deployment', 'StatefulSet', 'DaemonSet'],
      pod: 'variables.podSpec.containers.all(c, has(c.livenessProbe) && has(c.readinessProbe))',
      message: 'every container of a Deployment/StatefulSet/DaemonSet needs liveness and readiness probes',
      fix: 'add livenessProbe and readinessProbe',
    },
    {
      id: 'labels-required',
      title: 'Workloads carry team, app and environment labels',
      severity: 'low',
      kinds: WORKLOAD_KINDS,
      pod: "has(object.metadata.labels) && ['team', 'app', 'environment'].all(k, k in object.metadata.labels)",
      message: 'metadata.labels must include team, app and environment',
      fix: 'add labels team, app and environment',
    },
  ];
  if (config.allowedRegistries.length > 0) {
    rules.push({
      id: 'image-registry-allowed',
      title: "Images only from the environment's allowed registries",
      severity: 'high',
      kinds: WORKLOAD_KINDS,
      container: `${celList(config.allowedRegistries)}.exists(r, c.image.startsWith(r + '/'))`,
      message: `images must come from: ${config.allowedRegistries.join(', ')}`,
      fix: 'push the image to an allowed registry',
    });
  }
  return rules;
}

/** The full admission expression of a rule, as the cluster evaluates it. */
export function ruleExpression(rule: PolicyRule): string {
  if (rule.container) return `variables.containers.all(c, ${rule.container})`;
  return rule.pod!;
}
