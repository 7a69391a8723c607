/**
 * Small builders for Grafana dashboard JSON, typed by Grafana's own schema
 * (`@grafana/schema` 13.2.3, `Dashboard`/`Panel`/`VariableModel`, generated from the CUE kinds
 * Grafana loads). Types only: the dashboards are plain data, so synth does not load the package.
 */
import type {
  Dashboard,
  DataSourceRef,
  FieldConfig,
  GridPos,
  Panel,
  ThresholdsConfig,
  VariableModel,
} from '@grafana/schema';

/**
 * `schemaVersion` of the dashboards: `defaultDashboard.schemaVersion` of @grafana/schema 13.2.3,
 * the version the Grafana release the package comes from saves dashboards at (a test keeps the
 * two equal). A dashboard with an older number is migrated by Grafana on every load; with this
 * one it is taken as written. (Not verified against a running Grafana here: no Grafana binary.)
 */
export const SCHEMA_VERSION = 42;

/**
 * Datasource uids the provisioned datasources carry (the kube-prometheus-stack Grafana
 * datasource configuration is written with exactly these uids). Panels name datasources by uid,
 * never by display name, so a renamed datasource does not break them.
 */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };
export const LOKI: DataSourceRef = { type: 'loki', uid: 'loki' };

/** Grafana's grid is 24 columns wide; heights are in rows of 30 px. */
export const GRID_COLUMNS = 24;

export interface PromQuery {
  readonly expr: string;
  /** Series name template, e.g. `{{version}}`. */
  readonly legend?: string;
  /** Instant query (stat, gauge, table panels); range otherwise. */
  readonly instant?: boolean;
}

export interface LokiQuery {
  readonly expr: string;
  readonly legend?: string;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A Prometheus datasource target (the fields Grafana's Prometheus query editor saves). */
export function promTargets(queries: readonly PromQuery[]): Record<string, unknown>[] {
  return queries.map((q, i) => ({
    datasource: PROMETHEUS,
    editorMode: 'code',
    expr: q.expr,
    instant: q.instant === true,
    legendFormat: q.legend ?? '__auto',
    range: q.instant !== true,
    refId: REF_IDS[i]!,
  }));
}

/** A Loki datasource target; `queryType: range` for metric queries, the logs panel takes the same. */
export function lokiTargets(queries: readonly LokiQuery[]): Record<string, unknown>[] {
  return queries.map((q, i) => ({
    datasource: LOKI,
    editorMode: 'code',
    expr: q.expr,
    ...(q.legend ? { legendFormat: q.legend } : {}),
    queryType: 'range',
    refId: REF_IDS[i]!,
  }));
}

export interface PanelSpec {
  readonly title: string;
  readonly type: 'timeseries' | 'stat' | 'gauge' | 'bargauge' | 'table' | 'logs';
  readonly description?: string;
  readonly datasource?: DataSourceRef;
  readonly targets: readonly Record<string, unknown>[];
  /** Grafana unit id, e.g. `percentunit`, `reqps`, `s`, `bytes`. */
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  /** Threshold steps above the base (green): value → color. */
  readonly thresholds?: readonly { readonly value: number; readonly color: string }[];
  /** Draw the thresholds as lines (time series panels). */
  readonly thresholdLine?: boolean;
  readonly width?: number;
  readonly height?: number;
  readonly options?: Record<string, unknown>;
}

/** A panel without id and position (the layout assigns both). */
export type PanelDraft = Omit<Panel, 'id' | 'gridPos'> & { readonly width: number; readonly height: number };

export function panel(p: PanelSpec): PanelDraft {
  const defaults: FieldConfig = {};
  if (p.unit) defaults.unit = p.unit;
  if (p.min !== undefined) defaults.min = p.min;
  if (p.max !== undefined) defaults.max = p.max;
  if (p.thresholds)
    defaults.thresholds = {
      // The enum ThresholdsMode.Absolute; its value, since only the types are imported.
      mode: 'absolute' as ThresholdsConfig['mode'],
      // Grafana's base step has value null ("-Infinity" in the editor).
      steps: [
        { color: 'green', value: null },
        ...p.thresholds.map((t) => ({ color: t.color, value: t.value })),
      ],
    };
  if (p.thresholdLine) defaults.custom = { thresholdsStyle: { mode: 'line' } };
  return {
    type: p.type,
    title: p.title,
    ...(p.description ? { description: p.description } : {}),
    datasource: p.datasource ?? PROMETHEUS,
    targets: [...p.targets],
    fieldConfig: { defaults, overrides: [] },
    options: p.options ?? {},
    width: p.width ?? 12,
    height: p.height ?? 8,
  };
}

/**
 * Lays panels out left to right, wrapping at 24 columns, and numbers them 1…n: Grafana needs a
 * unique id per panel and a gridPos for each, and derives nothing itself from a provisioned file.
 */
export function layout(drafts: readonly PanelDraft[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return drafts.map((d, i) => {
    const { width, height, ...rest } = d;
    const w = Math.min(Math.max(1, width), GRID_COLUMNS);
    if (x + w > GRID_COLUMNS) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos: GridPos = { h: height, w, x, y };
    x += w;
    rowHeight = Math.max(rowHeight, height);
    return { ...rest, id: i + 1, gridPos } as Panel;
  });
}

/** A multi-value custom variable over fixed values (teams, namespaces); "All" selects every value. */
export function customVariable(name: string, label: string, values: readonly string[]): VariableModel {
  const options = values.map((v, i) => ({ selected: i === 0, text: v, value: v }));
  return {
    type: 'custom',
    name,
    label,
    // Grafana's custom variable: comma-separated values (`valuesFormat` csv, the default).
    query: values.join(','),
    multi: true,
    includeAll: true,
    current: { text: ['All'], value: ['$__all'] },
    options,
  };
}

/** A variable whose values come from a Prometheus label (`label_values(selector, label)`). */
export function labelValuesVariable(
  name: string,
  label: string,
  selector: string,
  labelName: string,
  opts: {
    readonly multi?: boolean;
    /** VariableSort: 1 alphabetical, 3 numerical ascending, 4 numerical descending. @default 1 */
    readonly sort?: 1 | 3 | 4;
  } = {},
): VariableModel {
  return {
    type: 'query',
    name,
    label,
    datasource: PROMETHEUS,
    // Grafana's Prometheus variable query language (not PromQL): label_values(<selector>, <label>).
    query: `label_values(${selector}, ${labelName})`,
    refresh: 2, // on time range change: versions come and go with rollouts
    // Without a saved selection Grafana selects the first value in this order.
    sort: opts.sort ?? 1,
    multi: opts.multi === true,
    includeAll: opts.multi === true,
  };
}

export interface DashboardSpec {
  /** Stable uid (Grafana: 1–40 of [A-Za-z0-9_-]); links and bookmarks survive re-provisioning. */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly panels: readonly PanelDraft[];
  readonly variables?: readonly VariableModel[];
  /** @default now-6h */
  readonly from?: string;
}

export const UID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;

export function dashboard(d: DashboardSpec): Dashboard {
  if (!UID_PATTERN.test(d.uid))
    throw new Error(`dashboard uid ${JSON.stringify(d.uid)} is not 1–40 of [A-Za-z0-9_-]`);
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['mlp', ...d.tags],
    schemaVersion: SCHEMA_VERSION,
    // Provisioned from Git: edits in the UI would be lost on the next sync.
    editable: false,
    graphTooltip: 1,
    time: { from: d.from ?? 'now-6h', to: 'now' },
    timezone: 'utc',
    refresh: '1m',
    templating: { list: [...(d.variables ?? [])] },
    annotations: { list: [] },
    links: [],
    panels: layout(d.panels),
  };
}
