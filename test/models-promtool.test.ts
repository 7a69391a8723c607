/**
 * The rendered AnalysisTemplate, argument-substituted as Argo Rollouts does, evaluated by
 * Prometheus' own engine (promtool) on series of a stable and a canary ReplicaSet: the query
 * sees only the canary's pods, and its answer, judged by the template's own conditions with
 * Argo's semantics, is the verdict the canary deserves.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { K8sObject } from '../src/k8s/object.js';
import { measurementPhase } from '../src/rollout/expr.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec } from './helpers.js';

type Metric = {
  name: string;
  successCondition: string;
  failureCondition: string;
  provider: { prometheus: { query: string } };
};
const template = allObjects(synthesize(exampleSpec().environments.get('staging')!)).find(
  (o) => o.kind === 'AnalysisTemplate' && o.metadata.name === 'sentiment-canary',
) as K8sObject & { spec: { args: { name: string; value?: string }[]; metrics: Metric[] } };

/** Argo's argument substitution: `{{args.<name>}}` replaced by the value (template args + the Rollout's). */
function substitute(query: string, args: Record<string, string>): string {
  return query.replace(/\{\{args\.([A-Za-z0-9_-]+)\}\}/g, (_, name: string) => {
    if (!(name in args)) throw new Error(`unresolved argument ${name}`);
    return args[name]!;
  });
}

const args = {
  ...Object.fromEntries(
    template.spec.args.filter((a) => a.value !== undefined).map((a) => [a.name, a.value!]),
  ),
  'canary-hash': 'c4n4ry',
};

// 15 s scrapes; per minute `ok` 2xx and `err` 5xx requests, all within 0.1 s.
const pod = (hash: string, ok: number, err: number) => {
  const l = `model="sentiment",version="3",namespace="ml-team",rollouts_pod_template_hash="${hash}"`;
  return [
    { series: `inference_requests_total{${l},code="200"}`, values: `0+${ok / 4}x40` },
    ...(err > 0 ? [{ series: `inference_requests_total{${l},code="500"}`, values: `0+${err / 4}x40` }] : []),
    { series: `inference_request_duration_seconds_bucket{${l},le="0.1"}`, values: `0+${(ok + err) / 4}x40` },
    { series: `inference_request_duration_seconds_bucket{${l},le="+Inf"}`, values: `0+${(ok + err) / 4}x40` },
  ];
};

describe('the rendered AnalysisTemplate under promtool', () => {
  it('judges the canary pods alone: 5 % errors fail, clean passes, silence is Inconclusive', (ctx) => {
    if (spawnSync('promtool', ['--version']).error) {
      if (process.env.CI) throw new Error('promtool is required under CI=true');
      ctx.skip('promtool not installed');
    }
    expect(args).toEqual({ model: 'sentiment', namespace: 'ml-team', 'canary-hash': 'c4n4ry' });
    const errorRatio = template.spec.metrics.find((m) => m.name === 'error-ratio')!;
    const query = substitute(errorRatio.provider.prometheus.query, args);
    // The stable ReplicaSet is flawless and busy: were it counted, the bad canary would pass.
    const stable = pod('st4bl3', 4000, 0);
    const cases = [
      { name: 'bad canary', series: [...stable, ...pod('c4n4ry', 190, 10)], value: 0.05, phase: 'Failed' },
      { name: 'good canary', series: [...stable, ...pod('c4n4ry', 200, 0)], value: 0, phase: 'Successful' },
      { name: 'silent canary', series: stable, value: undefined, phase: 'Inconclusive' },
      {
        name: 'too few requests',
        series: [...stable, ...pod('c4n4ry', 30, 0)],
        value: undefined,
        phase: 'Inconclusive',
      },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'mlp-models-promtool-'));
    try {
      const tests = cases.map((c) => ({
        interval: '15s',
        input_series: c.series,
        promql_expr_test: [
          {
            expr: `round(${query}, 1e-9)`,
            eval_time: '5m',
            exp_samples: c.value === undefined ? [] : [{ labels: '{}', value: c.value }],
          },
        ],
      }));
      writeFileSync(join(dir, 'rules.yaml'), 'groups: []\n');
      writeFileSync(join(dir, 'test.yaml'), stringify({ rule_files: ['rules.yaml'], tests }));
      const out = execFileSync('promtool', ['test', 'rules', join(dir, 'test.yaml')], { encoding: 'utf8' });
      expect(out).toContain('SUCCESS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The same answers through the template's own conditions, as Argo scores them.
    for (const c of cases)
      expect(
        measurementPhase(
          errorRatio.successCondition,
          errorRatio.failureCondition,
          c.value === undefined ? [] : [c.value],
        ),
        c.name,
      ).toBe(c.phase);
  });
});
