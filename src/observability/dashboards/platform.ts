/**
 * Platform overview: per team, ResourceQuota used against hard (kube-state-metrics'
 * `kube_resourcequota{type="used"|"hard"}`), pods that wait or cannot be scheduled, GPU requests,
 * and the nodes' CPU and memory.
 */
import type { Dashboard } from '@grafana/schema';
import { promqlNumber } from '../promql.js';
import { exported } from './exported.js';
import { customVariable, dashboard, type PanelDraft, panel, promTargets } from './grafana.js';

export interface PlatformDashboardInput {
  /** Team namespaces (a team's namespace is its name). */
  readonly teams: readonly string[];
  /** The quota alert's threshold (fraction), drawn as the panel's red line. */
  readonly quotaUsage: number;
}

const TEAM = 'namespace=~"$team"';

export function platformDashboard(input: PlatformDashboardInput): Dashboard {
  const drafts: PanelDraft[] = [
    panel({
      title: 'Quota used / hard per team',
      description:
        'Share of each ResourceQuota hard limit in use (kube_resourcequota type="used" over type="hard"). The quota alert fires at the red line.',
      type: 'bargauge',
      width: 12,
      height: 10,
      unit: 'percentunit',
      min: 0,
      max: 1,
      thresholds: [
        { value: Number(promqlNumber(input.quotaUsage * 0.9)), color: 'orange' },
        { value: input.quotaUsage, color: 'red' },
      ],
      options: { displayMode: 'gradient', orientation: 'horizontal', showUnfilled: true },
      targets: promTargets([
        {
          // The quota alert's ratio (per ResourceQuota object), the fullest quota per resource.
          expr: `max by (namespace, resource) (kube_resourcequota{${TEAM},type="used"} / ignoring (type) (kube_resourcequota{${TEAM},type="hard"} > 0))`,
          legend: '{{namespace}} {{resource}}',
          instant: true,
        },
      ]),
    }),
    panel({
      title: 'Quota used and hard per team',
      description: 'Used and hard per quota resource, raw values (cores, bytes, counts).',
      type: 'table',
      width: 12,
      height: 10,
      options: { showHeader: true },
      targets: promTargets([
        {
          expr: `sum by (namespace, resource, type) (kube_resourcequota{${TEAM},type=~"used|hard"})`,
          legend: '{{namespace}} {{resource}} {{type}}',
          instant: true,
        },
      ]),
    }),
  ];
  // kube-state-metrics' pod phase and node allocatable series, when the catalogue lists them.
  if (exported('kube_pod_status_phase'))
    drafts.push(
      panel({
        title: 'Pods by phase',
        type: 'timeseries',
        targets: promTargets([
          {
            expr: `sum by (namespace, phase) (kube_pod_status_phase{${TEAM}} > 0)`,
            legend: '{{namespace}} {{phase}}',
          },
        ]),
      }),
    );
  drafts.push(
    panel({
      title: 'Containers waiting, by reason',
      description: 'CrashLoopBackOff, ImagePullBackOff, CreateContainerConfigError … per team.',
      type: 'timeseries',
      targets: promTargets([
        {
          expr: `sum by (namespace, reason) (kube_pod_container_status_waiting_reason{${TEAM}} > 0)`,
          legend: '{{namespace}} {{reason}}',
        },
      ]),
    }),
    panel({
      title: 'Unschedulable pods',
      type: 'timeseries',
      targets: promTargets([
        { expr: `sum by (namespace) (kube_pod_status_unschedulable{${TEAM}} > 0)`, legend: '{{namespace}}' },
      ]),
    }),
    panel({
      title: 'GPUs requested per team',
      description:
        'kube-state-metrics sanitizes the extended resource nvidia.com/gpu to resource="nvidia_com_gpu".',
      type: 'timeseries',
      width: exported('kube_node_status_allocatable') ? 12 : 24,
      targets: promTargets([
        {
          expr: `sum by (namespace) (kube_pod_container_resource_requests{${TEAM},resource="nvidia_com_gpu"})`,
          legend: '{{namespace}}',
        },
      ]),
    }),
  );
  if (exported('kube_node_status_allocatable'))
    drafts.push(
      panel({
        title: 'GPUs requested / allocatable (cluster)',
        type: 'gauge',
        unit: 'percentunit',
        min: 0,
        max: 1,
        thresholds: [{ value: 0.9, color: 'red' }],
        targets: promTargets([
          {
            expr: 'sum(kube_pod_container_resource_requests{resource="nvidia_com_gpu"}) / (sum(kube_node_status_allocatable{resource="nvidia_com_gpu"}) > 0)',
            instant: true,
          },
        ]),
      }),
    );
  drafts.push(
    panel({
      title: 'Node CPU usage',
      type: 'timeseries',
      unit: 'percentunit',
      min: 0,
      max: 1,
      targets: promTargets([
        {
          expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))',
          legend: '{{instance}}',
        },
      ]),
    }),
    panel({
      title: 'Node memory usage',
      type: 'timeseries',
      unit: 'percentunit',
      min: 0,
      max: 1,
      targets: promTargets([
        {
          expr: '1 - sum by (instance) (node_memory_MemAvailable_bytes) / sum by (instance) (node_memory_MemTotal_bytes)',
          legend: '{{instance}}',
        },
      ]),
    }),
  );
  return dashboard({
    uid: 'mlp-platform-overview',
    title: 'MLP / Platform overview',
    description: 'Team quotas used against their hard limits, pods, GPUs and nodes.',
    tags: ['platform'],
    variables: [customVariable('team', 'Team', input.teams)],
    panels: drafts,
  });
}
