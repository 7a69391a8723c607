/** Issue 11 Acceptance: planted HPA+replicas fights and NaN-unsafe analyses fail with their rule ids. */
import { describe, expect, it } from 'vitest';
import { checkAnalysisNanSafe, checkReplicasFight, fallbackConstant } from '../src/check/rollout-rules.js';
import { runChecks } from '../src/check/run.js';
import type { K8sObject } from '../src/k8s/object.js';
import { evalCondition, measurementPhase, RuntimeError, Unsupported } from '../src/rollout/expr.js';
import { conditions } from '../src/rollout/prometheus.js';
import { allObjects, layoutOf } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec } from './helpers.js';

const env = exampleSpec().environments.get('local')!;
const rendered = () => structuredClone(allObjects(synthesize(env))) as K8sObject[];
// biome-ignore lint/suspicious/noExplicitAny: planting defects into rendered objects
const spec = (o: K8sObject | undefined): any => (o as any).spec;
const byKind = (objs: K8sObject[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name)!;
const fails = <F extends { status: string; ruleId: string }>(list: readonly F[], rule: string) =>
  list.filter((f) => f.ruleId === rule && f.status === 'fail');

const template = (metrics: Record<string, unknown>[]): K8sObject =>
  ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'seed', namespace: 'ml-team' },
    spec: { metrics },
  }) as K8sObject;
const prom = (query: string) => ({ prometheus: { address: 'http://p:9090', query } });

describe('expr-lang subset, Argo Rollouts semantics', () => {
  it('compares NaN false, errors on an index out of range, short-circuits', () => {
    expect(evalCondition('result[0] < 0.01', [Number.NaN])).toBe(false);
    expect(evalCondition('result[0] >= 0.01', [Number.NaN])).toBe(false);
    expect(evalCondition('result[0] != 0.01', [Number.NaN])).toBe(true);
    expect(evalCondition('!(result[0] > 0.01)', [Number.NaN])).toBe(true);
    expect(() => evalCondition('result[0] < 0.01', [])).toThrow(RuntimeError);
    expect(evalCondition('len(result) == 1 && result[0] < 1', [])).toBe(false);
    expect(evalCondition('isNaN(result[0]) or result[0] > 1', [Number.NaN])).toBe(true);
    expect(evalCondition('all(result, {# < 1}) and not isInf(result[0])', [0.5, 0.2])).toBe(true);
    expect(evalCondition('result < 2 * 3 - 1', 4)).toBe(true);
    expect(() => evalCondition('result[0] in [1, 2]', [1])).toThrow(Unsupported);
    expect(() => evalCondition(`${'('.repeat(500)}true${')'.repeat(500)}`, 1)).toThrow(Unsupported);
  });

  it('scores measurements like utils/evaluate EvaluateResult', () => {
    // Only a failure condition: NaN is not > 0.01, so success = !failure: the seed's bug.
    expect(measurementPhase(undefined, 'result[0] > 0.01', [Number.NaN])).toBe('Successful');
    expect(measurementPhase('result[0] < 0.01', undefined, [Number.NaN])).toBe('Failed');
    expect(measurementPhase('result[0] < 0.01', undefined, [])).toBe('Error');
    expect(measurementPhase(undefined, undefined, [Number.NaN])).toBe('Successful');
    const ours = conditions(0.01);
    expect(measurementPhase(ours.successCondition, ours.failureCondition, [Number.NaN])).toBe('Inconclusive');
    expect(measurementPhase(ours.successCondition, ours.failureCondition, [])).toBe('Inconclusive');
    expect(measurementPhase(ours.successCondition, ours.failureCondition, [0.005])).toBe('Successful');
    expect(measurementPhase(ours.successCondition, ours.failureCondition, [0.05])).toBe('Failed');
    expect(measurementPhase(ours.successCondition, ours.failureCondition, [Number.POSITIVE_INFINITY])).toBe(
      'Failed',
    );
  });
});

describe('rollout.replicas-fight', () => {
  it('passes the rendered tree and fails a Rollout that sets replicas under its HPA', () => {
    const objs = rendered();
    expect(fails(checkReplicasFight(objs), 'rollout.replicas-fight')).toEqual([]);
    spec(byKind(objs, 'Rollout', 'sentiment')).replicas = 2;
    const f = fails(checkReplicasFight(objs), 'rollout.replicas-fight');
    expect(f).toEqual([
      expect.objectContaining({
        resource: 'Rollout/ml-team/sentiment',
        path: 'spec.replicas',
        message: expect.stringContaining('HorizontalPodAutoscaler/ml-team/sentiment scales it'),
      }),
    ]);
  });

  it('fails two HPAs on one target and a Deployment with replicas under an HPA', () => {
    const objs = rendered();
    const hpa = byKind(objs, 'HorizontalPodAutoscaler', 'sentiment');
    objs.push({ ...structuredClone(hpa), metadata: { ...hpa.metadata, name: 'sentiment-2' } });
    const reg = byKind(objs, 'Deployment', 'mlp-registry');
    objs.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'reg', namespace: 'database' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'mlp-registry' },
        minReplicas: 1,
        maxReplicas: 3,
      },
    } as K8sObject);
    const f = fails(checkReplicasFight(objs), 'rollout.replicas-fight');
    expect(f.map((x) => `${x.resource} ${x.path}`).sort()).toEqual([
      `Deployment/database/mlp-registry spec.replicas`,
      'HorizontalPodAutoscaler/ml-team/sentiment-2 spec.scaleTargetRef',
    ]);
    expect(spec(reg).replicas).toBe(1);
  });

  it('is reported by mlp check with its rule id', async () => {
    const objs = rendered();
    spec(byKind(objs, 'Rollout', 'sentiment')).replicas = 4;
    const report = await runChecks(objs, env, { layout: layoutOf(synthesize(env)) });
    expect(fails(report.findings as never, 'rollout.replicas-fight')).toHaveLength(1);
  });
});

describe('rollout.analysis-nan-safe', () => {
  it('passes our templates', () => {
    const f = checkAnalysisNanSafe(rendered());
    expect(f).toEqual([
      expect.objectContaining({ status: 'pass', message: expect.stringMatching(/^3 analysis metric/) }),
    ]);
  });

  it('fails the seed-style conditions, each with why', () => {
    const q = 'sum(rate(errors[1m])) / sum(rate(requests[1m]))';
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ name: 'a', successCondition: 'result[0] < 0.01', provider: prom(q) }, /Failed — a healthy canary/],
      [
        { name: 'b', failureCondition: 'result[0] > 0.01', provider: prom(q) },
        /NaN .* Successful — a canary without traffic/,
      ],
      [{ name: 'c', successCondition: '!(result[0] >= 0.01)', provider: prom(q) }, /Successful/],
      [
        {
          name: 'd',
          ...conditions(0.01),
          provider: prom(`(${q}) or vector(0)`),
        },
        /0 \(the query's "or vector\(0\)" fallback with no data\) the measurement is Successful/,
      ],
      [{ name: 'e', provider: prom(q) }, /Successful/],
    ];
    for (const [metric, message] of cases) {
      const f = checkAnalysisNanSafe([template([metric])]);
      expect(
        f.filter((x) => x.status === 'fail'),
        String(metric.name),
      ).toEqual([
        expect.objectContaining({
          ruleId: 'rollout.analysis-nan-safe',
          resource: 'AnalysisTemplate/ml-team/seed',
          message: expect.stringMatching(message),
        }),
      ]);
    }
  });

  it('warns (never passes silently) on conditions it cannot evaluate', () => {
    const f = checkAnalysisNanSafe([
      template([{ name: 'x', successCondition: 'result[0] in [1]', provider: prom('up') }]),
    ]);
    expect(f.map((x) => x.status)).toEqual(['warn']);
  });

  it('reads fallback constants', () => {
    expect(fallbackConstant('sum(x) / sum(y) or vector(0)')).toBe(0);
    expect(fallbackConstant('(sum(x) or on() vector(1.5))')).toBe(1.5);
    expect(fallbackConstant('(sum(x) or vector(0)) / sum(y) and on() (sum(y) >= 5)')).toBeUndefined();
  });

  it('is reported by mlp check with its rule id', async () => {
    const objs = rendered();
    const at = byKind(objs, 'AnalysisTemplate', 'sentiment-canary');
    spec(at).metrics[0].failureCondition = undefined;
    delete spec(at).metrics[0].failureCondition;
    spec(at).metrics[0].successCondition = 'result[0] <= 0.01';
    const report = await runChecks(objs, env);
    expect(fails(report.findings as never, 'rollout.analysis-nan-safe')).toEqual([
      expect.objectContaining({ resource: 'AnalysisTemplate/ml-team/sentiment-canary' }),
    ]);
  });
});

describe('admission of Rollouts', () => {
  it('judges a Rollout pod template like a Deployment, and a workloadRef Rollout through its Deployment', async () => {
    const { admitObject, isAdmissible } = await import('../src/admission/chain.js');
    const { admissionEnv } = await import('../src/admission/env.js');
    const { surgePods } = await import('../src/admission/workload.js');
    const objs = rendered();
    const r = byKind(objs, 'Rollout', 'sentiment');
    // A canary with traffic routing runs up to `replicas` canary pods beside the stable ones.
    expect(surgePods(r, 3)).toBe(3);
    const noRouting = structuredClone(r);
    delete spec(noRouting).strategy.canary.trafficRouting;
    expect(surgePods(noRouting, 4)).toBe(1);
    const bad = structuredClone(r);
    spec(bad).template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    const result = admitObject(bad, admissionEnv(env, objs));
    expect(result.findings.filter((f) => f.status === 'fail')).toEqual([
      expect.objectContaining({
        ruleId: 'pod-security.allowPrivilegeEscalation',
        path: 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation',
      }),
    ]);
    const ref = {
      ...r,
      spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' } },
    } as K8sObject;
    expect(isAdmissible(ref)).toBe(false);
    expect(isAdmissible(r)).toBe(true);
  });
});

describe('quota of an autoscaled Rollout', () => {
  it("holds the HPA's maxReplicas, not the CRD's default of one", async () => {
    const { admitObject } = await import('../src/admission/chain.js');
    const { admissionEnv } = await import('../src/admission/env.js');
    const objs = rendered();
    const quota = objs.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === 'ml-team')!;
    // Room for three pods of 250m, not for the HPA's four.
    spec(quota).hard['requests.cpu'] = '750m';
    const r = byKind(objs, 'Rollout', 'sentiment');
    const result = admitObject(r, admissionEnv(env, objs));
    expect(result.replicas).toBe(4);
    expect(result.findings.filter((f) => f.ruleId === 'admission.quota' && f.status === 'fail')).toHaveLength(
      1,
    );
    spec(byKind(objs, 'HorizontalPodAutoscaler', 'sentiment')).maxReplicas = 3;
    expect(admitObject(r, admissionEnv(env, objs)).findings.filter((f) => f.status === 'fail')).toEqual([]);
  });
});
