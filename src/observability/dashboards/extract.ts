/**
 * Reads dashboards back out of rendered objects — the ConfigMaps the Grafana sidecar loads —
 * so `mlp check` proves what is delivered, not what the builders meant: a dashboard planted by
 * hand or edited in the tree is checked the same way. Never throws on bad input.
 */
import { type K8sObject, objectRef } from '../../k8s/object.js';
import { MAX_EXPRESSION_LENGTH } from '../promql.js';
import { DASHBOARD_LABEL, DASHBOARD_LABEL_VALUE } from './index.js';

/** The API server refuses ConfigMaps over 1 MiB; nothing larger is parsed. */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export interface DashboardRef {
  readonly resource: string;
  /** `data["<file>.json"]` */
  readonly path: string;
  /** The parsed dashboard, when the text is JSON. */
  readonly json?: unknown;
  /** Why it is not (too large, not JSON). */
  readonly error?: string;
}

/** Is this a ConfigMap the Grafana sidecar loads (label grafana_dashboard="1")? */
export function isDashboardConfigMap(o: K8sObject): boolean {
  if (!isRecord(o) || o.kind !== 'ConfigMap' || o.apiVersion !== 'v1' || !isRecord(o.metadata)) return false;
  const labels = o.metadata.labels;
  return (
    isRecord(labels) &&
    Object.hasOwn(labels, DASHBOARD_LABEL) &&
    labels[DASHBOARD_LABEL] === DASHBOARD_LABEL_VALUE
  );
}

/** Every dashboard file of every sidecar ConfigMap (the sidecar writes each data key as a file). */
export function* dashboardsOf(objects: readonly K8sObject[]): Generator<DashboardRef> {
  for (const o of objects) {
    if (!isDashboardConfigMap(o)) continue;
    const resource = objectRef(o);
    const data = (o as unknown as Record<string, unknown>).data;
    if (!isRecord(data)) continue;
    for (const [key, text] of Object.entries(data)) {
      const path = `data[${JSON.stringify(key)}]`;
      if (typeof text !== 'string') {
        yield { resource, path, error: `expected the dashboard JSON as a string; received ${typeof text}` };
        continue;
      }
      if (text.length > MAX_CONFIGMAP_BYTES) {
        yield { resource, path, error: `${text.length} characters: larger than a ConfigMap may be (1 MiB)` };
        continue;
      }
      try {
        yield { resource, path, json: JSON.parse(text) as unknown };
      } catch (e) {
        // SyntaxError, or RangeError on absurd nesting: either way Grafana could not load it.
        yield { resource, path, error: `not JSON: ${(e as Error).message}` };
      }
    }
  }
}

export interface PanelRef {
  readonly panel: Record<string, unknown>;
  /** `panels[3]` or `panels[2].panels[0]` (a panel inside a collapsed row). */
  readonly path: string;
}

/** Panels of a dashboard, the ones inside collapsed rows included (Grafana rows nest one level). */
export function panelsOf(dashboard: Record<string, unknown>): PanelRef[] {
  const out: PanelRef[] = [];
  if (!Array.isArray(dashboard.panels)) return out;
  for (const [i, p] of dashboard.panels.entries()) {
    if (!isRecord(p)) continue;
    out.push({ panel: p, path: `panels[${i}]` });
    if (p.type === 'row' && Array.isArray(p.panels))
      for (const [j, q] of p.panels.entries())
        if (isRecord(q)) out.push({ panel: q, path: `panels[${i}].panels[${j}]` });
  }
  return out;
}

export type QueryLanguage = 'promql' | 'logql';

export interface QueryRef {
  readonly resource: string;
  /** Path of the expression, e.g. `data["x.json"].panels[2].targets[0].expr`. */
  readonly path: string;
  /** `panel "Title" target A`, for messages. */
  readonly what: string;
  readonly language: QueryLanguage;
  /** As written (may be anything in a hand-edited file). */
  readonly expr: unknown;
  /** With the dashboard's variables replaced as Grafana would before sending it (strings only). */
  readonly interpolated?: string;
}

/** The datasource type of a reference: its `type`, else known by the uid the platform provisions. */
function languageOf(ds: unknown): QueryLanguage | undefined {
  if (!isRecord(ds)) return undefined;
  const type = ds.type ?? ds.uid;
  return type === 'prometheus' ? 'promql' : type === 'loki' ? 'logql' : undefined;
}

/** Every Prometheus and Loki query of every panel, and every Prometheus variable query. */
export function* dashboardQueries(objects: readonly K8sObject[]): Generator<QueryRef> {
  for (const d of dashboardsOf(objects)) {
    if (!isRecord(d.json)) continue;
    const vars = variableValues(d.json);
    for (const { panel, path } of panelsOf(d.json)) {
      if (!Array.isArray(panel.targets)) continue;
      const title = typeof panel.title === 'string' ? panel.title : '(untitled)';
      for (const [ti, t] of panel.targets.entries()) {
        if (!isRecord(t)) continue;
        const language = languageOf(t.datasource ?? panel.datasource);
        if (!language) continue;
        const ref = typeof t.refId === 'string' ? t.refId : String(ti);
        yield {
          resource: d.resource,
          path: `${d.path}.${path}.targets[${ti}].expr`,
          what: `panel ${JSON.stringify(title)} target ${ref}`,
          language,
          expr: t.expr,
          ...(typeof t.expr === 'string' ? { interpolated: interpolate(t.expr, vars) } : {}),
        };
      }
    }
    for (const v of variablesOf(d.json)) {
      if (v.value.type !== 'query' || languageOf(v.value.datasource) !== 'promql') continue;
      const text = variableQueryText(v.value.query);
      const selector = text === undefined ? undefined : labelValuesSelector(text);
      if (selector === undefined) continue;
      yield {
        resource: d.resource,
        path: `${d.path}.${v.path}.query`,
        what: `variable ${JSON.stringify(v.value.name)} (label_values selector)`,
        language: 'promql',
        expr: selector,
        interpolated: interpolate(selector, vars),
      };
    }
  }
}

/**
 * The series selector of Grafana's Prometheus variable function `label_values(<selector>,
 * <label>)` (undefined for `label_values(<label>)` and the other functions).
 */
export function labelValuesSelector(query: string): string | undefined {
  const m = /^\s*label_values\(\s*(.+),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/s.exec(query);
  return m ? m[1]!.trim() : undefined;
}

/**
 * A Prometheus variable's query text: a string, or (Grafana 10+ saves it so) an object whose
 * `query` holds it (`{qryType, query, refId}`).
 */
export function variableQueryText(query: unknown): string | undefined {
  if (typeof query === 'string') return query;
  return isRecord(query) && typeof query.query === 'string' ? query.query : undefined;
}

export function variablesOf(
  dashboard: Record<string, unknown>,
): { value: Record<string, unknown>; path: string }[] {
  const t = dashboard.templating;
  if (!isRecord(t) || !Array.isArray(t.list)) return [];
  return t.list.flatMap((v, i) => (isRecord(v) ? [{ value: v, path: `templating.list[${i}]` }] : []));
}

/** The value `$__rate_interval` and the other interval built-ins take for the checks. */
const SAMPLE_INTERVAL = '5m';

/**
 * Grafana's global variables (docs: "Global variables"): intervals become a duration, the
 * millisecond and second forms a number; the rest are names and stay words.
 */
const BUILTINS: Readonly<Record<string, string>> = {
  __interval: SAMPLE_INTERVAL,
  __rate_interval: SAMPLE_INTERVAL,
  __range: SAMPLE_INTERVAL,
  __auto: SAMPLE_INTERVAL,
  __interval_ms: '300000',
  __rate_interval_ms: '300000',
  __range_ms: '300000',
  __range_s: '300',
  __dashboard: 'dashboard',
  __name: 'name',
  __org: 'org',
  __user: 'user',
};

/**
 * The values the checks give each variable: a custom variable's values as Grafana formats a
 * multi-value or "All" selection for Prometheus and Loki (`(a|b)`), its `allValue` when set;
 * a query variable's values are only known at run time, so a plain word stands in.
 */
export function variableValues(dashboard: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const { value: v } of variablesOf(dashboard)) {
    if (typeof v.name !== 'string') continue;
    const all =
      v.includeAll === true && typeof v.allValue === 'string' && v.allValue !== '' ? v.allValue : undefined;
    let value = 'value';
    if (v.type === 'custom' || v.type === 'interval') {
      const values =
        typeof v.query === 'string'
          ? v.query
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : [];
      const multi = v.multi === true || v.includeAll === true;
      value =
        all ?? (values.length === 0 ? '' : multi && values.length > 1 ? `(${values.join('|')})` : values[0]!);
    } else if (v.type === 'constant' || v.type === 'textbox') {
      value = typeof v.query === 'string' ? v.query : '';
    } else if (all !== undefined) value = all;
    out.set(v.name, value);
  }
  return out;
}

/** Grafana's variable syntax: `$name`, `${name}`, `${name:format}`, `${name.field}`, `[[name]]`, `[[name:format]]`. */
const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/**
 * Replaces the variables Grafana knows; an unknown one stays as written (Grafana sends it so).
 * Stops once the text outgrows what the parsers accept (a hostile file could reference a huge
 * variable thousands of times): the result is then just over the limit, and the parse rules
 * report a too-long expression instead of this building hundreds of megabytes.
 */
export function interpolate(expr: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  let last = 0;
  for (const m of expr.matchAll(VARIABLE)) {
    const name = m[1] ?? m[2] ?? m[4] ?? '';
    const value = Object.hasOwn(BUILTINS, name) ? BUILTINS[name]! : (vars.get(name) ?? m[0]);
    out += expr.slice(last, m.index) + value;
    last = m.index + m[0].length;
    if (out.length > MAX_EXPRESSION_LENGTH) return out.slice(0, MAX_EXPRESSION_LENGTH + 1);
  }
  return out + expr.slice(last);
}

/** Names of the variables an expression references that the dashboard does not define. */
export function undefinedVariables(expr: string, vars: ReadonlyMap<string, string>): string[] {
  const out = new Set<string>();
  for (const m of expr.matchAll(VARIABLE)) {
    const name = m[1] ?? m[2] ?? m[4] ?? '';
    if (!Object.hasOwn(BUILTINS, name) && !vars.has(name)) out.add(name);
  }
  return [...out];
}
