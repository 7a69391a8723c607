import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runAnalysis } from '../src/rollout/analysis.js';
import {
  analysisTemplate,
  conditions,
  errorRatioQuery,
  latencyQuery,
  requestCountQuery,
} from '../src/rollout/prometheus.js';
import type { AnalysisThresholds } from '../src/rollout/thresholds.js';

const thresholds: AnalysisThresholds = {
  maxErrorRatio: 0.01,
  maxP95Seconds: 0.2,
  maxP99Seconds: 0.5,
  minRequests: 50,
  count: 3,
  interval: '1m',
  failureLimit: 1,
};
const target = { model: 'sentiment', version: '2', namespace: 'ml-team' };

/** Whether lezer-promql (Prometheus' own UI grammar) parses the query without an error node. */
function parses(query: string): boolean {
  let ok = true;
  parser.parse(query).iterate({
    enter: (n) => {
      if (n.type.isError) ok = false;
    },
  });
  return ok;
}

function template() {
  return analysisTemplate({
    name: 'sentiment-canary',
    namespace: 'ml-team',
    address: 'http://kube-prometheus-stack-prometheus.monitoring:9090',
    model: 'sentiment',
    scrapeNamespace: 'ml-team',
    thresholds,
  });
}

type Metric = {
  name: string;
  successCondition: string;
  failureCondition: string;
  provider: { prometheus: { query: string } };
};
const metricsOf = (o: Record<string, unknown>) => (o.spec as { metrics: Metric[] }).metrics;

describe('PromQL queries', () => {
  it('use the labels the model server emits and parse', () => {
    const queries = [
      requestCountQuery(target, '1m'),
      errorRatioQuery(target, '1m', 50),
      latencyQuery(0.95, target, '1m', 50),
      latencyQuery(0.99, target, '30s', 1),
      ...metricsOf(template()).map((m) => m.provider.prometheus.query),
    ];
    for (const q of queries) expect(parses(q), q).toBe(true);
    expect(parses('sum(rate(x[1m])) /')).toBe(false); // the check can fail
    expect(errorRatioQuery(target, '1m', 50)).toBe(
      '((sum(increase(inference_requests_total{model="sentiment",version="2",namespace="ml-team",code=~"5.."}[1m])) or vector(0)) / sum(increase(inference_requests_total{model="sentiment",version="2",namespace="ml-team"}[1m]))) and on() (sum(increase(inference_requests_total{model="sentiment",version="2",namespace="ml-team"}[1m])) >= 50)',
    );
    expect(latencyQuery(0.95, target, '1m', 50)).toContain(
      'histogram_quantile(0.95, sum by (le) (rate(inference_request_duration_seconds_bucket{model="sentiment",version="2",namespace="ml-team"}[1m])))',
    );
  });

  it('hostile label values stay inside their string literal', () => {
    for (const model of [
      'a"} or vector(1) #',
      'back\\slash',
      'new\nline',
      '__proto__',
      '{{args.x}}',
      'ünï',
    ]) {
      const q = errorRatioQuery({ model, version: '1' }, '1m', 1);
      expect(parses(q), q).toBe(true);
      expect(q).toContain(`model=${JSON.stringify(model)}`);
    }
    expect(() => errorRatioQuery(target, '1m) or vector(1', 1)).toThrow(TypeError);
    expect(() => errorRatioQuery(target, '1m', 0)).toThrow(TypeError);
  });
});

// Argo's conditions are expr-lang; this subset (len, isNaN, isInf, &&, !, comparisons) maps
// one to one onto JavaScript, which lets the test evaluate the emitted strings themselves.
function evalCondition(condition: string, result: number[]): boolean {
  expect(condition).toMatch(/^[\w\s[\]().<>=!&|-]+$/);
  const js = condition
    .replace(/len\(result\)/g, 'result.length')
    .replace(/isNaN\(/g, 'Number.isNaN(')
    .replace(/isInf\(([^)]*)\)/g, '(Math.abs($1) === Infinity)');
  return new Function('result', `return ${js};`)(result) as boolean;
}

/** Argo's EvaluateResult with both conditions set (utils/evaluate/evaluate.go). */
function argoPhase(max: number, result: number[]): string {
  const c = conditions(max);
  const fail = evalCondition(c.failureCondition, result);
  const success = evalCondition(c.successCondition, result);
  if (fail) return 'Failed';
  if (!success) return 'Inconclusive';
  return 'Successful';
}

describe('AnalysisTemplate conditions', () => {
  it.each([
    ['[]', [], 'Inconclusive'],
    ['[NaN]', [Number.NaN], 'Inconclusive'],
    ['two series', [0.005, 0.005], 'Inconclusive'],
    ['[0.005]', [0.005], 'Successful'],
    ['[0.01]', [0.01], 'Successful'],
    ['[0.0100001]', [0.0100001], 'Failed'],
    ['[+Inf]', [Number.POSITIVE_INFINITY], 'Failed'],
  ])('result %s → %s; empty and NaN are never Successful', (_label, result, phase) => {
    expect(argoPhase(0.01, result)).toBe(phase);
  });

  it('small thresholds are written without exponent notation', () => {
    expect(conditions(1e-7).successCondition).toContain('result[0] <= 0.0000001');
  });
});

describe('analysisTemplate', () => {
  it('is a valid Argo Rollouts AnalysisTemplate with the pure analysis limits', () => {
    const o = template();
    expect(() => new AnalysisTemplate(o as never).validate()).not.toThrow();
    expect(o.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(metricsOf(o).map((m) => m.name)).toEqual(['error-ratio', 'latency-p95', 'latency-p99']);
    expect(metricsOf(o)[0]).toMatchObject({
      interval: '1m',
      count: 3,
      failureLimit: 1,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
    });
    expect((o.spec as { args: unknown }).args).toEqual([
      { name: 'model', value: 'sentiment' },
      { name: 'version' },
      { name: 'namespace', value: 'ml-team' },
    ]);
    expect(JSON.stringify(template())).toBe(JSON.stringify(o)); // deterministic
  });

  it('the model validator rejects a broken template (the check can fail)', () => {
    const o = template();
    // failureLimit is int-or-string upstream; a metric without its required name is not.
    delete (metricsOf(o)[0] as unknown as Record<string, unknown>).name;
    expect(() => new AnalysisTemplate(o as never).validate()).toThrow();
  });

  it('no interval and no count: one measurement, as the pure analysis', () => {
    const { count: _c, interval: _i, ...once } = thresholds;
    const m = metricsOf(
      analysisTemplate({ name: 'x', address: 'http://p:9090', model: 'm', thresholds: once }),
    )[0]!;
    expect(m).toMatchObject({ count: 1 });
    expect(m).not.toHaveProperty('interval');
  });

  it('refuses names Argo would paste unquoted into the query, and invalid thresholds', () => {
    const bad = { name: 'x', address: 'http://p:9090', thresholds };
    expect(() => analysisTemplate({ ...bad, model: 'a"b' })).toThrow(/not a plain name/);
    expect(() => analysisTemplate({ ...bad, model: 'm', version: '{{x}}' })).toThrow(/not a plain name/);
    expect(() =>
      analysisTemplate({ ...bad, model: 'm', thresholds: { ...thresholds, minRequests: -1 } }),
    ).toThrow(/minRequests/);
  });
});

// promtool evaluates the emitted queries on synthetic series (Prometheus' own engine), and its
// answers must be what the pure analysis computes from the same counts.
describe('queries evaluated by promtool agree with the pure analysis', () => {
  const t = { model: 'sentiment', version: '2' };
  const lbl = 'model="sentiment",version="2"';
  // 15 s scrapes for 10 minutes; per minute: `ok` 2xx and `err` 5xx requests.
  const series = (ok: number, err: number | undefined) => [
    { series: `inference_requests_total{${lbl},code="200"}`, values: `0+${ok / 4}x40` },
    ...(err === undefined
      ? []
      : [{ series: `inference_requests_total{${lbl},code="503"}`, values: `0+${err / 4}x40` }]),
    { series: `inference_request_duration_seconds_bucket{${lbl},le="0.1"}`, values: `0+${ok / 4}x40` },
    {
      series: `inference_request_duration_seconds_bucket{${lbl},le="+Inf"}`,
      values: `0+${(ok + (err ?? 0)) / 4}x40`,
    },
  ];
  const cases = [
    { name: 'two percent errors', ok: 980, err: 20 },
    { name: 'no 5xx series ever (flawless canary)', ok: 400, err: undefined },
    { name: 'below minRequests', ok: 40, err: 0 },
    { name: 'no traffic', ok: 0, err: 0 },
  ];

  it('error ratio and latency, case by case', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlp-promtool-'));
    try {
      const tests = cases.map((c) => {
        const requests = c.ok + (c.err ?? 0);
        const pure = runAnalysis({ maxErrorRatio: 0.01, minRequests: 50 }, [
          { requests, errors: c.err ?? 0 },
        ]);
        const value = pure.metrics[0]!.measurements[0]!.value;
        return {
          interval: '15s',
          input_series: series(c.ok, c.err),
          promql_expr_test: [
            {
              expr: errorRatioQuery(t, '1m', 50),
              eval_time: '5m',
              // The pure analysis measured a value exactly when the query returns one.
              exp_samples: value === undefined ? [] : [{ labels: '{}', value }],
            },
            {
              // Rounded to 1e-9 on both sides: Prometheus interpolates on per-second rates, this
              // test on counts, and the two differ in the last bit.
              expr: `round(${latencyQuery(0.95, t, '1m', 50)}, 1e-9)`,
              eval_time: '5m',
              exp_samples:
                value === undefined
                  ? []
                  : [{ labels: '{}', value: round9(expectedQuantile(c.ok, c.err ?? 0)) }],
            },
          ],
        };
      });
      writeFileSync(join(dir, 'rules.yaml'), 'groups: []\n');
      writeFileSync(join(dir, 'test.yaml'), stringify({ rule_files: ['rules.yaml'], tests }));
      const out = execFileSync('promtool', ['test', 'rules', join(dir, 'test.yaml')], { encoding: 'utf8' });
      expect(out).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Prometheus' round(v, 1e-9), float for float: inverse = 1/toNearest; floor(v · inverse + 0.5) / inverse. */
const round9 = (v: number): number => {
  const inverse = 1 / 1e-9;
  return Math.floor(v * inverse + 0.5) / inverse;
};

/** histogram_quantile(0.95) for buckets {le=0.1: ok, +Inf: ok+err}: linear within 0..0.1, or the 0.1 bound. */
function expectedQuantile(ok: number, err: number): number {
  const rank = 0.95 * (ok + err);
  // Prometheus returns the upper bound of the last finite bucket when the rank falls in +Inf.
  return rank <= ok ? 0.1 * (rank / ok) : 0.1;
}
