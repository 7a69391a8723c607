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
 * - postgres_exporter, redis_exporter, MinIO (v2 cluster metrics), ingress-nginx: read from
 *   their upstream sources at the pinned versions (each entry says where). The model registry
 *   exports no Prometheus metrics (yet).
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
    // kube-state-metrics docs/metrics/workload/pod-metrics.md and cluster/node-metrics.md (v2.x).
    { name: 'kube_pod_status_phase', type: 'gauge', labels: ['namespace', 'pod', 'uid', 'phase'] },
    { name: 'kube_node_status_allocatable', type: 'gauge', labels: ['node', 'resource', 'unit'] },
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

/**
 * postgres_exporter v0.20.1 (the sidecar of src/synth/data-services.ts), from its source in
 * github.com/prometheus-community/postgres_exporter: `pg_up` (exporter/postgres_exporter.go,
 * namespace "pg", name "up"); `pg_stat_database_*` (collector/pg_stat_database.go: numbackends a
 * gauge, xact_commit/xact_rollback/deadlocks CounterValue without a `_total` suffix, labels
 * datid, datname); `pg_database_size_bytes` (collector/pg_database.go, label datname);
 * `pg_settings_max_connections` (collector/pg_setting.go: `pg_settings_<name>`, unitless).
 */
export const POSTGRES_EXPORTER: Exporter = {
  name: 'postgres-exporter',
  families: [
    { name: 'pg_up', type: 'gauge', labels: [] },
    { name: 'pg_stat_database_numbackends', type: 'gauge', labels: ['datid', 'datname'] },
    { name: 'pg_stat_database_xact_commit', type: 'counter', labels: ['datid', 'datname'] },
    { name: 'pg_stat_database_xact_rollback', type: 'counter', labels: ['datid', 'datname'] },
    { name: 'pg_stat_database_deadlocks', type: 'counter', labels: ['datid', 'datname'] },
    { name: 'pg_database_size_bytes', type: 'gauge', labels: ['datname'] },
    { name: 'pg_settings_max_connections', type: 'gauge', labels: [] },
  ],
};

/**
 * redis_exporter v1.88.0, from github.com/oliver006/redis_exporter exporter/exporter.go (INFO
 * field → metric maps, namespace "redis"): up, connected_clients, memory_used_bytes
 * (used_memory), memory_max_bytes (maxmemory), commands_processed_total,
 * keyspace_hits_total/keyspace_misses_total, evicted_keys_total; db_keys{db} (exporter/info.go).
 */
export const REDIS_EXPORTER: Exporter = {
  name: 'redis-exporter',
  families: [
    { name: 'redis_up', type: 'gauge', labels: [] },
    { name: 'redis_connected_clients', type: 'gauge', labels: [] },
    { name: 'redis_memory_used_bytes', type: 'gauge', labels: [] },
    { name: 'redis_memory_max_bytes', type: 'gauge', labels: [] },
    { name: 'redis_commands_processed_total', type: 'counter', labels: [] },
    { name: 'redis_keyspace_hits_total', type: 'counter', labels: [] },
    { name: 'redis_keyspace_misses_total', type: 'counter', labels: [] },
    { name: 'redis_evicted_keys_total', type: 'counter', labels: [] },
    { name: 'redis_db_keys', type: 'gauge', labels: ['db'] },
  ],
};

/**
 * MinIO's v2 cluster metrics (`/minio/v2/metrics/cluster`), names from minio/minio
 * docs/metrics/prometheus/list.md ("Cluster Capacity", "Cluster Health", "S3 API Request"
 * tables). Labels: the docs say only that metrics "may include … the server that calculated
 * that metric"; `server` (and `api` on the S3 request counters) are taken from that and from
 * sample scrapes, not from the source — unverified beyond that.
 */
export const MINIO: Exporter = {
  name: 'minio',
  families: [
    { name: 'minio_cluster_capacity_usable_total_bytes', type: 'gauge', labels: ['server'] },
    { name: 'minio_cluster_capacity_usable_free_bytes', type: 'gauge', labels: ['server'] },
    { name: 'minio_cluster_nodes_online_total', type: 'gauge', labels: ['server'] },
    { name: 'minio_cluster_nodes_offline_total', type: 'gauge', labels: ['server'] },
    { name: 'minio_s3_requests_total', type: 'counter', labels: ['api', 'server'] },
    { name: 'minio_s3_requests_errors_total', type: 'counter', labels: ['api', 'server'] },
  ],
};

/**
 * ingress-nginx controller v1.15.1 (chart 4.15.1), from kubernetes/ingress-nginx
 * internal/ingress/metric/collectors/socket.go: namespace `nginx_ingress_controller`, request
 * labels `requestTags` (status, method, path, namespace, ingress, service, canary, plus host:
 * metrics-per-host is on by default) and the const labels controller_namespace/class/pod;
 * `requests` is a CounterOpts named "requests" (no `_total`). controller.go:
 * `config_last_reload_successful`.
 *
 * Two request labels collide with target labels: the chart's ServiceMonitor does not set
 * honorLabels, so Prometheus keeps the target's `namespace`/`service` (the controller's) and
 * renames the exporter's to `exported_namespace`/`exported_service` (the Ingress' own). A rule
 * that means "the team's namespace" must select `exported_namespace`.
 */
const NGINX_REQUEST_LABELS = [
  'status',
  'method',
  'path',
  'exported_namespace',
  'ingress',
  'exported_service',
  'canary',
  'host',
  'controller_namespace',
  'controller_class',
  'controller_pod',
];

export const INGRESS_NGINX: Exporter = {
  name: 'ingress-nginx',
  families: [
    // ingress-nginx calls the HTTP status `status`; the model server calls it `code`.
    { name: 'nginx_ingress_controller_requests', type: 'counter', labels: NGINX_REQUEST_LABELS },
    {
      name: 'nginx_ingress_controller_request_duration_seconds',
      type: 'histogram',
      labels: NGINX_REQUEST_LABELS,
    },
    {
      name: 'nginx_ingress_controller_config_last_reload_successful',
      type: 'gauge',
      labels: ['controller_namespace', 'controller_class', 'controller_pod'],
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
