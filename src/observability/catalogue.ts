/**
 * The catalogue of metric names the platform's scrape targets export, as data. A rule or panel
 * may only select a series listed here (or one a recording rule produces); the seed repos
 * alerted on labels their app never emitted (`status="success"` where the app counts `code`).
 *
 * Sources, looked up rather than guessed:
 * - model server: `src/serving/metrics.ts` (a test compares this entry with a real scrape);
 * - kube-state-metrics: `docs/pod-metrics.md`, `docs/job-metrics.md`, `docs/node-metrics.md`,
 *   `docs/resourcequota-metrics.md` of kubernetes/kube-state-metrics; extended resources keep
 *   their name with `.`/`/` sanitized (`nvidia.com/gpu` → `resource="nvidia_com_gpu"`);
 * - kubelet (scraped by kube-prometheus-stack's kubelet ServiceMonitor): volume stats;
 * - node-exporter: the cpu, meminfo and filesystem collectors;
 * - postgres_exporter, redis_exporter, MinIO (v2 cluster metrics), ingress-nginx: the few
 *   series dashboards use. The model registry exports no Prometheus metrics (yet).
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

export interface MetricFamily {
  /** Family name as exposed (counters include `_total`; histograms without `_bucket`). */
  readonly name: string;
  readonly type: MetricType;
  /** Labels the exporter itself sets (target labels come on top, see TARGET_LABELS). */
  readonly labels: readonly string[];
  /** Bucket upper bounds in seconds (histograms only), without `+Inf`. */
  readonly buckets?: readonly number[];
}

export interface Exporter {
  readonly name: string;
  readonly families: readonly MetricFamily[];
}

/**
 * Labels Prometheus and the Prometheus Operator attach to every scraped series (the target
 * labels of a ServiceMonitor/PodMonitor endpoint), so any selector may use them.
 */
export const TARGET_LABELS: readonly string[] = [
  'job',
  'instance',
  'namespace',
  'service',
  'pod',
  'container',
  'endpoint',
];

/** Mirrors `LATENCY_BUCKETS` of src/serving/metrics.ts (a test keeps the two equal). */
export const MODEL_SERVER_LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5,
];

export const MODEL_SERVER: Exporter = {
  name: 'model-server',
  families: [
    { name: 'inference_requests_total', type: 'counter', labels: ['model', 'version', 'code'] },
    {
      name: 'inference_request_duration_seconds',
      type: 'histogram',
      labels: ['model', 'version'],
      buckets: MODEL_SERVER_LATENCY_BUCKETS,
    },
    { name: 'inference_in_flight_requests', type: 'gauge', labels: ['model'] },
    { name: 'model_load_failures_total', type: 'counter', labels: ['model', 'version'] },
    { name: 'inference_experiment_assignments_total', type: 'counter', labels: ['model', 'version'] },
    { name: 'inference_feedback_total', type: 'counter', labels: ['model', 'version', 'outcome'] },
  ],
};

export const KUBE_STATE_METRICS: Exporter = {
  name: 'kube-state-metrics',
  families: [
    { name: 'kube_node_status_condition', type: 'gauge', labels: ['node', 'condition', 'status'] },
    {
      name: 'kube_pod_container_status_waiting_reason',
      type: 'gauge',
      labels: ['namespace', 'pod', 'uid', 'container', 'reason'],
    },
    { name: 'kube_pod_status_unschedulable', type: 'gauge', labels: ['namespace', 'pod', 'uid'] },
    {
      name: 'kube_pod_container_resource_requests',
      type: 'gauge',
      labels: ['namespace', 'pod', 'uid', 'container', 'node', 'resource', 'unit'],
    },
    {
      name: 'kube_resourcequota',
      type: 'gauge',
      labels: ['namespace', 'resourcequota', 'resource', 'type'],
    },
    { name: 'kube_job_failed', type: 'gauge', labels: ['namespace', 'job_name', 'condition'] },
  ],
};

export const KUBELET: Exporter = {
  name: 'kubelet',
  families: [
    {
      name: 'kubelet_volume_stats_used_bytes',
      type: 'gauge',
      labels: ['namespace', 'persistentvolumeclaim'],
    },
    {
      name: 'kubelet_volume_stats_capacity_bytes',
      type: 'gauge',
      labels: ['namespace', 'persistentvolumeclaim'],
    },
    {
      name: 'kubelet_volume_stats_available_bytes',
      type: 'gauge',
      labels: ['namespace', 'persistentvolumeclaim'],
    },
  ],
};

export const NODE_EXPORTER: Exporter = {
  name: 'node-exporter',
  families: [
    { name: 'node_cpu_seconds_total', type: 'counter', labels: ['cpu', 'mode'] },
    { name: 'node_memory_MemAvailable_bytes', type: 'gauge', labels: [] },
    { name: 'node_memory_MemTotal_bytes', type: 'gauge', labels: [] },
    { name: 'node_filesystem_avail_bytes', type: 'gauge', labels: ['device', 'fstype', 'mountpoint'] },
    { name: 'node_filesystem_size_bytes', type: 'gauge', labels: ['device', 'fstype', 'mountpoint'] },
  ],
};

export const POSTGRES_EXPORTER: Exporter = {
  name: 'postgres-exporter',
  families: [
    { name: 'pg_up', type: 'gauge', labels: [] },
    { name: 'pg_stat_database_numbackends', type: 'gauge', labels: ['datid', 'datname'] },
    { name: 'pg_settings_max_connections', type: 'gauge', labels: [] },
  ],
};

export const REDIS_EXPORTER: Exporter = {
  name: 'redis-exporter',
  families: [
    { name: 'redis_up', type: 'gauge', labels: [] },
    { name: 'redis_connected_clients', type: 'gauge', labels: [] },
    { name: 'redis_memory_used_bytes', type: 'gauge', labels: [] },
  ],
};

export const MINIO: Exporter = {
  name: 'minio',
  families: [
    { name: 'minio_cluster_capacity_usable_total_bytes', type: 'gauge', labels: ['server'] },
    { name: 'minio_cluster_capacity_usable_free_bytes', type: 'gauge', labels: ['server'] },
  ],
};

export const INGRESS_NGINX: Exporter = {
  name: 'ingress-nginx',
  families: [
    {
      // ingress-nginx calls the HTTP status `status`; the model server calls it `code`.
      name: 'nginx_ingress_controller_requests',
      type: 'counter',
      labels: [
        'controller_class',
        'controller_namespace',
        'controller_pod',
        'ingress',
        'method',
        'path',
        'service',
        'status',
        'host',
        'canary',
      ],
    },
  ],
};

/** Series Prometheus itself produces for every target and alert. */
export const PROMETHEUS: Exporter = {
  name: 'prometheus',
  families: [
    { name: 'up', type: 'gauge', labels: [] },
    { name: 'ALERTS', type: 'gauge', labels: ['alertname', 'alertstate', 'severity'] },
  ],
};

export const PLATFORM_EXPORTERS: readonly Exporter[] = [
  MODEL_SERVER,
  KUBE_STATE_METRICS,
  KUBELET,
  NODE_EXPORTER,
  POSTGRES_EXPORTER,
  REDIS_EXPORTER,
  MINIO,
  INGRESS_NGINX,
  PROMETHEUS,
];

/** One series name a scrape produces, with the labels it can carry. */
export interface CatalogueEntry {
  readonly series: string;
  readonly exporter: string;
  /** Exporter labels plus target labels; `undefined` = unknown (recording rules), any label allowed. */
  readonly labels?: ReadonlySet<string>;
}

/** Series names a family is exposed as (Prometheus text format: histogram → `_bucket`, `_sum`, `_count`). */
export function seriesOf(family: MetricFamily): { name: string; labels: readonly string[] }[] {
  switch (family.type) {
    case 'histogram':
      return [
        { name: `${family.name}_bucket`, labels: [...family.labels, 'le'] },
        { name: `${family.name}_sum`, labels: family.labels },
        { name: `${family.name}_count`, labels: family.labels },
      ];
    case 'summary':
      return [
        { name: family.name, labels: [...family.labels, 'quantile'] },
        { name: `${family.name}_sum`, labels: family.labels },
        { name: `${family.name}_count`, labels: family.labels },
      ];
    default:
      return [{ name: family.name, labels: family.labels }];
  }
}

/** A lookup from series name to entry. A Map, so names such as `__proto__` are plain keys. */
export function buildCatalogue(
  exporters: readonly Exporter[] = PLATFORM_EXPORTERS,
): Map<string, CatalogueEntry> {
  const out = new Map<string, CatalogueEntry>();
  for (const e of exporters) {
    for (const f of e.families) {
      for (const s of seriesOf(f)) {
        out.set(s.name, {
          series: s.name,
          exporter: e.name,
          labels: new Set([...s.labels, ...TARGET_LABELS]),
        });
      }
    }
  }
  return out;
}

/** The model server's latency histogram, whose bucket bounds a latency SLO must hit exactly. */
export function modelServerLatencyBuckets(): readonly number[] {
  return MODEL_SERVER_LATENCY_BUCKETS;
}
