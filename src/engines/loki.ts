/**
 * Loki: the logs store, fed by the otel-logs DaemonSet (every pod's stdout) and by the
 * otel-collector (logs applications send over OTLP), queried by Grafana.
 *
 * Chart loki 6.49.0 (https://grafana.github.io/helm-charts) ships Loki 3.6.3: the chart's README
 * badges in github.com/grafana/loki production/helm/loki (Version 6.49.0, AppVersion 3.6.3).
 * Re-check with `helm show chart grafana/loki --version 6.49.0`.
 *
 * Monolithic (deploymentMode SingleBinary) with the filesystem store on a PersistentVolumeClaim
 * in every environment: the chart's SimpleScalable and Distributed modes REQUIRE object storage
 * (values.yaml: "SimpleScalable and Distributed REQUIRE the use of object storage"), and so does
 * more than one single-binary replica (each would keep its own filesystem). The platform has no
 * bucket and credentials the tree can hand Loki honestly yet, so Loki runs one replica even in
 * prod: logs survive a restart on the volume, not the loss of the volume. The values follow
 * Loki's "Install the monolithic Helm chart" documentation (schema v13, tsdb, filesystem).
 */
import { KUBE_PROMETHEUS_STACK } from './kube-prometheus-stack.js';
import { LOKI, releasePods, toGoDuration } from './telemetry.js';
import { type Engine, NO_NETWORK } from './types.js';

/** OTLP resource attributes Loki indexes as labels besides its defaults (Loki's otlp_config). */
export const LOKI_EXTRA_INDEX_LABELS = ['namespace'] as const;

export const loki: Engine = {
  name: LOKI,
  provides: 'Logs: Loki (monolithic), queried by Grafana, fed over OTLP',
  namespace: (env) => env.platform.monitoringNamespace,
  chart: {
    repoURL: 'https://grafana.github.io/helm-charts',
    chart: 'loki',
    version: '6.49.0',
    appVersion: '3.6.3',
  },
  // After kube-prometheus-stack's component (wave -2) creates the shared monitoring Namespace;
  // nothing in the tree uses kinds of Loki's (it has no CRDs).
  wave: -1,
  crdGroups: [],
  // Logs are part of every environment's stack (issue 10 §1), like the metrics.
  enabled: () => true,
  values: (env) => ({
    deploymentMode: 'SingleBinary',
    loki: {
      // One tenant: Grafana and the shippers send no X-Scope-OrgID.
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: 'filesystem' },
      schemaConfig: {
        configs: [
          {
            from: '2024-04-01',
            store: 'tsdb',
            object_store: 'filesystem',
            schema: 'v13',
            index: { prefix: 'loki_index_', period: '24h' },
          },
        ],
      },
      limits_config: {
        // Retention is applied by the compactor (below); Loki parses 168h like 7d.
        retention_period: toGoDuration(env.observability.logs.retention),
        // Structured metadata carries OTLP's trace_id/span_id (Loki 3 default, stated here
        // because the derived field to Tempo depends on it).
        allow_structured_metadata: true,
        otlp_config: {
          resource_attributes: {
            attributes_config: [{ action: 'index_label', attributes: [...LOKI_EXTRA_INDEX_LABELS] }],
          },
        },
      },
      compactor: { retention_enabled: true, delete_request_store: 'filesystem' },
    },
    singleBinary: {
      replicas: 1,
      persistence: { enabled: true, size: env.observability.logs.storage },
    },
    // The other modes' targets off (the chart's defaults are for SimpleScalable).
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    // No nginx gateway: clients talk to the single binary's Service (loki:3100) directly, so
    // the NetworkPolicies name one port. No memcached caches for a single small instance.
    gateway: { enabled: false },
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    // The canary and the Helm test pod write synthetic logs; not wanted in the tree.
    lokiCanary: { enabled: false },
    test: { enabled: false },
    // The rules sidecar watches ConfigMaps for a ruler this tree does not configure.
    sidecar: { rules: { enabled: false } },
    // Keys from the chart's values.yaml `monitoring` section (marked deprecated there, still
    // honoured in 6.x). metricsInstance would need the Grafana Agent Operator's CRDs.
    monitoring: {
      serviceMonitor: {
        enabled: true,
        labels: { release: KUBE_PROMETHEUS_STACK },
        metricsInstance: { enabled: false },
      },
      // Its dashboards and rules assume the distributed mode's jobs: off.
      dashboards: { enabled: false },
      rules: { enabled: false },
    },
  }),
  podSecurity: {
    level: 'baseline',
    why: 'the chart runs Loki as non-root (10001) with all capabilities dropped, no host access; it sets no seccomp profile, which restricted requires (not verified against a rendered chart)',
  },
  // Its peers in the monitoring namespace (the shippers, Grafana, Prometheus) reach it on 3100
  // through that namespace's allow-same-namespace policy; nothing outside it may.
  network: () => NO_NETWORK,
  pods: releasePods(LOKI),
  exemption: 'Loki (logs store): chart pods without team labels',
};
