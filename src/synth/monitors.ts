/**
 * ServiceMonitors and PodMonitors (monitoring.coreos.com/v1) for the workloads the tree runs.
 * Their labels come from the Prometheus selectors in the kube-prometheus-stack engine's values
 * (`prometheus.prometheusSpec.serviceMonitorSelector` / `podMonitorSelector`), so a monitor
 * carries exactly what the operator selects on; `observability.servicemonitor-selects` proves it
 * over the rendered tree by reading the same values back from the Argo CD Application.
 */
import { kubePrometheusStack } from '../engines/kube-prometheus-stack.js';
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';

type Labels = Record<string, string>;

/**
 * The Prometheus pods' label as the operator sets it on the StatefulSet it renders; the chart's
 * own pod anti-affinity selects them by it (kube-prometheus-stack
 * templates/prometheus/prometheus.yaml: `app.kubernetes.io/name In [prometheus]`). Scrape egress
 * is granted to these pods only, not to Grafana or Alertmanager next to them.
 */
export const PROMETHEUS_POD_LABELS: Readonly<Labels> = { 'app.kubernetes.io/name': 'prometheus' };

/** One endpoint of a ServiceMonitor (Service port name) or PodMonitor (container port name). */
export interface MonitorEndpoint {
  /** A port name: of the Service (ServiceMonitor) or of a container (PodMonitor). */
  readonly port: string;
  /** HTTP path; Prometheus defaults to /metrics. */
  readonly path?: string;
  readonly interval?: string;
}

export interface MonitorOptions {
  readonly name: string;
  readonly namespace: string;
  /** Labels of the object itself (the selector label is added). */
  readonly labels: Labels;
  /** matchLabels of the Services (ServiceMonitor) or Pods (PodMonitor) to scrape. */
  readonly selector: Labels;
  readonly endpoints: readonly MonitorEndpoint[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The matchLabels a kind of monitor needs to be picked up by this environment's Prometheus,
 * read from the engine's values (not a copy of the release label).
 */
export function monitorSelectorLabels(
  env: ResolvedEnvironment,
  kind: 'ServiceMonitor' | 'PodMonitor',
): Labels {
  const spec = (kubePrometheusStack.values(env).prometheus as { prometheusSpec?: unknown } | undefined)
    ?.prometheusSpec;
  const key = kind === 'ServiceMonitor' ? 'serviceMonitorSelector' : 'podMonitorSelector';
  const sel = isRecord(spec) ? spec[key] : undefined;
  const match = isRecord(sel) && isRecord(sel.matchLabels) ? sel.matchLabels : {};
  return Object.fromEntries(
    Object.entries(match).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

const endpoint = (e: MonitorEndpoint) => ({
  port: e.port,
  ...(e.path ? { path: e.path } : {}),
  interval: e.interval ?? '30s',
});

export function serviceMonitor(env: ResolvedEnvironment, o: MonitorOptions): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: { ...o.labels, ...monitorSelectorLabels(env, 'ServiceMonitor') },
    },
    spec: {
      // The Services of the monitor's own namespace only (the operator's default, said explicitly).
      namespaceSelector: { matchNames: [o.namespace] },
      selector: { matchLabels: o.selector },
      endpoints: o.endpoints.map(endpoint),
    },
  };
}

export function podMonitor(env: ResolvedEnvironment, o: MonitorOptions): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: {
      name: o.name,
      namespace: o.namespace,
      labels: { ...o.labels, ...monitorSelectorLabels(env, 'PodMonitor') },
    },
    spec: {
      namespaceSelector: { matchNames: [o.namespace] },
      selector: { matchLabels: o.selector },
      podMetricsEndpoints: o.endpoints.map(endpoint),
    },
  };
}
