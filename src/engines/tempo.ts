/**
 * Tempo: the traces store. Spans arrive over OTLP from the otel-collector only (teams send to
 * the collector, which samples); Grafana queries it on 3200.
 *
 * Chart tempo 2.2.4 (https://grafana-community.github.io/helm-charts; the single-binary chart
 * moved from grafana/helm-charts to the community repository) ships Tempo 2.10.8: its
 * charts/tempo/Chart.yaml in github.com/grafana-community/helm-charts (version 2.2.4,
 * appVersion 2.10.8). Values from that chart's values.yaml: `tempo.retention` becomes the
 * compactor's `block_retention` (a Go duration: 168h, not 7d), `persistence` a PVC of the
 * StatefulSet, `tempo.storage.trace.backend: local` the volume.
 *
 * One replica everywhere: with the local backend each replica would hold its own blocks, and
 * the chart's single binary has no object-store settings the tree can fill honestly yet (see
 * loki.ts). The collector in front is what runs twice in prod.
 */
import { KUBE_PROMETHEUS_STACK } from './kube-prometheus-stack.js';
import { releasePods, TEMPO, toGoDuration } from './telemetry.js';
import { type Engine, NO_NETWORK } from './types.js';

export const tempo: Engine = {
  name: TEMPO,
  provides: 'Traces: Tempo (single binary), OTLP from the otel-collector, queried by Grafana',
  namespace: (env) => env.platform.monitoringNamespace,
  chart: {
    repoURL: 'https://grafana-community.github.io/helm-charts',
    chart: 'tempo',
    version: '2.2.4',
    appVersion: '2.10.8',
  },
  // After kube-prometheus-stack's component creates the monitoring Namespace (see loki.ts).
  wave: -1,
  crdGroups: [],
  enabled: () => true,
  values: (env) => ({
    replicas: 1,
    tempo: {
      retention: toGoDuration(env.observability.tracing.retention),
      // No usage report to Grafana Labs from the platform's clusters.
      reportingEnabled: false,
      storage: {
        trace: { backend: 'local', local: { path: '/var/tempo/traces' }, wal: { path: '/var/tempo/wal' } },
      },
      // OTLP only (gRPC 4317, HTTP 4318). Helm merges maps, so the chart's default Jaeger
      // receivers are removed by null (a values file's null deletes the key).
      receivers: {
        jaeger: null,
        otlp: {
          protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } },
        },
      },
    },
    persistence: { enabled: true, size: env.observability.tracing.storage },
    serviceMonitor: { enabled: true, additionalLabels: { release: KUBE_PROMETHEUS_STACK } },
  }),
  podSecurity: {
    level: 'baseline',
    why: 'the chart runs Tempo as non-root (runAsUser 10001, runAsNonRoot) without host access; it sets no seccomp profile or capability drop, which restricted requires',
  },
  // The collector, Grafana and Prometheus reach it inside the monitoring namespace.
  network: () => NO_NETWORK,
  pods: releasePods(TEMPO),
  exemption: 'Tempo (traces store): chart pods without team labels',
};
