/**
 * The platform's Grafana dashboards, as data typed by Grafana's schema, and their delivery:
 * one ConfigMap per dashboard in the monitoring namespace, labelled for the Grafana sidecar of
 * kube-prometheus-stack (src/engines/kube-prometheus-stack.ts: `sidecar.dashboards.label`
 * grafana_dashboard, `labelValue` "1", `searchNamespace` ALL), which writes each `<file>.json`
 * key into Grafana's provisioned dashboards folder.
 */
import type { Dashboard } from '@grafana/schema';
import type { K8sObject } from '../../k8s/object.js';
import { type AlertThresholds, DEFAULT_THRESHOLDS, type SloSpec } from '../types.js';
import { dataServicesDashboard } from './data-services.js';
import { logsDashboard } from './logs.js';
import { platformDashboard } from './platform.js';
import { servingDashboard } from './serving.js';
import { sloDashboard } from './slo.js';

/** The label (and value) the Grafana sidecar selects dashboard ConfigMaps by. */
export const DASHBOARD_LABEL = 'grafana_dashboard';
export const DASHBOARD_LABEL_VALUE = '1';

/**
 * kubectl's client-side apply (Argo CD's default) keeps the whole object in the
 * `last-applied-configuration` annotation, which the API server caps at 256 KiB in total.
 */
export const MAX_DASHBOARD_BYTES = 200 * 1024;

export interface DashboardsInput {
  /** Team namespaces, for the per-team variables. */
  readonly teams: readonly string[];
  /** Namespaces whose logs the logs dashboard offers (teams, shared services, platform). */
  readonly logNamespaces: readonly string[];
  readonly thresholds?: Partial<AlertThresholds>;
  readonly slos: readonly SloSpec[];
}

/** Every dashboard of an environment, in a fixed order. */
export function dashboards(input: DashboardsInput): Dashboard[] {
  const t = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
  return [
    platformDashboard({ teams: input.teams, quotaUsage: t.quotaUsage }),
    servingDashboard({ p95Seconds: t.inferenceP95Seconds }),
    sloDashboard(input.slos),
    dataServicesDashboard(),
    logsDashboard(input.logNamespaces),
  ].filter((d): d is Dashboard => d !== undefined);
}

/** Keys sorted at every level, two-space indent, trailing newline: the same dashboard, the same bytes. */
export function dashboardJson(d: Dashboard): string {
  return `${JSON.stringify(sortKeys(d), null, 2)}\n`;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = sortKeys(x);
  }
  return out;
}

export interface DashboardConfigMapOptions {
  readonly namespace: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** `grafana-dashboard-<uid without the mlp- prefix>` holding `<uid>.json`. */
export function dashboardConfigMaps(
  list: readonly Dashboard[],
  options: DashboardConfigMapOptions,
): K8sObject[] {
  return list.map((d) => {
    const uid = d.uid!;
    const json = dashboardJson(d);
    const size = Buffer.byteLength(json, 'utf8');
    if (size > MAX_DASHBOARD_BYTES)
      throw new Error(
        `dashboard ${uid} is ${size} bytes of JSON; at most ${MAX_DASHBOARD_BYTES} fit a ConfigMap Argo CD applies`,
      );
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `grafana-dashboard-${uid.replace(/^mlp-/, '')}`,
        namespace: options.namespace,
        labels: { ...options.labels, [DASHBOARD_LABEL]: DASHBOARD_LABEL_VALUE },
      },
      data: { [`${uid}.json`]: json },
    };
  });
}
