import { describe, expect, it } from 'vitest';
import { runAnalysis } from '../src/rollout/analysis.js';
import { assessMetricStatus, EMPTY_TALLY, type MetricTally, tally } from '../src/rollout/assess.js';
import type { Sample } from '../src/rollout/measure.js';
import { isWorse } from '../src/rollout/phase.js';
import type { AnalysisThresholds } from '../src/rollout/thresholds.js';

const t = (over: Partial<MetricTally>): MetricTally => ({ ...EMPTY_TALLY, measurements: 1, ...over });

// The cases of argo-rollouts analysis/analysis_test.go, replayed against our port.
describe('assessMetricStatus: Argo Rollouts analysis_test.go cases', () => {
  it('TestAssessMetricStatusNoMeasurements: Pending, Successful when terminating', () => {
    const none = { ...EMPTY_TALLY };
    expect(assessMetricStatus({}, none, false).phase).toBe('Pending');
    expect(assessMetricStatus({}, none, true).phase).toBe('Successful');
  });

  it('TestAssessMetricStatusFailureLimit: failed 3 > limit 2 fails; limit 3 keeps running', () => {
    const r = t({ failed: 3, count: 3, measurements: 3 });
    expect(assessMetricStatus({ failureLimit: 2, interval: '60s' }, r, false)).toEqual({
      phase: 'Failed',
      message: 'failed (3) > failureLimit (2)',
    });
    expect(assessMetricStatus({ failureLimit: 2, interval: '60s' }, r, true).phase).toBe('Failed');
    expect(assessMetricStatus({ failureLimit: 3, interval: '60s' }, r, false).phase).toBe('Running');
    expect(assessMetricStatus({ failureLimit: 3, interval: '60s' }, r, true).phase).toBe('Successful');
  });

  it('TestAssessMetricStatusInconclusiveLimit', () => {
    const r = t({ inconclusive: 3, count: 3, measurements: 3 });
    expect(assessMetricStatus({ inconclusiveLimit: 2, interval: '60s' }, r, false).phase).toBe(
      'Inconclusive',
    );
    expect(assessMetricStatus({ inconclusiveLimit: 2, interval: '60s' }, r, true).phase).toBe('Inconclusive');
    expect(assessMetricStatus({ inconclusiveLimit: 3, interval: '60s' }, r, false).phase).toBe('Running');
    expect(assessMetricStatus({ inconclusiveLimit: 3, interval: '60s' }, r, true).phase).toBe('Successful');
  });

  it('TestAssessMetricStatusConsecutiveErrors: default limit 4', () => {
    const five = t({ consecutiveError: 5, count: 5, measurements: 5 });
    expect(assessMetricStatus({ interval: '60s' }, five, false)).toEqual({
      phase: 'Error',
      message: 'consecutiveErrors (5) > consecutiveErrorLimit (4)',
    });
    expect(assessMetricStatus({ interval: '60s' }, five, true).phase).toBe('Error');
    const four = { ...five, consecutiveError: 4 };
    expect(assessMetricStatus({ interval: '60s' }, four, true).phase).toBe('Successful');
    expect(assessMetricStatus({ interval: '60s' }, four, false).phase).toBe('Running');
  });

  it('TestAssessMetricStatusCountReached: count reached is Successful unless a limit is exceeded', () => {
    const r = t({ successful: 10, count: 10, measurements: 10 });
    expect(assessMetricStatus({ count: 10 }, r, false).phase).toBe('Successful');
    expect(assessMetricStatus({ count: 10 }, { ...r, successful: 5, inconclusive: 5 }, false).phase).toBe(
      'Inconclusive',
    );
  });

  it('an error does not count toward count and other phases reset the consecutive errors (runMeasurements)', () => {
    let s = tally(EMPTY_TALLY, 'Error');
    s = tally(s, 'Error');
    expect(s).toMatchObject({ count: 0, error: 2, consecutiveError: 2, measurements: 2 });
    s = tally(s, 'Inconclusive');
    expect(s).toMatchObject({ count: 1, consecutiveError: 0, error: 2 });
  });

  it('analysisStatusOrder: Failed is worst, Error worse than Inconclusive', () => {
    expect(isWorse('Inconclusive', 'Error')).toBe(true);
    expect(isWorse('Error', 'Failed')).toBe(true);
    expect(isWorse('Failed', 'Error')).toBe(false);
    expect(isWorse('Successful', 'Running')).toBe(true);
  });
});

const base: AnalysisThresholds = {
  maxErrorRatio: 0.01,
  maxP95Seconds: 0.2,
  maxP99Seconds: 0.5,
  minRequests: 50,
  count: 3,
  interval: '1m',
};
const good: Sample = { requests: 1000, errors: 2, p95Seconds: 0.08, p99Seconds: 0.15 };

describe('runAnalysis', () => {
  it('three good intervals: Successful, and later samples are not consumed', () => {
    const r = runAnalysis(base, [good, good, good, good]);
    expect(r.phase).toBe('Successful');
    expect(r.samplesUsed).toBe(3);
    expect(r.metrics.map((m) => [m.name, m.phase])).toEqual([
      ['error-ratio', 'Successful'],
      ['latency-p95', 'Successful'],
      ['latency-p99', 'Successful'],
    ]);
  });

  it('fewer samples than count: Running; none: Pending', () => {
    expect(runAnalysis(base, [good]).phase).toBe('Running');
    expect(runAnalysis(base, []).phase).toBe('Pending');
  });

  it('5 % errors fail at the first interval with failureLimit 0', () => {
    const r = runAnalysis(base, [{ ...good, errors: 50 }, good, good]);
    expect(r.phase).toBe('Failed');
    expect(r.samplesUsed).toBe(1);
    expect(r.message).toBe(
      'Metric "error-ratio" assessed Failed due to failed (1) > failureLimit (0): error ratio 5% > 1%',
    );
  });

  it('failureLimit tolerates failures below the limit (Argo: count reached ignores them)', () => {
    const bad = { ...good, errors: 50 };
    expect(runAnalysis({ ...base, failureLimit: 1 }, [bad, good, good]).phase).toBe('Successful');
    expect(runAnalysis({ ...base, failureLimit: 1 }, [bad, good, bad]).phase).toBe('Failed');
  });

  it.each([
    ['0 requests', { requests: 0, errors: 0 }, 'no traffic'],
    ['NaN requests (0/0 from Prometheus)', { requests: Number.NaN, errorRatio: Number.NaN }, 'no traffic'],
    ['no data at all (empty vector)', {}, 'no request count'],
    [
      'too few requests',
      { requests: 49, errors: 0, p95Seconds: 0.01, p99Seconds: 0.01 },
      '49 requests < minRequests (50)',
    ],
  ])('%s is Inconclusive, never Successful', (_name, sample, why) => {
    const r = runAnalysis(base, [sample as Sample, good, good]);
    expect(r.phase).toBe('Inconclusive');
    expect(r.metrics[0]!.measurements[0]).toEqual({ phase: 'Inconclusive', message: why });
    expect(r.message).toContain('inconclusive (1) > inconclusiveLimit (0)');
  });

  it('a NaN ratio with traffic is Inconclusive; a NaN latency too', () => {
    expect(
      runAnalysis(base, [{ requests: 100, errorRatio: Number.NaN, p95Seconds: 0.1, p99Seconds: 0.1 }]).phase,
    ).toBe('Inconclusive');
    expect(runAnalysis(base, [{ ...good, p95Seconds: Number.NaN }]).phase).toBe('Inconclusive');
  });

  it('+Inf latency (beyond the last bucket) fails', () => {
    const r = runAnalysis(base, [{ ...good, p99Seconds: Number.POSITIVE_INFINITY }]);
    expect(r.phase).toBe('Failed');
    expect(r.metrics.find((m) => m.name === 'latency-p99')!.phase).toBe('Failed');
    // The others were open when the run terminated: Argo assesses them Successful.
    expect(r.metrics.find((m) => m.name === 'error-ratio')!.phase).toBe('Successful');
  });

  it('query errors count toward consecutiveErrorLimit (default 4): the fifth in a row is Error', () => {
    const e: Sample = { queryError: 'connection refused' };
    const four = runAnalysis(base, [e, e, e, e]);
    expect(four.phase).toBe('Running');
    const five = runAnalysis(base, [e, e, e, e, e, good]);
    expect(five.phase).toBe('Error');
    expect(five.samplesUsed).toBe(5);
    expect(five.message).toBe(
      'Metric "error-ratio" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): query failed: connection refused',
    );
    // A success in between resets the streak, as upstream.
    expect(runAnalysis(base, [e, e, e, e, good, e, e, good, good]).phase).toBe('Successful');
    expect(runAnalysis({ ...base, consecutiveErrorLimit: 0 }, [e]).phase).toBe('Error');
  });

  it('no count and no interval measures exactly once (EffectiveCount 1)', () => {
    const { count: _c, interval: _i, ...once } = base;
    const r = runAnalysis(once, [good, { ...good, errors: 500 }]);
    expect(r).toMatchObject({ phase: 'Successful', samplesUsed: 1 });
  });

  it('an interval without count runs until a limit or termination', () => {
    const { count: _c, ...open } = base;
    expect(runAnalysis(open, [good, good, good, good, good]).phase).toBe('Running');
    expect(runAnalysis(open, [good, good], { terminate: true }).phase).toBe('Successful');
  });

  it('invalid thresholds are an Error run, with the reason', () => {
    const r = runAnalysis({ ...base, maxErrorRatio: 2, minRequests: 0 }, [good]);
    expect(r.phase).toBe('Error');
    expect(r.message).toBe(
      'Analysis spec invalid: maxErrorRatio: expected a number in [0, 1], received 2 (example: 0.01); minRequests: expected an integer >= 1, received 0 (example: 50)',
    );
  });

  it('hostile samples: impossible counts are Error, prototype keys are plain data', () => {
    expect(runAnalysis(base, [{ requests: 100, errors: 101 }]).metrics[0]!.measurements[0]!.phase).toBe(
      'Error',
    );
    expect(runAnalysis(base, [{ requests: -5, errors: 0 }]).metrics[0]!.measurements[0]!.phase).toBe('Error');
    expect(
      runAnalysis(base, [{ requests: Number.POSITIVE_INFINITY }]).metrics[0]!.measurements[0]!.phase,
    ).toBe('Error');
    expect(runAnalysis(base, [null as unknown as Sample]).metrics[0]!.measurements[0]!.phase).toBe('Error');
    const proto = JSON.parse('{"__proto__": {"requests": 1000, "errors": 0}, "constructor": 1}') as Sample;
    expect(runAnalysis(base, [proto]).metrics[0]!.measurements[0]).toEqual({
      phase: 'Inconclusive',
      message: 'no request count',
    });
    expect(({} as Record<string, unknown>).requests).toBeUndefined();
    const huge = runAnalysis(
      { ...base, count: 100_000 },
      Array.from({ length: 100_000 }, () => good),
    );
    expect(huge).toMatchObject({ phase: 'Successful', samplesUsed: 100_000 });
  });
});
