import { describe, expect, it } from 'vitest';
import { type CanaryStep, runCanary } from '../src/rollout/canary.js';
import type { Sample } from '../src/rollout/measure.js';
import type { AnalysisThresholds } from '../src/rollout/thresholds.js';

const thresholds: AnalysisThresholds = {
  maxErrorRatio: 0.01,
  maxP95Seconds: 0.2,
  minRequests: 50,
  count: 2,
  interval: '1m',
};
// The seed's strategy (004 §4.2: 10 → 30 → 50 → 80 %) with an analysis after each weight.
const steps: CanaryStep[] = [10, 30, 50, 80].flatMap((w) => [
  { setWeight: w },
  { pause: { duration: '5m' } },
  { analysis: { thresholds } },
]);

/** Traffic a version would see at a canary weight: 2,000 requests a minute in total. */
const version =
  (errorRate: number, p95: number) =>
  ({ weight }: { weight: number }): Sample[] => {
    const requests = Math.round((2000 * weight) / 100);
    return Array.from({ length: 5 }, () => ({
      requests,
      errors: Math.round(requests * errorRate),
      p95Seconds: p95,
    }));
  };

describe('runCanary', () => {
  it('a good version is promoted after every analysis passed', () => {
    const run = runCanary(steps, version(0.001, 0.08));
    expect(run.outcome).toEqual({ status: 'promoted', weight: 100 });
    expect(run.steps.filter((s) => s.kind === 'analysis').map((s) => [s.weight, s.verdict])).toEqual([
      [10, 'Successful'],
      [30, 'Successful'],
      [50, 'Successful'],
      [80, 'Successful'],
    ]);
    // 4 pauses of 5 min + 4 analyses of 2 one-minute measurements.
    expect(run.steps.at(-1)!.at).toBe(4 * 300 + 4 * 2 * 60);
  });

  it('a 5 %-error version is aborted at the first analysis', () => {
    const run = runCanary(steps, version(0.05, 0.08));
    expect(run.outcome).toMatchObject({ status: 'aborted', weight: 0, step: 2 });
    expect(run.outcome.status === 'aborted' && run.outcome.reason).toBe(
      'analysis-0 Failed: Metric "error-ratio" assessed Failed due to failed (1) > failureLimit (0): error ratio 5% > 1%',
    );
    expect(run.steps).toHaveLength(3);
  });

  it('a silent version never passes: paused on an inconclusive analysis at 10 %', () => {
    const run = runCanary(steps, () => [{ requests: 0 }, { requests: Number.NaN }, {}]);
    expect(run.outcome).toMatchObject({ status: 'paused', weight: 10, step: 2 });
    expect(run.steps.at(-1)!.verdict).toBe('Inconclusive');
  });

  it('a version with too little traffic at 10 % pauses too (minRequests)', () => {
    const run = runCanary(steps, () => [{ requests: 20, errors: 0, p95Seconds: 0.01 }]);
    expect(run.outcome.status).toBe('paused');
  });

  it('measurements that run out leave it paused, never promoted', () => {
    const run = runCanary(steps, ({ analysisIndex }) =>
      analysisIndex < 2 ? version(0, 0.05)({ weight: 30 }) : [],
    );
    expect(run.outcome).toMatchObject({ status: 'paused', weight: 50 });
  });

  it('slow latency aborts; query errors past the limit abort (Error)', () => {
    expect(runCanary(steps, version(0, 0.9)).outcome.status).toBe('aborted');
    const errors = runCanary(steps, () => Array.from({ length: 5 }, () => ({ queryError: 'timeout' })));
    expect(errors.outcome).toMatchObject({ status: 'aborted', step: 2 });
  });

  it('an indefinite pause waits for a human unless promoted by hand', () => {
    const ab: CanaryStep[] = [{ setWeight: 50 }, { pause: {} }];
    expect(runCanary(ab, () => []).outcome).toMatchObject({ status: 'paused', weight: 50, step: 1 });
    expect(runCanary(ab, () => [], { promoteManualPauses: true }).outcome.status).toBe('promoted');
  });

  it('malformed steps abort with a reason instead of throwing', () => {
    for (const bad of [
      { setWeight: 101 },
      { setWeight: 1.5 },
      { pause: { duration: '5 minutes' } },
      { foo: 1 },
      null,
    ]) {
      const run = runCanary([bad as unknown as CanaryStep], () => []);
      expect(run.outcome.status).toBe('aborted');
    }
  });

  it('is deterministic: same steps and data, same result', () => {
    expect(JSON.stringify(runCanary(steps, version(0.004, 0.1)))).toBe(
      JSON.stringify(runCanary(steps, version(0.004, 0.1))),
    );
  });
});
