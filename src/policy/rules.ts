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
 *
 * Pod Security is not among these rules. The API server's built-in PodSecurity admission plugin
 * enforces it from the namespace labels our Namespaces carry (level and pinned version), with
 * upstream's checks for every container kind, version-specific lists and exemptions (Windows
 * pods, user namespaces). CEL copies of a few checks were stricter than the namespace's level
 * (restricted rules in baseline namespaces) and looser than upstream (no ephemeral containers,
 * runAsUser, volumes, sysctls…), so they are gone; offline, src/admission/pod-security/ mirrors
 * the plugin instead, check for check.
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
  /** Where a failure points, from the object's root, when not in the pod spec. */
  readonly at?: string;
  readonly message: string;
  readonly fix: string;
}

export interface PolicyConfig {
  /** Image registries allowed in this environment, e.g. `ghcr.io/acme`. Empty = any. */
  readonly allowedRegistries: readonly string[];
}

const celList = (xs: readonly string[]) => `[${xs.map((x) => `'${x.replace(/'/g, "\\'")}'`).join(', ')}]`;

export function policyRules(config: PolicyConfig): PolicyRule[] {
  const rules: PolicyRule[] = [
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
      at: 'metadata.labels',
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
