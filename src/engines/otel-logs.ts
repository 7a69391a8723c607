/**
 * The log shipper: the OpenTelemetry Collector chart again (same pin as otel-collector.ts), as a
 * DaemonSet that tails every pod's log files on its node and sends them to Loki over OTLP.
 *
 * Why the collector and not Grafana Alloy: one chart and one configuration language for both
 * OTLP paths (traces and logs), one upstream pin to track, and OTLP into Loki keeps the
 * resource attributes (namespace, pod, container) as labels and metadata without a second
 * mapping. The chart's `logsCollection` preset adds the filelog receiver (with the container
 * parser) and the hostPath mounts of /var/log/pods and /var/lib/docker/containers; the
 * `kubernetesAttributes` preset adds the k8sattributes processor and its read-only ClusterRole.
 */
import type { ResolvedEnvironment } from '../spec/model.js';
import { LOKI_EXTRA_INDEX_LABELS } from './loki.js';
import { otelCollector } from './otel-collector.js';
import { LOKI, LOKI_HTTP_PORT, OTEL_LOGS, POD_IP, releasePods, serviceUrl } from './telemetry.js';
import { type Engine, NO_NETWORK } from './types.js';

/** The shipper's configuration; the presets add the filelog receiver and k8sattributes. */
export function logsShipperConfig(env: ResolvedEnvironment): Record<string, unknown> {
  return {
    extensions: { health_check: { endpoint: `${POD_IP}:13133` } },
    processors: {
      memory_limiter: { check_interval: '5s', limit_percentage: 80, spike_limit_percentage: 25 },
      // The label LogQL (and the runbooks) select a namespace by: `{namespace="ml-team"}`;
      // Loki indexes it (loki.ts LOKI_EXTRA_INDEX_LABELS) beside its default k8s_* labels.
      resource: {
        attributes: [
          { key: LOKI_EXTRA_INDEX_LABELS[0], from_attribute: 'k8s.namespace.name', action: 'upsert' },
        ],
      },
      batch: {},
    },
    exporters: {
      'otlphttp/loki': { endpoint: `${serviceUrl(env, LOKI, LOKI_HTTP_PORT)}/otlp` },
    },
    service: {
      extensions: ['health_check'],
      pipelines: {
        logs: {
          // The logsCollection preset appends `filelog` to these receivers.
          receivers: [],
          processors: ['memory_limiter', 'resource', 'batch'],
          exporters: ['otlphttp/loki'],
        },
      },
    },
  };
}

const off = { enabled: false };

export const otelLogs: Engine = {
  name: OTEL_LOGS,
  provides: "Log shipper: every pod's logs to Loki (OpenTelemetry Collector DaemonSet, filelog)",
  namespace: (env) => env.platform.monitoringNamespace,
  chart: otelCollector.chart,
  wave: -1,
  crdGroups: [],
  enabled: () => true,
  values: (env) => ({
    mode: 'daemonset',
    fullnameOverride: OTEL_LOGS,
    image: { repository: 'otel/opentelemetry-collector-contrib' },
    command: { name: 'otelcol-contrib' },
    presets: {
      logsCollection: { enabled: true, includeCollectorLogs: false },
      kubernetesAttributes: { enabled: true },
    },
    alternateConfig: logsShipperConfig(env),
    // It receives nothing: no OTLP, Jaeger or Zipkin ports (a DaemonSet would bind them as
    // host ports on every node).
    ports: {
      otlp: off,
      'otlp-http': off,
      'jaeger-compact': off,
      'jaeger-thrift': off,
      'jaeger-grpc': off,
      zipkin: off,
    },
  }),
  podSecurity: {
    level: 'privileged',
    why: 'the log shipper DaemonSet mounts the hostPath volumes /var/log/pods and /var/lib/docker/containers (the chart logsCollection preset), which only privileged admits',
  },
  // In-namespace only: it pushes to Loki (allow-same-namespace); k8sattributes watches pods
  // through the API server.
  network: () => ({ ...NO_NETWORK, apiServer: true, sendsTo: [{ engine: LOKI, port: LOKI_HTTP_PORT }] }),
  pods: releasePods(OTEL_LOGS),
  exemption:
    "the log shipper (OpenTelemetry Collector DaemonSet): chart pods without team labels, reading the nodes' log files",
};
