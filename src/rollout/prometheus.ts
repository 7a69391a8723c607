/**
 * The same thresholds as `analysis.ts`, as PromQL over the series the model server really emits
 * (src/serving/metrics.ts: `inference_requests_total{model,version,code}` with `code` the HTTP
 * status, `inference_request_duration_seconds` histogram with `{model,version}`), and as an
 * Argo Rollouts AnalysisTemplate.
 *
 * Every query returns an EMPTY vector when the interval carried fewer than `minRequests`
 * requests (`… and on() (requests >= min)`), so no traffic can never be measured as a pass; the
 * conditions then leave empty, NaN and multi-element results neither successful nor failed,
 * which Argo scores Inconclusive (utils/evaluate `EvaluateResult`: both conditions false →
 * Inconclusive). A failed query is an Error in Argo (metricproviders/prometheus `Run` →
 * `MarkMeasurementError`), counted toward `consecutiveErrorLimit` as in the pure function.
 */
import { DEFAULT_CONSECUTIVE_ERROR_LIMIT, effectiveCount } from './assess.js';
import { type AnalysisThresholds, type MetricName, metricNames, thresholdProblems } from './thresholds.js';

export const REQUESTS_METRIC = 'inference_requests_total';
export const DURATION_METRIC = 'inference_request_duration_seconds';

/**
 * The Rollout's pod-template-hash as Prometheus sees it: the ServiceMonitor copies the pod label
 * `rollouts-pod-template-hash` (set by Argo Rollouts on every pod) onto the series with
 * `podTargetLabels`, and prometheus-operator writes it with the name sanitised to a Prometheus
 * label name.
 */
export const POD_TEMPLATE_HASH_LABEL = 'rollouts_pod_template_hash';

export interface QueryTarget {
  readonly model: string;
  /** The registry version served; unset = any (the canary is then told apart by podTemplateHash). */
  readonly version?: string;
  /** Only the pods of this Rollout ReplicaSet (the canary's hash); unset = any. */
  readonly podTemplateHash?: string;
  /** The Kubernetes namespace Prometheus attached to the scraped series; unset = any. */
  readonly namespace?: string;
}

// PromQL string literals take Go escapes; JSON's escapes (\" \\ \n \uXXXX) are a subset of them.
const quote = (v: string): string => JSON.stringify(String(v));

function selector(t: QueryTarget, extra = ''): string {
  const parts = [`model=${quote(t.model)}`];
  if (t.version !== undefined) parts.push(`version=${quote(t.version)}`);
  if (t.podTemplateHash !== undefined) parts.push(`${POD_TEMPLATE_HASH_LABEL}=${quote(t.podTemplateHash)}`);
  if (t.namespace !== undefined) parts.push(`namespace=${quote(t.namespace)}`);
  return `{${parts.join(',')}${extra}}`;
}

function range(interval: string): string {
  if (!/^(?:[0-9]{1,6}(?:ms|s|m|h))+$/.test(interval)) {
    throw new TypeError(`interval: expected a duration such as 1m, received ${JSON.stringify(interval)}`);
  }
  return `[${interval}]`;
}

/** Requests served by the version in the interval (extrapolated by `increase`, like Prometheus does). */
export function requestCountQuery(t: QueryTarget, interval: string): string {
  return `sum(increase(${REQUESTS_METRIC}${selector(t)}${range(interval)}))`;
}

function trafficGuard(t: QueryTarget, interval: string, minRequests: number): string {
  if (!Number.isSafeInteger(minRequests) || minRequests < 1) {
    throw new TypeError(`minRequests: expected an integer >= 1, received ${String(minRequests)}`);
  }
  return `and on() (${requestCountQuery(t, interval)} >= ${minRequests})`;
}

/**
 * 5xx share of the version's requests. The error counter is `or vector(0)`: prom-client only
 * exports a `code="5xx"` series after the first such error, and without it a flawless canary
 * would have an empty numerator, hence an empty ratio, hence never pass.
 */
export function errorRatioQuery(t: QueryTarget, interval: string, minRequests: number): string {
  const errors = `sum(increase(${REQUESTS_METRIC}${selector(t, ',code=~"5.."')}${range(interval)}))`;
  return `((${errors} or vector(0)) / ${requestCountQuery(t, interval)}) ${trafficGuard(t, interval, minRequests)}`;
}

/** A latency quantile (0.95, 0.99) of the version's requests in seconds. */
export function latencyQuery(
  quantile: number,
  t: QueryTarget,
  interval: string,
  minRequests: number,
): string {
  if (!(quantile > 0 && quantile < 1)) throw new TypeError(`quantile: expected (0, 1), received ${quantile}`);
  const buckets = `sum by (le) (rate(${DURATION_METRIC}_bucket${selector(t)}${range(interval)}))`;
  return `histogram_quantile(${quantile}, ${buckets}) ${trafficGuard(t, interval, minRequests)}`;
}

/** Numbers as Argo's expr language reads them: no exponent notation. */
function num(n: number): string {
  const s = String(n);
  return /e/i.test(s) ? n.toFixed(20).replace(/\.?0+$/, '') : s;
}

/**
 * Conditions over a Prometheus vector result. Success needs exactly one finite value within the
 * limit; failure needs exactly one value above it (+Inf included: histogram_quantile answers
 * +Inf when the quantile lies beyond the last bucket, a real and bad latency). Empty, NaN or
 * several values satisfy neither: Inconclusive.
 */
export function conditions(max: number): { successCondition: string; failureCondition: string } {
  const one = 'len(result) == 1 && !isNaN(result[0])';
  return {
    successCondition: `${one} && !isInf(result[0]) && result[0] <= ${num(max)}`,
    failureCondition: `${one} && result[0] > ${num(max)}`,
  };
}

export interface AnalysisTemplateOptions {
  readonly name: string;
  readonly namespace?: string;
  /** Prometheus base URL, e.g. http://kube-prometheus-stack-prometheus.monitoring:9090 */
  readonly address: string;
  readonly model: string;
  /** The version under analysis; unset = the Rollout passes the `version` argument. */
  readonly version?: string;
  /** Restrict series to the model's namespace (recommended: model names repeat across teams). */
  readonly scrapeNamespace?: string;
  readonly thresholds: AnalysisThresholds;
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * How the canary's series are told apart: by the registry `version` label (a model version
   * rolled out under `mlp up`), or by the canary ReplicaSet's pod-template-hash (a Rollout of a
   * new image serving the same model version): the Rollout passes argument `canary-hash` with
   * `valueFrom.podTemplateHashValue: Latest`. @default 'version'
   */
  readonly canaryBy?: 'version' | 'pod-template-hash';
}

/** The argument a pod-template-hash AnalysisTemplate takes (Argo: valueFrom.podTemplateHashValue). */
export const CANARY_HASH_ARG = 'canary-hash';

const SAFE_VALUE = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$/;

/** The metric's threshold and query, by name. */
function metricQuery(name: MetricName, t: QueryTarget, a: AnalysisThresholds, interval: string) {
  if (name === 'error-ratio')
    return { max: a.maxErrorRatio, query: errorRatioQuery(t, interval, a.minRequests) };
  const q = name === 'latency-p95' ? 0.95 : 0.99;
  const max = (name === 'latency-p95' ? a.maxP95Seconds : a.maxP99Seconds) as number;
  return { max, query: latencyQuery(q, t, interval, a.minRequests) };
}

/**
 * An Argo Rollouts AnalysisTemplate (argoproj.io/v1alpha1) for these thresholds: one metric per
 * judged quantity, each with the same interval, count and limits as the pure analysis.
 * Throws on thresholds the pure analysis would call invalid (a programming error: the spec
 * schema validates them first).
 */
export function analysisTemplate(o: AnalysisTemplateOptions): Record<string, unknown> {
  const problems = thresholdProblems(o.thresholds);
  if (problems.length > 0) throw new TypeError(`analysisTemplate ${o.name}: ${problems.join('; ')}`);
  for (const [key, value] of Object.entries({
    model: o.model,
    version: o.version,
    namespace: o.scrapeNamespace,
  })) {
    // Argo pastes argument values into the query verbatim: only plain names are safe there.
    if (value !== undefined && !SAFE_VALUE.test(value)) {
      throw new TypeError(`analysisTemplate ${o.name}: ${key} ${JSON.stringify(value)} is not a plain name`);
    }
  }
  const a = o.thresholds;
  // Without an interval Argo measures once; the query still needs a window to count requests in.
  const window = a.interval ?? '1m';
  const count = effectiveCount(a);
  // Argo substitutes {{args.*}} into the query text before sending it; the values themselves
  // are quoted by Argo's caller (our synth), so only placeholders appear here.
  const byHash = o.canaryBy === 'pod-template-hash';
  const target: QueryTarget = {
    model: '{{args.model}}',
    ...(byHash ? { podTemplateHash: `{{args.${CANARY_HASH_ARG}}}` } : { version: '{{args.version}}' }),
    ...(o.scrapeNamespace !== undefined ? { namespace: '{{args.namespace}}' } : {}),
  };
  const args: Record<string, string>[] = [{ name: 'model', value: o.model }];
  if (byHash) args.push({ name: CANARY_HASH_ARG });
  else args.push(o.version !== undefined ? { name: 'version', value: o.version } : { name: 'version' });
  if (o.scrapeNamespace !== undefined) args.push({ name: 'namespace', value: o.scrapeNamespace });
  const metrics = metricNames(a).map((name) => {
    const { max, query } = metricQuery(name, target, a, window);
    return {
      name,
      ...(a.interval !== undefined ? { interval: a.interval } : {}),
      ...(count !== undefined ? { count } : {}),
      failureLimit: a.failureLimit ?? 0,
      inconclusiveLimit: a.inconclusiveLimit ?? 0,
      consecutiveErrorLimit: a.consecutiveErrorLimit ?? DEFAULT_CONSECUTIVE_ERROR_LIMIT,
      ...conditions(max),
      provider: { prometheus: { address: o.address, query } },
    };
  });
  const metadata: Record<string, unknown> = { name: o.name };
  if (o.namespace !== undefined) metadata.namespace = o.namespace;
  if (o.labels !== undefined) metadata.labels = { ...o.labels };
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata, spec: { args, metrics } };
}
