/**
 * The dashboard rules of the `observability.*` family, over the rendered objects (the ConfigMaps
 * the Grafana sidecar loads): `observability.logql-parse` (every Loki query parses with Grafana's
 * LogQL grammar and selects streams the way Loki accepts) and `observability.dashboard-valid`
 * (every dashboard has what Grafana needs to load and render it). The PromQL of the panels goes
 * through `observability.promql-parse` and `observability.metric-exported` (../checks.ts).
 */
import type { Finding } from '../../check/finding.js';
import type { K8sObject } from '../../k8s/object.js';
import { buildCatalogue } from '../catalogue.js';
import { parsePromql } from '../promql.js';
import {
  dashboardQueries,
  dashboardsOf,
  labelValuesSelector,
  panelsOf,
  undefinedVariables,
  variableQueryText,
  variablesOf,
  variableValues,
} from './extract.js';
import { GRID_COLUMNS, SCHEMA_VERSION, UID_PATTERN } from './grafana.js';
import { checkLogql } from './logql.js';

export const RULE_LOGQL = 'observability.logql-parse';
export const RULE_DASHBOARD = 'observability.dashboard-valid';

/** The datasource uids Grafana is provisioned with (kube-prometheus-stack values). */
export const DATASOURCE_UIDS: readonly string[] = ['prometheus', 'loki', 'tempo'];

/** Grafana's built-in pseudo datasources (`-- Grafana --`, `-- Mixed --`, `-- Dashboard --` by uid). */
const BUILTIN_DATASOURCE_UIDS: readonly string[] = ['grafana', '-- Mixed --', '-- Dashboard --'];

/** Grafana's variable types (`VariableType` of @grafana/schema 13.2.3). */
const VARIABLE_TYPES = new Set([
  'query',
  'adhoc',
  'groupby',
  'constant',
  'datasource',
  'interval',
  'textbox',
  'custom',
  'system',
  'snapshot',
  'switch',
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const short = (s: string) => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);

/** `observability.logql-parse`: every Loki target of every dashboard. */
export function checkLogqlParse(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  let n = 0;
  for (const q of dashboardQueries(objects)) {
    if (q.language !== 'logql') continue;
    n++;
    const fail = (message: string) =>
      out.push({ ruleId: RULE_LOGQL, status: 'fail', resource: q.resource, path: q.path, message });
    if (typeof q.expr !== 'string' || q.interpolated === undefined) {
      fail(
        `${q.what}: expected a LogQL query string; received ${q.expr === undefined ? 'nothing' : typeof q.expr}`,
      );
      continue;
    }
    const first = checkLogql(q.interpolated)[0];
    if (first) fail(`${q.what}: ${first.message} in ${short(q.interpolated)}`);
  }
  return out.length > 0
    ? out
    : [
        {
          ruleId: RULE_LOGQL,
          status: 'pass',
          resource: 'ConfigMap/*',
          path: '',
          message: `${n} LogQL queries parse`,
        },
      ];
}

export interface DashboardCheckOptions {
  /** @default DATASOURCE_UIDS */
  readonly datasourceUids?: readonly string[];
}

/**
 * `observability.dashboard-valid`: JSON; a uid (1–40 of [A-Za-z0-9_-], unique over all
 * dashboards: the sidecar provisions them into one Grafana, where a second uid overwrites the
 * first), a title, an integer schemaVersion; panels with a type, a unique integer id and a
 * gridPos inside the 24 columns; data panels with a provisioned datasource and targets with
 * unique refIds; variables with valid, unique names and types; no query naming a variable the
 * dashboard lacks; `label_values` on a label the metric carries.
 */
export function checkDashboards(
  objects: readonly K8sObject[],
  options: DashboardCheckOptions = {},
): Finding[] {
  const uids = new Set([...(options.datasourceUids ?? DATASOURCE_UIDS), ...BUILTIN_DATASOURCE_UIDS]);
  const catalogue = buildCatalogue();
  const out: Finding[] = [];
  const seenUids = new Map<string, string>();
  let dashboards = 0;
  for (const d of dashboardsOf(objects)) {
    dashboards++;
    const fail = (path: string, message: string, fix?: string) =>
      out.push({
        ruleId: RULE_DASHBOARD,
        status: 'fail',
        resource: d.resource,
        path: path ? `${d.path}.${path}` : d.path,
        message,
        ...(fix ? { fix } : {}),
      });
    if (d.error !== undefined || !isRecord(d.json)) {
      fail('', `Grafana cannot load this dashboard: ${d.error ?? 'expected a JSON object'}`);
      continue;
    }
    const j = d.json;
    if (typeof j.uid !== 'string' || !UID_PATTERN.test(j.uid))
      fail('uid', `expected a uid of 1–40 characters [A-Za-z0-9_-]; received ${JSON.stringify(j.uid)}`);
    else if (seenUids.has(j.uid))
      fail('uid', `uid ${j.uid} is also the uid of ${seenUids.get(j.uid)}: Grafana keeps only one of them`);
    else seenUids.set(j.uid, `${d.resource} ${d.path}`);
    if (typeof j.title !== 'string' || j.title.trim() === '')
      fail('title', 'expected a title: Grafana refuses to save a dashboard without one');
    if (!isInt(j.schemaVersion) || j.schemaVersion < 1)
      fail(
        'schemaVersion',
        `expected an integer schemaVersion (${SCHEMA_VERSION} for Grafana 12/13); received ${JSON.stringify(j.schemaVersion)}`,
      );
    const vars = variableValues(j);
    checkVariables(j, fail, catalogue);
    checkPanels(j, fail, uids, vars);
  }
  return out.length > 0
    ? out
    : [
        {
          ruleId: RULE_DASHBOARD,
          status: 'pass',
          resource: 'ConfigMap/*',
          path: '',
          message: `${dashboards} dashboards have what Grafana loads`,
        },
      ];
}

type Fail = (path: string, message: string, fix?: string) => void;

function checkVariables(
  j: Record<string, unknown>,
  fail: Fail,
  catalogue: ReturnType<typeof buildCatalogue>,
): void {
  const names = new Set<string>();
  for (const { value: v, path } of variablesOf(j)) {
    // Grafana: "Only word characters are allowed in variable names", and `__` names are its own.
    if (typeof v.name !== 'string' || !/^\w+$/.test(v.name) || v.name.startsWith('__')) {
      fail(
        `${path}.name`,
        `expected a variable name of word characters not starting with __; received ${JSON.stringify(v.name)}`,
      );
      continue;
    }
    if (names.has(v.name)) fail(`${path}.name`, `variable ${v.name} is defined twice`);
    names.add(v.name);
    if (typeof v.type !== 'string' || !VARIABLE_TYPES.has(v.type))
      fail(
        `${path}.type`,
        `variable ${v.name}: unknown type ${JSON.stringify(v.type)}; expected one of ${[...VARIABLE_TYPES].join(', ')}`,
      );
    if (
      (v.type === 'query' || v.type === 'custom') &&
      (typeof v.query !== 'string' || v.query.trim() === '') &&
      !isRecord(v.query)
    )
      fail(`${path}.query`, `variable ${v.name}: a ${v.type} variable needs a query`);
    const text = v.type === 'query' ? variableQueryText(v.query) : undefined;
    if (text === undefined) continue;
    const m = /,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/.exec(text);
    const selector = labelValuesSelector(text);
    if (!selector || !m) continue;
    const metric = parsePromql(selector).selectors[0]?.metric;
    const entry = metric === undefined ? undefined : catalogue.get(metric);
    if (entry?.labels && !entry.labels.has(m[1]!))
      fail(
        `${path}.query`,
        `variable ${v.name}: label_values reads label ${m[1]} that ${metric} does not carry (${entry.exporter} exports it with ${[...entry.labels].sort().join(', ')}); the variable would stay empty`,
      );
  }
}

function checkPanels(
  j: Record<string, unknown>,
  fail: Fail,
  uids: ReadonlySet<string>,
  vars: ReadonlyMap<string, string>,
): void {
  if (!Array.isArray(j.panels)) {
    fail('panels', 'expected a panels array');
    return;
  }
  const ids = new Map<number, string>();
  for (const { panel: p, path } of panelsOf(j)) {
    const title = typeof p.title === 'string' ? p.title : '(untitled)';
    const at = `panel ${JSON.stringify(title)}`;
    if (typeof p.type !== 'string' || p.type === '')
      fail(`${path}.type`, `${at}: expected a panel type (timeseries, stat, …)`);
    if (!isInt(p.id) || p.id < 1)
      fail(`${path}.id`, `${at}: expected a positive integer id; received ${JSON.stringify(p.id)}`);
    else if (ids.has(p.id))
      fail(
        `${path}.id`,
        `${at}: id ${p.id} is also the id of ${ids.get(p.id)}; panel ids must be unique in a dashboard`,
      );
    else ids.set(p.id, path);
    const g = p.gridPos;
    if (
      !isRecord(g) ||
      !isInt(g.x) ||
      !isInt(g.y) ||
      !isInt(g.w) ||
      !isInt(g.h) ||
      g.x < 0 ||
      g.y < 0 ||
      g.w < 1 ||
      g.h < 1 ||
      g.x + g.w > GRID_COLUMNS
    )
      fail(
        `${path}.gridPos`,
        `${at}: expected gridPos {x, y, w, h} of integers inside the ${GRID_COLUMNS} columns; received ${JSON.stringify(g)}`,
      );
    if (p.type === 'row' || p.type === 'text') continue;
    checkDatasource(p.datasource, `${path}.datasource`, at, fail, uids, vars);
    if (!Array.isArray(p.targets) || p.targets.length === 0) {
      fail(`${path}.targets`, `${at}: expected at least one query target`);
      continue;
    }
    const refIds = new Set<string>();
    for (const [i, t] of p.targets.entries()) {
      const tp = `${path}.targets[${i}]`;
      if (!isRecord(t)) {
        fail(tp, `${at}: expected a target object`);
        continue;
      }
      if (typeof t.refId !== 'string' || t.refId === '')
        fail(`${tp}.refId`, `${at}: expected a refId (A, B, …)`);
      else if (refIds.has(t.refId))
        fail(`${tp}.refId`, `${at}: refId ${t.refId} is used twice; Grafana keys results by it`);
      else refIds.add(t.refId);
      if (t.datasource !== undefined) checkDatasource(t.datasource, `${tp}.datasource`, at, fail, uids, vars);
      if (typeof t.expr === 'string') {
        const missing = undefinedVariables(t.expr, vars);
        if (missing.length > 0)
          fail(
            `${tp}.expr`,
            `${at}: the query uses ${missing.map((m) => `$${m}`).join(', ')}, which the dashboard does not define; Grafana would send it literally`,
            'define the variable under templating.list or use a fixed value',
          );
      }
    }
  }
}

function checkDatasource(
  ds: unknown,
  path: string,
  at: string,
  fail: Fail,
  uids: ReadonlySet<string>,
  vars: ReadonlyMap<string, string>,
): void {
  if (!isRecord(ds) || typeof ds.uid !== 'string') {
    fail(
      path,
      `${at}: expected a datasource reference {type, uid}; a panel without one uses whatever datasource is the default`,
    );
    return;
  }
  const variable = /^\$\{?(\w+)\}?$/.exec(ds.uid);
  if (variable ? !vars.has(variable[1]!) : !uids.has(ds.uid))
    fail(
      path,
      `${at}: datasource uid ${JSON.stringify(ds.uid)} is not provisioned (known: ${[...uids].join(', ')}); Grafana shows "datasource not found"`,
    );
}
