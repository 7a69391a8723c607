/**
 * The `observability.*` check family over plain objects (PrometheusRule, and the Grafana
 * dashboards in ConfigMaps the sidecar loads: their Prometheus targets and variable queries go
 * through the same two PromQL rules, variables replaced as Grafana would): every expression
 * parses with the upstream grammar, every series it selects is one something exports (and with
 * labels that series has), every alert links to a runbook that exists. Never throws on bad input.
 */
import type { Finding } from '../check/finding.js';
import { type K8sObject, objectRef } from '../k8s/object.js';
import {
  buildCatalogue,
  type CatalogueEntry,
  type Exporter,
  PLATFORM_EXPORTERS,
  TARGET_LABELS,
} from './catalogue.js';
import { dashboardQueries } from './dashboards/extract.js';
import { type LabelMatcher, parsePromql } from './promql.js';

export const RULE_PARSE = 'observability.promql-parse';
export const RULE_EXPORTED = 'observability.metric-exported';
export const RULE_RUNBOOK = 'observability.runbook-exists';

interface RuleRef {
  readonly resource: string;
  readonly path: string;
  readonly rule: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function* rulesOf(objects: readonly K8sObject[]): Generator<RuleRef> {
  for (const o of objects) {
    if (!isRecord(o) || o.kind !== 'PrometheusRule' || !isRecord(o.spec)) continue;
    const groups = o.spec.groups;
    if (!Array.isArray(groups)) continue;
    const resource = objectRef(o);
    for (const [gi, g] of groups.entries()) {
      if (!isRecord(g) || !Array.isArray(g.rules)) continue;
      for (const [ri, r] of g.rules.entries())
        if (isRecord(r)) yield { resource, path: `spec.groups[${gi}].rules[${ri}]`, rule: r };
    }
  }
}

const nameOf = (r: Record<string, unknown>) =>
  typeof r.alert === 'string'
    ? `alert ${r.alert}`
    : typeof r.record === 'string'
      ? `recording rule ${r.record}`
      : 'rule';

/** One PromQL expression to check: a rule's `expr` or a dashboard's Prometheus query. */
interface ExprRef {
  readonly resource: string;
  /** Path of the expression itself. */
  readonly path: string;
  /** `alert X`, `panel "Y" target A`, for messages. */
  readonly what: string;
  /** A string, or whatever a hand-edited object holds there. */
  readonly expr: unknown;
}

function* promqlOf(objects: readonly K8sObject[]): Generator<ExprRef> {
  for (const { resource, path, rule } of rulesOf(objects))
    yield { resource, path: `${path}.expr`, what: nameOf(rule), expr: rule.expr };
  for (const q of dashboardQueries(objects))
    if (q.language === 'promql')
      yield {
        resource: q.resource,
        path: q.path,
        what: q.what,
        // Grafana replaces `$__rate_interval`, `$team` … before Prometheus sees the query.
        expr: q.interpolated ?? q.expr,
      };
}

const pass = (ruleId: string, message: string): Finding => ({
  ruleId,
  status: 'pass',
  resource: 'PrometheusRule/*',
  path: '',
  message,
});

/** `observability.promql-parse`: every `expr` parses (lezer-promql, Prometheus' own grammar). */
export function checkPromqlParse(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  let n = 0;
  for (const { resource, path, what, expr } of promqlOf(objects)) {
    n++;
    if (typeof expr !== 'string') {
      out.push({
        ruleId: RULE_PARSE,
        status: 'fail',
        resource,
        path,
        message: `${what}: expected a PromQL expression string; received ${expr === undefined ? 'nothing' : typeof expr}`,
      });
      continue;
    }
    const first = parsePromql(expr).errors[0];
    if (first)
      out.push({
        ruleId: RULE_PARSE,
        status: 'fail',
        resource,
        path,
        message: `${what}: ${first.message} in ${JSON.stringify(expr.length > 200 ? `${expr.slice(0, 200)}…` : expr)}`,
        fix: 'correct the expression; `promtool check rules <file>` shows the same error with Prometheus’ parser',
      });
  }
  return out.length > 0 ? out : [pass(RULE_PARSE, `${n} rule and dashboard expressions parse`)];
}

/** Does this matcher only match series that have the label (so a label the metric lacks matches nothing)? */
function requiresLabel(m: LabelMatcher): boolean {
  if (m.op === '=') return m.value !== '';
  if (m.op !== '=~') return false;
  try {
    // Prometheus anchors regexes; RE2 and JS agree on the constructs that matter here.
    return !new RegExp(`^(?:${m.value})$`, 'u').test('');
  } catch {
    return false;
  }
}

export interface MetricCheckOptions {
  /** @default PLATFORM_EXPORTERS */
  readonly exporters?: readonly Exporter[];
}

/**
 * `observability.metric-exported`: every selector names a series an exporter of the catalogue
 * or a recording rule of these objects produces, with labels that series carries.
 */
export function checkMetricsExported(
  objects: readonly K8sObject[],
  options: MetricCheckOptions = {},
): Finding[] {
  const catalogue = buildCatalogue(options.exporters ?? PLATFORM_EXPORTERS);
  const recorded = new Map<string, CatalogueEntry>();
  for (const { rule } of rulesOf(objects))
    if (typeof rule.record === 'string')
      recorded.set(rule.record, { series: rule.record, exporter: 'recording rule' });
  const out: Finding[] = [];
  let selectors = 0;
  for (const { resource, path: at, what, expr } of promqlOf(objects)) {
    if (typeof expr !== 'string') continue; // reported by promql-parse
    const parsed = parsePromql(expr);
    // An expression that does not parse is promql-parse's finding: one defect, one rule id.
    if (parsed.errors.length > 0) continue;
    for (const sel of parsed.selectors) {
      selectors++;
      if (sel.metric === undefined) {
        out.push({
          ruleId: RULE_EXPORTED,
          status: 'warn',
          resource,
          path: at,
          message: `${what}: a selector without a fixed metric name (offset ${sel.offset}) cannot be checked against the catalogue`,
          fix: 'name the metric: foo{…} or {__name__="foo"}',
        });
        continue;
      }
      const entry = catalogue.get(sel.metric) ?? recorded.get(sel.metric);
      if (!entry) {
        out.push({
          ruleId: RULE_EXPORTED,
          status: 'fail',
          resource,
          path: at,
          message: `${what}: metric ${sel.metric} is exported by nothing in the tree (no exporter of the catalogue, no recording rule)`,
          fix: 'use a metric the scrape targets export (src/observability/catalogue.ts lists them), or add the exporter and its catalogue entry',
        });
        continue;
      }
      if (!entry.labels) continue;
      for (const m of sel.matchers) {
        if (m.label === '__name__' || entry.labels.has(m.label) || !requiresLabel(m)) continue;
        const own = [...entry.labels].filter((l) => !TARGET_LABELS.includes(l));
        out.push({
          ruleId: RULE_EXPORTED,
          status: 'fail',
          resource,
          path: at,
          message: `${what}: ${sel.metric}{${m.label}${m.op}${JSON.stringify(m.value)}} selects nothing: ${entry.exporter} exports ${sel.metric} with labels ${own.length > 0 ? own.join(', ') : '(none)'} (plus target labels), not ${m.label}`,
          fix: `select on a label the metric has, e.g. ${own[0] ?? 'job'}`,
        });
      }
    }
  }
  return out.length > 0 ? out : [pass(RULE_EXPORTED, `${selectors} selectors read exported series`)];
}

/** The runbook file an URL names below the base, or undefined when it is outside or climbs out. */
export function runbookPathOf(url: string, base: string): string | undefined {
  const prefix = `${base.replace(/\/+$/, '')}/`;
  if (!url.startsWith(prefix)) return undefined;
  let rest: string;
  try {
    rest = decodeURIComponent(url.slice(prefix.length).split(/[?#]/)[0]!);
  } catch {
    return undefined;
  }
  const segments = rest.split('/');
  if (rest === '' || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\')))
    return undefined;
  return rest;
}

export interface RunbookCheckOptions {
  /** The runbook files that exist, relative to the base (`<alert>.md`). */
  readonly runbookPaths: Iterable<string>;
  readonly runbookBaseUrl: string;
}

/** `observability.runbook-exists`: every alert's `runbook_url` names a runbook of the tree. */
export function checkRunbooksExist(objects: readonly K8sObject[], options: RunbookCheckOptions): Finding[] {
  const existing = new Set(options.runbookPaths);
  const out: Finding[] = [];
  let alerts = 0;
  for (const { resource, path, rule } of rulesOf(objects)) {
    if (typeof rule.alert !== 'string') continue;
    alerts++;
    const annotations = isRecord(rule.annotations) ? rule.annotations : {};
    const url = Object.hasOwn(annotations, 'runbook_url') ? annotations.runbook_url : undefined;
    const fail = (message: string, fix: string) =>
      out.push({
        ruleId: RULE_RUNBOOK,
        status: 'fail',
        resource,
        path: `${path}.annotations.runbook_url`,
        message,
        fix,
      });
    const example = `${options.runbookBaseUrl.replace(/\/+$/, '')}/${rule.alert}.md`;
    if (typeof url !== 'string' || url === '') {
      fail(`alert ${rule.alert} has no runbook_url annotation`, `add runbook_url: ${example}`);
      continue;
    }
    const file = runbookPathOf(url, options.runbookBaseUrl);
    if (file === undefined) {
      fail(
        `alert ${rule.alert}: runbook_url ${JSON.stringify(url)} is not a file under the runbook base ${options.runbookBaseUrl}`,
        `use ${example}`,
      );
      continue;
    }
    if (!existing.has(file))
      fail(
        `alert ${rule.alert}: runbook ${file} does not exist (runbook_url ${url})`,
        'generate runbooks from the alert definitions (runbooks())',
      );
  }
  return out.length > 0 ? out : [pass(RULE_RUNBOOK, `${alerts} alerts link to existing runbooks`)];
}
