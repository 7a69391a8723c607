/**
 * The platform alerts of the seed's ops runbook (seed 002, "Alerting Rules" and "Key Metrics"),
 * thresholds as data. Each expression reads only series in the catalogue (catalogue.ts); each
 * alert carries the prose its runbook is generated from.
 *
 * Where two alerts watch the same quantity at two levels (CPU 80/85 %, PVC 90/95 %) the lower
 * one stops at the upper threshold, so one condition never notifies twice: kube-prometheus-stack's
 * default inhibit rules only silence a warning under a critical alert *of the same name*.
 */
import { promqlNumber } from './promql.js';
import {
  type AlertRule,
  type AlertThresholds,
  DEFAULT_THRESHOLDS,
  type Diagnostic,
  type RuleGroup,
} from './types.js';

const pct = (f: number) => `${promqlNumber(f * 100)} %`;

/** Problems with thresholds, as `field: message` lines (empty = valid). */
export function validateThresholds(t: AlertThresholds): string[] {
  const out: string[] = [];
  const fraction = (k: keyof AlertThresholds) => {
    const v = t[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1)
      out.push(`${k}: expected a fraction in (0, 1], e.g. 0.9 for 90 %; received ${String(v)}`);
  };
  for (const k of [
    'cpuElevated',
    'cpuHigh',
    'memoryElevated',
    'memoryHigh',
    'nodesNotReady',
    'pvcWarning',
    'pvcCritical',
    'quotaUsage',
  ] as const)
    fraction(k);
  const below = (lo: keyof AlertThresholds, hi: keyof AlertThresholds) => {
    if (t[lo] >= t[hi]) out.push(`${lo}: expected below ${hi} (${t[hi]}); received ${t[lo]}`);
  };
  below('cpuElevated', 'cpuHigh');
  below('memoryElevated', 'memoryHigh');
  below('pvcWarning', 'pvcCritical');
  if (!Number.isSafeInteger(t.jobFailuresPerHour) || t.jobFailuresPerHour < 0)
    out.push(
      `jobFailuresPerHour: expected a whole number ≥ 0, e.g. 5; received ${String(t.jobFailuresPerHour)}`,
    );
  if (!Number.isFinite(t.inferenceP95Seconds) || t.inferenceP95Seconds <= 0)
    out.push(`inferenceP95Seconds: expected seconds > 0, e.g. 1; received ${String(t.inferenceP95Seconds)}`);
  return out;
}

const promql = (command: string, why: string): Diagnostic => ({ kind: 'promql', command, why });
const kubectl = (command: string, why: string): Diagnostic => ({ kind: 'kubectl', command, why });

const ESCALATE_PLATFORM =
  'If not mitigated within 30 minutes (critical: 15 minutes, P1), page the platform on-call via PagerDuty and open an incident per the ops runbook.';

function cpuAlerts(t: AlertThresholds): AlertRule[] {
  const usage = '1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m]))';
  const diagnose = [
    kubectl('kubectl top nodes', 'which nodes are busy'),
    kubectl('kubectl top pods -A --sort-by=cpu | head -20', 'which workloads use the CPU'),
    promql(
      '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))',
      'CPU usage per node over time',
    ),
  ];
  return [
    {
      kind: 'alert',
      alert: 'ClusterCPUUsageElevated',
      expr: `(${usage}) > ${promqlNumber(t.cpuElevated)} <= ${promqlNumber(t.cpuHigh)}`,
      for: '15m',
      severity: 'info',
      summary: `Cluster CPU usage above ${pct(t.cpuElevated)}`,
      description:
        'Cluster CPU usage is {{ $value | humanizePercentage }} (averaged over all node CPUs, 5m).',
      runbook: {
        meaning:
          'The nodes of the cluster, taken together, spend more CPU time busy than the ops runbook says they should.',
        threshold: `above ${pct(t.cpuElevated)} and at most ${pct(t.cpuHigh)} for 15 minutes (above ${pct(t.cpuHigh)}: ClusterCPUUsageHigh)`,
        impact: 'None yet; headroom for bursts and rescheduling after a node loss is shrinking.',
        diagnose,
        mitigation: [
          'Plan capacity: add nodes or raise the autoscaler maximum.',
          'Look for runaway workloads.',
        ],
        escalation: 'Informational: review in working hours.',
      },
    },
    {
      kind: 'alert',
      alert: 'ClusterCPUUsageHigh',
      expr: `(${usage}) > ${promqlNumber(t.cpuHigh)}`,
      for: '15m',
      severity: 'warning',
      summary: `Cluster CPU usage above ${pct(t.cpuHigh)}`,
      description:
        'Cluster CPU usage is {{ $value | humanizePercentage }} (averaged over all node CPUs, 5m).',
      runbook: {
        meaning: 'The cluster is close to CPU saturation.',
        threshold: `above ${pct(t.cpuHigh)} for 15 minutes`,
        impact: 'Throttled containers, slower inference and training; new pods may not schedule.',
        diagnose,
        mitigation: [
          'Scale the node group out (EKS) or add kind nodes (local).',
          'Scale down or pause batch and training workloads that can wait.',
        ],
        escalation: ESCALATE_PLATFORM,
      },
    },
  ];
}

function memoryAlerts(t: AlertThresholds): AlertRule[] {
  const usage = '1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes)';
  const diagnose = [
    kubectl('kubectl top nodes', 'which nodes are short of memory'),
    kubectl('kubectl top pods -A --sort-by=memory | head -20', 'the largest consumers'),
    promql('1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', 'memory usage per node'),
  ];
  return [
    {
      kind: 'alert',
      alert: 'ClusterMemoryUsageElevated',
      expr: `(${usage}) > ${promqlNumber(t.memoryElevated)} <= ${promqlNumber(t.memoryHigh)}`,
      for: '15m',
      severity: 'info',
      summary: `Cluster memory usage above ${pct(t.memoryElevated)}`,
      description:
        'Cluster memory usage is {{ $value | humanizePercentage }} (1 − MemAvailable / MemTotal over all nodes).',
      runbook: {
        meaning: 'The nodes, taken together, have less free memory than the ops runbook asks for.',
        threshold: `above ${pct(t.memoryElevated)} and at most ${pct(t.memoryHigh)} for 15 minutes`,
        impact: 'None yet; less room to reschedule pods after a node loss.',
        diagnose,
        mitigation: ['Plan capacity: add nodes or larger instance types.'],
        escalation: 'Informational: review in working hours.',
      },
    },
    {
      kind: 'alert',
      alert: 'ClusterMemoryUsageHigh',
      expr: `(${usage}) > ${promqlNumber(t.memoryHigh)}`,
      for: '15m',
      severity: 'warning',
      summary: `Cluster memory usage above ${pct(t.memoryHigh)}`,
      description:
        'Cluster memory usage is {{ $value | humanizePercentage }} (1 − MemAvailable / MemTotal over all nodes).',
      runbook: {
        meaning: 'The cluster is close to running out of memory.',
        threshold: `above ${pct(t.memoryHigh)} for 15 minutes`,
        impact: 'OOM kills and evictions; pods that do not fit stay Pending.',
        diagnose,
        mitigation: ['Scale the node group out.', 'Find containers without memory limits or with leaks.'],
        escalation: ESCALATE_PLATFORM,
      },
    },
  ];
}

function nodeAlert(t: AlertThresholds): AlertRule {
  return {
    kind: 'alert',
    alert: 'NodesNotReady',
    // A lost node reports status="unknown", so 1 − (share with status="true") counts it too.
    expr: `1 - avg(kube_node_status_condition{condition="Ready",status="true"}) > ${promqlNumber(t.nodesNotReady)}`,
    for: '5m',
    severity: 'critical',
    summary: `More than ${pct(t.nodesNotReady)} of nodes are not Ready`,
    description: '{{ $value | humanizePercentage }} of the cluster nodes are not Ready.',
    runbook: {
      meaning: 'A large part of the cluster lost its nodes: kubelets stopped reporting Ready.',
      threshold: `more than ${pct(t.nodesNotReady)} of nodes not Ready for 5 minutes`,
      impact:
        'Pods on those nodes are evicted after the toleration timeout; capacity and redundancy are gone.',
      diagnose: [
        kubectl('kubectl get nodes -o wide', 'which nodes, since when'),
        kubectl(
          'kubectl describe node <node>',
          'conditions: MemoryPressure, DiskPressure, NetworkUnavailable',
        ),
        promql('kube_node_status_condition{condition="Ready",status!="true"} == 1', 'the nodes not Ready'),
      ],
      mitigation: [
        'Check the cloud provider for instance or AZ failures (EKS: the node group health).',
        'Cordon and replace broken nodes; let the autoscaler add capacity.',
      ],
      escalation:
        'Critical: page the platform on-call now (P1, response within 15 minutes); open an AWS support case for AZ-wide failures.',
    },
  };
}

function crashLoopAlert(): AlertRule {
  return {
    kind: 'alert',
    alert: 'PodCrashLooping',
    // max_over_time bridges the seconds between restarts in which the reason is not CrashLoopBackOff.
    expr: 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1',
    for: '15m',
    severity: 'warning',
    summary:
      'Container {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is in CrashLoopBackOff',
    description:
      'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been waiting in CrashLoopBackOff for 15 minutes (value {{ $value }}).',
    runbook: {
      meaning: 'A container keeps exiting and the kubelet backs off restarting it.',
      threshold: 'waiting reason CrashLoopBackOff within every 5-minute window for 15 minutes',
      impact: 'The pod serves nothing; a Deployment with all replicas crash-looping is down.',
      diagnose: [
        kubectl('kubectl -n <namespace> describe pod <pod>', 'last state, exit code, events'),
        kubectl('kubectl -n <namespace> logs <pod> -c <container> --previous', 'the crashed run’s output'),
        promql(
          'increase(kube_pod_container_status_restarts_total{namespace="<namespace>",pod="<pod>"}[1h])',
          'how often it restarted',
        ),
      ],
      mitigation: [
        'Exit code 137 / OOMKilled: raise the memory limit (within the team quota).',
        'A bad rollout: roll back (`kubectl rollout undo`, or abort the Argo Rollout).',
        'Missing config or secret: check the ExternalSecret status.',
      ],
      escalation:
        'Tell the owning team (namespace = team); escalate to the platform on-call for platform namespaces.',
    },
  };
}

function pvcAlerts(t: AlertThresholds): AlertRule[] {
  // capacity > 0 keeps a volume without stats out of the division (no NaN, no +Inf).
  const usage = 'kubelet_volume_stats_used_bytes / (kubelet_volume_stats_capacity_bytes > 0)';
  const diagnose = [
    kubectl('kubectl -n <namespace> get pvc <persistentvolumeclaim>', 'size and storage class'),
    kubectl(
      'kubectl -n <namespace> describe pvc <persistentvolumeclaim>',
      'whether expansion is allowed, events',
    ),
    promql(
      'predict_linear(kubelet_volume_stats_available_bytes{persistentvolumeclaim="<persistentvolumeclaim>"}[6h], 24 * 3600)',
      'free bytes expected in 24 hours',
    ),
  ];
  const description =
    'PersistentVolumeClaim {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full.';
  return [
    {
      kind: 'alert',
      alert: 'PersistentVolumeClaimAlmostFull',
      expr: `(${usage}) > ${promqlNumber(t.pvcWarning)} <= ${promqlNumber(t.pvcCritical)}`,
      for: '5m',
      severity: 'warning',
      summary: `Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is more than ${pct(t.pvcWarning)} full`,
      description,
      runbook: {
        meaning: 'A persistent volume is filling up.',
        threshold: `more than ${pct(t.pvcWarning)} and at most ${pct(t.pvcCritical)} used for 5 minutes`,
        impact: 'None yet; at 100 % the database, object store or training job writing to it fails.',
        diagnose,
        mitigation: [
          'Expand the PVC (`kubectl patch pvc … -p {"spec":{"resources":{"requests":{"storage":"…"}}}}`) if its StorageClass allows expansion; the team quota for storage must fit.',
          'Delete old checkpoints, logs or WAL that are no longer needed.',
        ],
        escalation: 'Tell the owning team; raise to critical handling if growth reaches 95 % within a day.',
      },
    },
    {
      kind: 'alert',
      alert: 'PersistentVolumeClaimFull',
      expr: `(${usage}) > ${promqlNumber(t.pvcCritical)}`,
      for: '5m',
      severity: 'critical',
      summary: `Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is more than ${pct(t.pvcCritical)} full`,
      description,
      runbook: {
        meaning: 'A persistent volume is about to run out of space.',
        threshold: `more than ${pct(t.pvcCritical)} used for 5 minutes`,
        impact: 'Writes will fail: Postgres stops, MinIO refuses uploads, training checkpoints are lost.',
        diagnose,
        mitigation: ['Expand the PVC now, or free space.', 'Stop the writer if data would be corrupted.'],
        escalation: 'Critical: page the platform on-call (P1) when a shared data service is affected.',
      },
    },
  ];
}

function jobFailureAlert(t: AlertThresholds): AlertRule {
  const failed = 'kube_job_failed{condition="true"}';
  return {
    kind: 'alert',
    alert: 'TrainingJobsFailing',
    // kube-state-metrics emits kube_job_failed only once a Job has its Failed condition: a Job
    // counts when it is failed now but was not an hour ago, i.e. it failed within the hour.
    expr: `count(${failed} == 1 unless ${failed} offset 1h == 1) > ${promqlNumber(t.jobFailuresPerHour)}`,
    severity: 'critical',
    summary: `More than ${t.jobFailuresPerHour} Jobs failed in the last hour`,
    description: '{{ $value }} Jobs reached the Failed condition within the last hour.',
    runbook: {
      meaning: 'Training (batch) Jobs across the team namespaces fail at an unusual rate.',
      threshold: `more than ${t.jobFailuresPerHour} Jobs failed within one hour`,
      impact: 'Training runs and pipelines do not produce models or data; GPU time is wasted.',
      diagnose: [
        kubectl('kubectl get jobs -A --field-selector status.successful=0', 'the failing Jobs'),
        kubectl('kubectl -n <namespace> describe job <job>', 'BackoffLimitExceeded or DeadlineExceeded'),
        promql(
          `count by (namespace) (${failed} == 1 unless ${failed} offset 1h == 1)`,
          'which teams’ Jobs failed within the hour',
        ),
      ],
      mitigation: [
        'A common cause (dataset access, image, GPU memory): fix it once, then re-run.',
        'Quota exhaustion: see TeamQuotaNearlyExhausted.',
      ],
      escalation: 'Critical per the ops runbook: page the platform on-call; inform the teams affected.',
    },
  };
}

function gpuAlert(): AlertRule {
  return {
    kind: 'alert',
    alert: 'GPUAllocationFailing',
    expr:
      'sum by (namespace, pod) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"}) > 0' +
      ' and on (namespace, pod) (kube_pod_status_unschedulable == 1)',
    for: '10m',
    severity: 'warning',
    summary: 'Pod {{ $labels.namespace }}/{{ $labels.pod }} cannot get its GPUs',
    description:
      'Pod {{ $labels.namespace }}/{{ $labels.pod }} requests {{ $value }} GPU(s) and has been unschedulable for 10 minutes.',
    runbook: {
      meaning:
        'The scheduler cannot place a pod that requests `nvidia.com/gpu`: no node has enough free GPUs.',
      threshold: 'a pod requesting GPUs unschedulable for 10 minutes',
      impact: 'Training or GPU inference waits; deadlines slip.',
      diagnose: [
        kubectl('kubectl -n <namespace> describe pod <pod>', 'the FailedScheduling event says why'),
        kubectl('kubectl get nodes -l node-type=gpu', 'GPU nodes (seed label)'),
        kubectl('kubectl -n kube-system logs daemonset/nvidia-device-plugin', 'whether nodes advertise GPUs'),
        promql(
          'sum by (namespace) (kube_pod_container_resource_requests{resource="nvidia_com_gpu"})',
          'GPUs requested per team',
        ),
      ],
      mitigation: [
        'Scale the GPU node group; check the team quota for `requests.nvidia.com/gpu`.',
        'Free GPUs held by idle notebooks.',
      ],
      escalation:
        'Warning: tell the requesting team; escalate to the platform on-call if GPU nodes report no GPUs.',
    },
  };
}

function latencyAlert(t: AlertThresholds): AlertRule {
  return {
    kind: 'alert',
    alert: 'InferenceLatencyP95High',
    // No traffic gives histogram_quantile NaN, and NaN > x is false: a quiet model stays silent.
    expr: `histogram_quantile(0.95, sum by (model, le) (rate(inference_request_duration_seconds_bucket[5m]))) > ${promqlNumber(t.inferenceP95Seconds)}`,
    for: '10m',
    severity: 'warning',
    summary: `Model {{ $labels.model }} p95 latency above ${promqlNumber(t.inferenceP95Seconds * 1000)} ms`,
    description:
      'The 95th percentile latency of model {{ $labels.model }} is {{ $value | printf "%.3f" }} s (5m).',
    runbook: {
      meaning: 'One in twenty inference requests to this model takes longer than the runbook allows.',
      threshold: `p95 above ${promqlNumber(t.inferenceP95Seconds * 1000)} ms for 10 minutes`,
      impact: 'Slow answers for clients; timeouts upstream; the latency SLO budget burns.',
      diagnose: [
        kubectl('kubectl get hpa -A', 'is the model server at its maximum replicas'),
        kubectl('kubectl top pods -n <namespace>', 'CPU throttling of the model server'),
        promql(
          'histogram_quantile(0.95, sum by (version, le) (rate(inference_request_duration_seconds_bucket{model="<model>"}[5m])))',
          'champion vs challenger: is one version slow',
        ),
      ],
      mitigation: [
        'Scale the model server out.',
        'Abort a canary whose version is slow.',
        'Check network policies and node pressure.',
      ],
      escalation: 'Warning: the model owner first; the platform on-call when every model is slow.',
    },
  };
}

function quotaAlert(t: AlertThresholds): AlertRule {
  return {
    kind: 'alert',
    alert: 'TeamQuotaNearlyExhausted',
    // One-to-one match ignoring `type`; hard > 0 keeps zero quotas (deny-all) out of the division.
    expr: `kube_resourcequota{type="used"} / ignoring (type) (kube_resourcequota{type="hard"} > 0) >= ${promqlNumber(t.quotaUsage)}`,
    for: '15m',
    severity: 'warning',
    summary:
      'Team namespace {{ $labels.namespace }} uses {{ $value | humanizePercentage }} of its {{ $labels.resource }} quota',
    description:
      'ResourceQuota {{ $labels.namespace }}/{{ $labels.resourcequota }}: {{ $labels.resource }} is at {{ $value | humanizePercentage }} of its hard limit.',
    runbook: {
      meaning:
        'A team is about to hit a hard limit of its ResourceQuota; the next pod or PVC over it will be rejected.',
      threshold: `usage at or above ${pct(t.quotaUsage)} of any hard limit for 15 minutes`,
      impact: 'New pods, PVCs or services of the team are refused at admission ("exceeded quota").',
      diagnose: [
        kubectl('kubectl -n <namespace> describe resourcequota', 'used vs hard for every resource'),
        promql(
          'kube_resourcequota{namespace="<namespace>",type="used"} / ignoring (type) kube_resourcequota{namespace="<namespace>",type="hard"}',
          'usage per resource',
        ),
      ],
      mitigation: [
        'The team frees resources (idle notebooks, finished Jobs, old PVCs).',
        'Or raise the quota in platform.yaml (teams[].quota), run `mlp check` (the quota must still fit the cluster), and let Argo CD sync.',
      ],
      escalation: 'Tell the team (their namespace); the platform team decides on quota increases.',
    },
  };
}

function modelLoadAlert(): AlertRule {
  return {
    kind: 'alert',
    alert: 'ModelLoadFailing',
    expr: 'sum by (model, version) (increase(model_load_failures_total[15m])) > 0',
    severity: 'warning',
    summary: 'Model {{ $labels.model }} version {{ $labels.version }} fails to load',
    // increase() extrapolates (1 failure may read 1.07): round for humans.
    description:
      'Model {{ $labels.model }} version {{ $labels.version }} failed to download or load about {{ $value | printf "%.0f" }} time(s) in 15 minutes.',
    runbook: {
      meaning: 'The model server cannot fetch or initialise a model version from the registry.',
      threshold: 'any load failure within 15 minutes',
      impact: 'The version cannot serve: a rollout to it stalls; the previous version keeps serving.',
      diagnose: [
        {
          kind: 'mlp',
          command: 'mlp model --help',
          why: 'the registry commands: is the version registered, is its artifact there',
        },
        kubectl('kubectl -n <namespace> logs deploy/<model-server> | grep -i load', 'the load error'),
      ],
      mitigation: ['Re-register a valid artifact, or move the alias back to the last good version.'],
      escalation: 'The model owner; the platform on-call if the registry or object store is down.',
    },
  };
}

/** The platform alert group: seed thresholds unless overridden. Throws on invalid thresholds (validate first). */
export function platformAlerts(overrides: Partial<AlertThresholds> = {}): RuleGroup {
  const t: AlertThresholds = { ...DEFAULT_THRESHOLDS, ...pickKnown(overrides) };
  const problems = validateThresholds(t);
  if (problems.length > 0) throw new Error(`invalid alert thresholds:\n${problems.join('\n')}`);
  return {
    name: 'mlp-platform',
    rules: [
      ...cpuAlerts(t),
      ...memoryAlerts(t),
      nodeAlert(t),
      crashLoopAlert(),
      ...pvcAlerts(t),
      jobFailureAlert(t),
      gpuAlert(),
      latencyAlert(t),
      quotaAlert(t),
      modelLoadAlert(),
    ],
  };
}

/** Only the threshold keys (own properties): `__proto__` or stray keys in user input change nothing. */
function pickKnown(o: Partial<AlertThresholds>): Partial<AlertThresholds> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(DEFAULT_THRESHOLDS)) {
    if (Object.hasOwn(o, k) && (o as Record<string, unknown>)[k] !== undefined)
      out[k] = (o as Record<string, number>)[k]!;
  }
  return out as Partial<AlertThresholds>;
}
