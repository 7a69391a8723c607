/**
 * Model serving: RED (rate, errors, duration) per model and version from the labels the model
 * server really emits (src/serving/metrics.ts: `inference_requests_total{model,version,code}`,
 * `inference_request_duration_seconds_bucket{model,version,le}`), and the champion and the
 * challenger version side by side, so a canary's regressions show against the version it would
 * replace. The versions are picked per dashboard variable: aliases live in the registry, the
 * metrics carry version numbers.
 */
import type { Dashboard } from '@grafana/schema';
import { dashboard, labelValuesVariable, type PanelDraft, panel, promTargets } from './grafana.js';

const RATE = '[$__rate_interval]';

/**
 * 5xx share. prom-client creates a `code` series only when first counted, so a version without
 * errors has no 5xx series: `or 0 * requests` shows it at 0 rather than "No data"; `> 0` in the
 * divisor leaves a version without traffic empty rather than NaN (as the SLI rules do, slo.ts).
 */
function errorRatio(matchers: string, by = 'version'): string {
  const all = `sum by (${by}) (rate(inference_requests_total{${matchers}}${RATE}))`;
  return `(sum by (${by}) (rate(inference_requests_total{${matchers},code=~"5.."}${RATE})) or 0 * ${all}) / (${all} > 0)`;
}

function quantile(q: number, matchers: string): string {
  return `histogram_quantile(${q}, sum by (version, le) (rate(inference_request_duration_seconds_bucket{${matchers}}${RATE})))`;
}

/** Rate, errors, duration of one version, as a column of three panels. */
function arm(role: 'Champion' | 'Challenger', variable: string): PanelDraft[] {
  const m = `model="$model",version="$${variable}"`;
  return [
    panel({
      title: `${role} ($${variable}): requests/s by code`,
      type: 'timeseries',
      unit: 'reqps',
      targets: promTargets([
        {
          expr: `sum by (code) (rate(inference_requests_total{${m}}${RATE}))`,
          legend: '{{code}}',
        },
      ]),
    }),
    panel({
      title: `${role} ($${variable}): 5xx ratio`,
      type: 'timeseries',
      unit: 'percentunit',
      min: 0,
      targets: promTargets([{ expr: errorRatio(m), legend: '{{version}}' }]),
    }),
    panel({
      title: `${role} ($${variable}): latency p50 / p95 / p99`,
      type: 'timeseries',
      unit: 's',
      targets: promTargets([
        { expr: quantile(0.5, m), legend: 'p50' },
        { expr: quantile(0.95, m), legend: 'p95' },
        { expr: quantile(0.99, m), legend: 'p99' },
      ]),
    }),
  ];
}

/** Interleaves two columns into rows of two (the layout fills 24 columns left to right). */
function sideBySide(left: readonly PanelDraft[], right: readonly PanelDraft[]): PanelDraft[] {
  return left.flatMap((l, i) => [l, right[i]!]);
}

export interface ServingDashboardInput {
  /** The p95 alert's threshold in seconds, drawn as the latency panels' red line. */
  readonly p95Seconds: number;
}

export function servingDashboard(input: ServingDashboardInput): Dashboard {
  const all = 'model=~"$model"';
  const overview: PanelDraft[] = [
    panel({
      title: 'Requests/s per model and version',
      type: 'timeseries',
      unit: 'reqps',
      width: 8,
      targets: promTargets([
        {
          expr: `sum by (model, version) (rate(inference_requests_total{${all}}${RATE}))`,
          legend: '{{model}} v{{version}}',
        },
      ]),
    }),
    panel({
      title: '5xx ratio per model and version',
      type: 'timeseries',
      unit: 'percentunit',
      min: 0,
      width: 8,
      targets: promTargets([
        {
          expr: errorRatio(all, 'model, version'),
          legend: '{{model}} v{{version}}',
        },
      ]),
    }),
    panel({
      title: 'p95 latency per model and version',
      type: 'timeseries',
      unit: 's',
      width: 8,
      thresholds: [{ value: input.p95Seconds, color: 'red' }],
      thresholdLine: true,
      targets: promTargets([
        {
          expr: `histogram_quantile(0.95, sum by (model, version, le) (rate(inference_request_duration_seconds_bucket{${all}}${RATE})))`,
          legend: '{{model}} v{{version}}',
        },
      ]),
    }),
    panel({
      title: 'In-flight requests',
      type: 'timeseries',
      width: 12,
      height: 6,
      targets: promTargets([
        { expr: `sum by (model) (inference_in_flight_requests{${all}})`, legend: '{{model}}' },
      ]),
    }),
    panel({
      title: 'Model load failures (1h)',
      type: 'stat',
      width: 12,
      height: 6,
      thresholds: [{ value: 1, color: 'red' }],
      targets: promTargets([
        {
          expr: `sum by (model, version) (increase(model_load_failures_total{${all}}[1h]))`,
          legend: '{{model}} v{{version}}',
          instant: true,
        },
      ]),
    }),
  ];
  return dashboard({
    uid: 'mlp-model-serving',
    title: 'MLP / Model serving',
    description: 'Rate, errors and duration per model and version; champion and challenger side by side.',
    tags: ['serving'],
    from: 'now-3h',
    variables: [
      labelValuesVariable('model', 'Model', 'inference_requests_total', 'model'),
      // Which version is champion lives in the registry (aliases), not in the metrics. Defaults:
      // the oldest version serving in the time range as champion, the newest as challenger —
      // during a canary exactly the two; pick others in the dropdowns.
      labelValuesVariable('champion', 'Champion', 'inference_requests_total{model="$model"}', 'version', {
        sort: 3,
      }),
      labelValuesVariable('challenger', 'Challenger', 'inference_requests_total{model="$model"}', 'version', {
        sort: 4,
      }),
    ],
    panels: [...overview, ...sideBySide(arm('Champion', 'champion'), arm('Challenger', 'challenger'))],
  });
}
