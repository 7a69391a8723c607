/**
 * Data services: PostgreSQL (postgres_exporter), Redis (redis_exporter) and MinIO (its own v2
 * cluster metrics). Only series the catalogue lists are used; each panel is dropped when its
 * series are not there (see exported.ts), and the dashboard when no panel is left.
 */
import type { Dashboard } from '@grafana/schema';
import { exported } from './exported.js';
import { dashboard, type PanelDraft, type PanelSpec, panel, promTargets } from './grafana.js';

interface Candidate {
  readonly needs: readonly string[];
  readonly spec: PanelSpec;
}

const CANDIDATES: readonly Candidate[] = [
  {
    needs: ['pg_up'],
    spec: {
      title: 'PostgreSQL up',
      type: 'stat',
      width: 6,
      thresholds: [{ value: 1, color: 'green' }],
      options: { colorMode: 'background' },
      targets: promTargets([{ expr: 'min by (namespace) (pg_up)', legend: '{{namespace}}', instant: true }]),
    },
  },
  {
    needs: ['pg_stat_database_numbackends', 'pg_settings_max_connections'],
    spec: {
      title: 'PostgreSQL connections used / max',
      type: 'timeseries',
      width: 18,
      unit: 'percentunit',
      min: 0,
      max: 1,
      targets: promTargets([
        {
          expr: 'sum by (namespace, instance) (pg_stat_database_numbackends) / on (namespace, instance) group_left () max by (namespace, instance) (pg_settings_max_connections)',
          legend: '{{namespace}} {{instance}}',
        },
      ]),
    },
  },
  {
    needs: ['redis_up'],
    spec: {
      title: 'Redis up',
      type: 'stat',
      width: 6,
      thresholds: [{ value: 1, color: 'green' }],
      options: { colorMode: 'background' },
      targets: promTargets([
        { expr: 'min by (namespace) (redis_up)', legend: '{{namespace}}', instant: true },
      ]),
    },
  },
  {
    needs: ['redis_connected_clients'],
    spec: {
      title: 'Redis connected clients',
      type: 'timeseries',
      width: 9,
      targets: promTargets([
        {
          expr: 'sum by (namespace, instance) (redis_connected_clients)',
          legend: '{{namespace}} {{instance}}',
        },
      ]),
    },
  },
  {
    needs: ['redis_memory_used_bytes'],
    spec: {
      title: 'Redis memory used',
      type: 'timeseries',
      width: 9,
      unit: 'bytes',
      targets: promTargets([
        {
          expr: 'sum by (namespace, instance) (redis_memory_used_bytes)',
          legend: '{{namespace}} {{instance}}',
        },
      ]),
    },
  },
  {
    needs: ['minio_cluster_capacity_usable_free_bytes', 'minio_cluster_capacity_usable_total_bytes'],
    spec: {
      title: 'MinIO usable capacity used',
      type: 'gauge',
      width: 8,
      unit: 'percentunit',
      min: 0,
      max: 1,
      thresholds: [
        { value: 0.9, color: 'orange' },
        { value: 0.95, color: 'red' },
      ],
      targets: promTargets([
        {
          expr: '1 - sum by (namespace) (minio_cluster_capacity_usable_free_bytes) / (sum by (namespace) (minio_cluster_capacity_usable_total_bytes) > 0)',
          legend: '{{namespace}}',
          instant: true,
        },
      ]),
    },
  },
  {
    needs: ['minio_cluster_capacity_usable_free_bytes'],
    spec: {
      title: 'MinIO usable capacity free',
      type: 'timeseries',
      width: 16,
      unit: 'bytes',
      targets: promTargets([
        { expr: 'sum by (namespace) (minio_cluster_capacity_usable_free_bytes)', legend: '{{namespace}}' },
      ]),
    },
  },
];

export function dataServicesDashboard(): Dashboard | undefined {
  const drafts: PanelDraft[] = CANDIDATES.filter((c) => exported(...c.needs)).map((c) => panel(c.spec));
  if (drafts.length === 0) return undefined;
  return dashboard({
    uid: 'mlp-data-services',
    title: 'MLP / Data services',
    description: 'PostgreSQL, Redis and MinIO from their exporters.',
    tags: ['data'],
    panels: drafts,
  });
}
