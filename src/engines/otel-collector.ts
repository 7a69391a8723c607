/**
 * The OpenTelemetry Collector that teams send traces (and OTLP logs) to: OTLP in on 4317 (gRPC)
 * and 4318 (HTTP) from every team namespace, head-sampled, out to Tempo; logs to Loki.
 *
 * Chart opentelemetry-collector 0.170.0 (https://open-telemetry.github.io/opentelemetry-helm-charts)
 * ships collector 0.158.0: charts/opentelemetry-collector/Chart.yaml in
 * github.com/open-telemetry/opentelemetry-helm-charts (version 0.170.0, appVersion 0.158.0).
 * The chart requires `mode` and `image.repository`; the contrib image has the
 * probabilistic_sampler processor and `otelcol-contrib` as its binary (values.yaml comments).
 *
 * Sampling is head sampling (probabilistic_sampler): the keep/drop decision is a hash of the
 * trace id, so every replica and every service decides the same way for one trace without
 * seeing all of its spans. Tail sampling (tail_sampling) would need every span of a trace at one
 * replica: a second, load-balancing collector tier in front — not worth it for a rate.
 */
import type { ResolvedEnvironment } from '../spec/model.js';
import { KUBE_PROMETHEUS_STACK } from './kube-prometheus-stack.js';
import {
  LOKI,
  LOKI_HTTP_PORT,
  OTEL_COLLECTOR,
  OTLP_GRPC_PORT,
  OTLP_HTTP_PORT,
  POD_IP,
  releasePods,
  serviceUrl,
  TEMPO,
} from './telemetry.js';
import { type Engine, NO_NETWORK, replicas } from './types.js';

/** The collector's own metrics (chart ports.metrics, service.telemetry below). */
export const COLLECTOR_METRICS_PORT = 8888;

/** The collector's pipeline configuration for this environment (the chart's `alternateConfig`). */
export function collectorConfig(env: ResolvedEnvironment): Record<string, unknown> {
  const tempoOtlp = serviceUrl(env, TEMPO, OTLP_GRPC_PORT).replace(/^http:\/\//, '');
  return {
    extensions: {
      // The chart's probes call it; "should never be removed" (values.yaml).
      health_check: { endpoint: `${POD_IP}:13133` },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `${POD_IP}:${OTLP_GRPC_PORT}` },
          http: { endpoint: `${POD_IP}:${OTLP_HTTP_PORT}` },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: '5s', limit_percentage: 80, spike_limit_percentage: 25 },
      // Head sampling by trace id hash: the same trace is kept or dropped everywhere.
      probabilistic_sampler: { sampling_percentage: env.observability.tracing.samplingPercent },
      batch: {},
    },
    exporters: {
      // Tempo's OTLP gRPC receiver, in-cluster and unencrypted (NetworkPolicies keep it inside
      // the monitoring namespace).
      'otlp/tempo': { endpoint: tempoOtlp, tls: { insecure: true } },
      // Loki 3 ingests OTLP natively at /otlp (the exporter appends /v1/logs).
      'otlphttp/loki': { endpoint: `${serviceUrl(env, LOKI, LOKI_HTTP_PORT)}/otlp` },
    },
    service: {
      extensions: ['health_check'],
      telemetry: {
        metrics: {
          readers: [
            {
              pull: { exporter: { prometheus: { host: POD_IP, port: COLLECTOR_METRICS_PORT } } },
            },
          ],
        },
      },
      pipelines: {
        traces: {
          receivers: ['otlp'],
          processors: ['memory_limiter', 'probabilistic_sampler', 'batch'],
          exporters: ['otlp/tempo'],
        },
        // Logs are not sampled: an error line without its trace is still an error line.
        logs: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['otlphttp/loki'] },
      },
    },
  };
}

const off = { enabled: false };

export const otelCollector: Engine = {
  name: OTEL_COLLECTOR,
  provides: 'OTLP gateway for teams (4317 gRPC, 4318 HTTP): head-sampled traces to Tempo, logs to Loki',
  namespace: (env) => env.platform.monitoringNamespace,
  chart: {
    repoURL: 'https://open-telemetry.github.io/opentelemetry-helm-charts',
    chart: 'opentelemetry-collector',
    version: '0.170.0',
    appVersion: '0.158.0',
  },
  // After kube-prometheus-stack's component creates the monitoring Namespace (see loki.ts).
  wave: -1,
  crdGroups: [],
  enabled: () => true,
  values: (env) => ({
    mode: 'deployment',
    // Service and pods named after the release (otherwise <release>-opentelemetry-collector).
    fullnameOverride: OTEL_COLLECTOR,
    image: { repository: 'otel/opentelemetry-collector-contrib' },
    command: { name: 'otelcol-contrib' },
    replicaCount: replicas(env),
    podDisruptionBudget: env.ha ? { enabled: true, minAvailable: 1 } : { enabled: false },
    // The whole configuration, not merged with the chart's default one (which also opens
    // Jaeger, Zipkin and Prometheus receivers and a debug exporter).
    alternateConfig: collectorConfig(env),
    ports: {
      otlp: { enabled: true },
      'otlp-http': { enabled: true },
      'jaeger-compact': off,
      'jaeger-thrift': off,
      'jaeger-grpc': off,
      zipkin: off,
      metrics: { enabled: true },
    },
    serviceMonitor: { enabled: true, extraLabels: { release: KUBE_PROMETHEUS_STACK } },
    // restricted Pod Security; 10001 is the contrib image's own non-root user.
    podSecurityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  }),
  podSecurity: {
    level: 'restricted',
    why: 'the values run it as non-root with seccomp RuntimeDefault, allowPrivilegeEscalation false and all capabilities dropped; no host ports in deployment mode',
  },
  network: () => ({
    ...NO_NETWORK,
    // Every team namespace may send OTLP to the collector's pods, and to nothing else here.
    fromTeams: {
      pods: releasePods(OTEL_COLLECTOR),
      ports: [{ port: OTLP_GRPC_PORT }, { port: OTLP_HTTP_PORT }],
    },
    sendsTo: [
      { engine: TEMPO, port: OTLP_GRPC_PORT },
      { engine: LOKI, port: LOKI_HTTP_PORT },
    ],
  }),
  pods: releasePods(OTEL_COLLECTOR),
  exemption: 'the OTLP gateway (OpenTelemetry Collector): chart pods without team labels',
};
