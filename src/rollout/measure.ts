/**
 * One interval's numbers → one measurement phase per metric. This is where the seed's analysis
 * was unsafe: `result < 0.05` is true for an empty or NaN result, so a canary nobody called
 * "passed". Here no traffic, too little traffic and missing data are Inconclusive, and a failed
 * query is an Error (which counts toward the consecutive-error limit).
 */
import type { MeasurementPhase } from './phase.js';
import type { AnalysisThresholds, MetricName } from './thresholds.js';

/** What the metrics backend said about one interval. */
export interface IntervalSample {
  /** Requests served in the interval. NaN or 0 = no traffic. */
  readonly requests?: number;
  /** 5xx responses in the interval (preferred: the ratio is computed from counts). */
  readonly errors?: number;
  /** 5xx share, when only the ratio is known. NaN = 0/0. */
  readonly errorRatio?: number;
  /** Latency quantiles in seconds; +Inf when the quantile fell in the histogram's last bucket. */
  readonly p95Seconds?: number;
  readonly p99Seconds?: number;
}

/** The query itself failed (timeout, 5xx from Prometheus, bad response). */
export interface QueryFailure {
  readonly queryError: string;
}

export type Sample = IntervalSample | QueryFailure;

export interface Measurement {
  readonly phase: MeasurementPhase;
  /** The measured value (ratio or seconds), when there was one. */
  readonly value?: number;
  readonly message: string;
}

const isNum = (n: unknown): n is number => typeof n === 'number';

function trafficGuard(s: IntervalSample, t: AnalysisThresholds): Measurement | undefined {
  const r = s.requests;
  if (r === undefined || r === null) return { phase: 'Inconclusive', message: 'no request count' };
  if (!isNum(r)) return { phase: 'Error', message: `requests: expected a number, received ${typeof r}` };
  if (Number.isNaN(r) || r === 0) return { phase: 'Inconclusive', message: 'no traffic' };
  if (r < 0 || !Number.isFinite(r)) return { phase: 'Error', message: `requests: invalid value ${r}` };
  if (r < t.minRequests) {
    return { phase: 'Inconclusive', message: `${r} requests < minRequests (${t.minRequests})` };
  }
  return undefined;
}

function errorRatio(s: IntervalSample, t: AnalysisThresholds): Measurement {
  const requests = s.requests as number;
  let ratio: number;
  if (s.errors !== undefined) {
    const e = s.errors;
    if (!isNum(e) || !Number.isFinite(e) || e < 0 || e > requests) {
      return { phase: 'Error', message: `errors: expected 0..${requests}, received ${String(e)}` };
    }
    ratio = e / requests;
  } else if (s.errorRatio !== undefined) {
    ratio = s.errorRatio;
    if (!isNum(ratio)) return { phase: 'Error', message: `errorRatio: expected a number` };
    if (Number.isNaN(ratio)) return { phase: 'Inconclusive', message: 'error ratio is NaN' };
    if (ratio < 0 || ratio > 1) return { phase: 'Error', message: `errorRatio: invalid value ${ratio}` };
  } else {
    return { phase: 'Inconclusive', message: 'no error count or ratio' };
  }
  if (ratio > t.maxErrorRatio) {
    return { phase: 'Failed', value: ratio, message: `error ratio ${fmt(ratio)} > ${fmt(t.maxErrorRatio)}` };
  }
  return {
    phase: 'Successful',
    value: ratio,
    message: `error ratio ${fmt(ratio)} <= ${fmt(t.maxErrorRatio)}`,
  };
}

function latency(value: number | undefined, max: number, label: string): Measurement {
  if (value === undefined || value === null) return { phase: 'Inconclusive', message: `no ${label}` };
  if (!isNum(value)) return { phase: 'Error', message: `${label}: expected a number` };
  if (Number.isNaN(value)) return { phase: 'Inconclusive', message: `${label} is NaN` };
  if (value < 0) return { phase: 'Error', message: `${label}: invalid value ${value}` };
  // +Inf is a real answer: histogram_quantile says the quantile is beyond the last bucket.
  if (value > max) return { phase: 'Failed', value, message: `${label} ${value}s > ${max}s` };
  return { phase: 'Successful', value, message: `${label} ${value}s <= ${max}s` };
}

/** The measurement of one metric for one interval. */
export function measure(metric: MetricName, sample: Sample, t: AnalysisThresholds): Measurement {
  if (sample === null || typeof sample !== 'object') {
    return { phase: 'Error', message: 'measurement: expected an object' };
  }
  if (Object.hasOwn(sample, 'queryError')) {
    return { phase: 'Error', message: `query failed: ${String((sample as QueryFailure).queryError)}` };
  }
  const s = sample as IntervalSample;
  const guard = trafficGuard(s, t);
  if (guard) return guard;
  if (metric === 'error-ratio') return errorRatio(s, t);
  if (metric === 'latency-p95') return latency(s.p95Seconds, t.maxP95Seconds as number, 'p95 latency');
  return latency(s.p99Seconds, t.maxP99Seconds as number, 'p99 latency');
}

function fmt(n: number): string {
  return `${Number((n * 100).toPrecision(4))}%`;
}
