/**
 * Live measurement of one model version from a model server's own `/metrics`: two scrapes, an
 * interval apart, give the interval's sample (requests, 5xx errors, p95/p99 latency) that the
 * pure analysis (`analysis.ts` → `measure.ts`) judges. The numbers are the ones the cluster's
 * AnalysisTemplates ask Prometheus for (`prometheus.ts`): increases of
 * `inference_requests_total{model,version,code}` and `histogram_quantile` over the increase of
 * `inference_request_duration_seconds_bucket{model,version}` per `le`.
 *
 * A counter that went DOWN means the server restarted between the scrapes; Prometheus' increase()
 * would compensate with its samples in between, which we do not have, so the interval is a
 * query error (counted toward the consecutive-error limit, like a failed Prometheus query).
 */
import type { Sample } from './measure.js';
import type { PromSample } from './prom-text.js';
import { DURATION_METRIC, REQUESTS_METRIC } from './prometheus.js';

/** Cumulative counters of one version at one scrape. */
export interface VersionCounters {
  readonly requests: number;
  /** Responses with a 5xx code (the AnalysisTemplate's `code=~"5.."`). */
  readonly errors: number;
  /** Cumulative histogram buckets by upper bound (`le`), +Inf included. */
  readonly buckets: ReadonlyMap<number, number>;
}

function parseLe(le: string | undefined): number | undefined {
  if (le === undefined) return undefined;
  if (le === '+Inf' || le === 'Inf') return Infinity;
  const n = Number(le);
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(le) ? n : undefined;
}

/** The version's counters in a parsed exposition (series of other models and versions ignored). */
export function versionCounters(
  samples: readonly PromSample[],
  model: string,
  version: string,
): VersionCounters {
  let requests = 0;
  let errors = 0;
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.labels.get('model') !== model || s.labels.get('version') !== version) continue;
    if (s.name === REQUESTS_METRIC) {
      requests += s.value;
      if (/^5\d\d$/.test(s.labels.get('code') ?? '')) errors += s.value;
    } else if (s.name === `${DURATION_METRIC}_bucket`) {
      const le = parseLe(s.labels.get('le'));
      if (le !== undefined) buckets.set(le, (buckets.get(le) ?? 0) + s.value);
    }
  }
  return { requests, errors, buckets };
}

interface Bucket {
  readonly upperBound: number;
  count: number;
}

/**
 * PromQL `histogram_quantile(q, …)` over classic buckets, as upstream computes it
 * (prometheus/promql/quantile.go `bucketQuantile`): NaN without a +Inf bucket, with fewer than
 * two buckets or without observations; the upper bound of the last finite bucket when the rank
 * falls into +Inf; linear interpolation within the bucket otherwise (from 0 for the first bucket
 * when its bound is positive). Non-monotonic counts are made monotonic, as upstream does.
 */
export function histogramQuantile(q: number, cumulative: ReadonlyMap<number, number>): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const buckets: Bucket[] = [...cumulative]
    .map(([upperBound, count]) => ({ upperBound, count }))
    .sort((a, b) => a.upperBound - b.upperBound);
  if (buckets.length === 0 || buckets.at(-1)!.upperBound !== Infinity) return Number.NaN;
  if (buckets.length < 2) return Number.NaN;
  let max = Number.NEGATIVE_INFINITY;
  for (const b of buckets) {
    if (b.count < max) b.count = max;
    max = b.count;
  }
  const observations = buckets.at(-1)!.count;
  if (!(observations > 0)) return Number.NaN;
  let rank = q * observations;
  // sort.Search over all but the +Inf bucket: the first whose count reaches the rank.
  let b = buckets.findIndex((x, i) => i < buckets.length - 1 && x.count >= rank);
  if (b === -1) b = buckets.length - 1;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.upperBound;
  if (b === 0 && buckets[0]!.upperBound <= 0) return buckets[0]!.upperBound;
  let start = 0;
  const end = buckets[b]!.upperBound;
  let count = buckets[b]!.count;
  if (b > 0) {
    start = buckets[b - 1]!.upperBound;
    count -= buckets[b - 1]!.count;
    rank -= buckets[b - 1]!.count;
  }
  return start + (end - start) * (rank / count);
}

/** The interval between two scrapes as the analysis' sample. */
export function intervalSample(before: VersionCounters, after: VersionCounters): Sample {
  const requests = after.requests - before.requests;
  const errors = after.errors - before.errors;
  const reset =
    requests < 0 || errors < 0 || [...before.buckets].some(([le, c]) => (after.buckets.get(le) ?? 0) < c);
  if (reset) return { queryError: 'counter reset: the model server restarted during the interval' };
  const deltas = new Map<number, number>();
  for (const [le, c] of after.buckets) deltas.set(le, c - (before.buckets.get(le) ?? 0));
  return {
    requests,
    errors,
    p95Seconds: histogramQuantile(0.95, deltas),
    p99Seconds: histogramQuantile(0.99, deltas),
  };
}
