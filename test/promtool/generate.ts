/** promtool unit-test files from the cases: the rule file under test plus `tests:`. */
import { stringify } from 'yaml';
import { type RenderedRule, renderGroups } from '../../src/observability/prometheus-rule.js';
import type { RuleGroup } from '../../src/observability/types.js';
import type { AlertCase, ExprCase } from './cases.js';
import { renderTemplate } from './template.js';

export function alertIndex(groups: readonly RuleGroup[], base: string): Map<string, RenderedRule> {
  const out = new Map<string, RenderedRule>();
  for (const g of renderGroups(groups, base)) for (const r of g.rules) if (r.alert) out.set(r.alert, r);
  return out;
}

export function promtoolTests(
  ruleFile: string,
  groups: readonly RuleGroup[],
  base: string,
  alertCases: readonly AlertCase[],
  exprCases: readonly ExprCase[],
): string {
  const alerts = alertIndex(groups, base);
  const tests = [
    ...alertCases.map((c) => ({
      name: c.name,
      interval: '1m',
      input_series: c.series,
      alert_rule_test: Object.entries(c.expect).map(([alertname, expected]) => {
        const rule = alerts.get(alertname);
        if (!rule) throw new Error(`case "${c.name}" expects unknown alert ${alertname}`);
        return {
          eval_time: c.evalTime,
          alertname,
          exp_alerts: expected.map((e) => ({
            exp_labels: { ...e.labels, ...rule.labels },
            exp_annotations: Object.fromEntries(
              Object.entries(rule.annotations ?? {}).map(([k, v]) => [
                k,
                renderTemplate(v, e.labels, e.value),
              ]),
            ),
          })),
        };
      }),
    })),
    ...exprCases.map((c) => ({
      name: c.name,
      interval: '1m',
      input_series: c.series,
      promql_expr_test: [exprTest(c)],
    })),
  ];
  return stringify({ rule_files: [ruleFile], evaluation_interval: '1m', tests }, { lineWidth: 0 });
}

/**
 * promtool 2.x compares sample values exactly, and rate() ratios carry float noise
 * (0.2000000000000001): compare within 1e-9 instead, as a 0/1 `bool` sample.
 */
function exprTest(c: ExprCase) {
  if (c.samples.length > 1) throw new Error(`case "${c.name}": at most one expected sample`);
  const [s] = c.samples;
  if (!s) return { expr: c.expr, eval_time: c.evalTime, exp_samples: [] };
  return {
    expr: `abs(${c.expr} - ${s.value}) < bool 1e-9`,
    eval_time: c.evalTime,
    exp_samples: [{ labels: s.labels, value: 1 }],
  };
}
