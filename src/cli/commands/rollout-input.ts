/**
 * The input of `mlp rollout simulate`, checked strictly before anything runs: recorded samples
 * per analysis step and, optionally, the canary steps. The pure analysis would turn a negative
 * count into an Error measurement and abort the canary; for a file a person wrote that is a typo,
 * so it is a located usage error (exit 2) instead, with the JSON path.
 *
 * JSON cannot spell NaN or +Inf. `null` stands for "the query returned no value" (an empty vector
 * or NaN, which the analysis judges Inconclusive); a latency may be the string "+Inf", as
 * Prometheus writes what `histogram_quantile` returns when the quantile lies beyond the last bucket.
 */
import type { CanaryStep } from '../../rollout/canary.js';
import type { Sample } from '../../rollout/measure.js';
import { type AnalysisThresholds, durationSeconds, thresholdProblems } from '../../rollout/thresholds.js';
import { UsageError } from '../io.js';
import { childPath } from '../json-file.js';

/** More steps or samples than this is not a canary anyone runs; it is a runaway generator. */
export const MAX_STEPS = 200;
export const MAX_SAMPLES_PER_ANALYSIS = 10_000;

const MAX_LISTED = 20;

/** Collects located problems; `done()` throws them all as one UsageError. */
export class Problems {
  readonly list: string[] = [];
  constructor(private readonly where: string) {}
  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }
  done(): void {
    if (this.list.length === 0) return;
    const shown = this.list.slice(0, MAX_LISTED);
    const more = this.list.length - shown.length;
    throw new UsageError(
      `${this.where}: ${this.list.length} problem${this.list.length === 1 ? '' : 's'}\n  ${shown.join('\n  ')}${more > 0 ? `\n  … and ${more} more` : ''}`,
    );
  }
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** What a value is, for "received …" in messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

export function unknownKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  p: Problems,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key))
      p.add(childPath(path, key), `unknown field; expected one of ${allowed.join(', ')}`);
  }
}

const SAMPLE_KEYS = ['requests', 'errors', 'errorRatio', 'p95Seconds', 'p99Seconds'] as const;
const NO_DATA_HINT = ' (write null when the query returned no value)';

/** A count of requests or errors: finite and >= 0 (Prometheus' increase() may be fractional). */
function count(v: unknown, path: string, p: Problems): number | undefined {
  if (v === null) return Number.NaN;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    p.add(
      path,
      `expected a number >= 0, received ${describeValue(v)}${typeof v === 'string' ? NO_DATA_HINT : ''}`,
    );
    return undefined;
  }
  return v;
}

function seconds(v: unknown, path: string, p: Problems): number | undefined {
  if (v === null) return Number.NaN;
  if (v === '+Inf') return Number.POSITIVE_INFINITY;
  if (typeof v !== 'number' || v < 0) {
    p.add(
      path,
      `expected seconds >= 0 or "+Inf", received ${describeValue(v)}${typeof v === 'string' ? NO_DATA_HINT : ''}`,
    );
    return undefined;
  }
  return v;
}

export function parseSample(v: unknown, path: string, p: Problems): Sample | undefined {
  if (!isPlainObject(v)) {
    p.add(path, `expected an object such as {"requests": 1200, "errors": 3}, received ${describeValue(v)}`);
    return undefined;
  }
  if (Object.hasOwn(v, 'queryError')) {
    unknownKeys(v, ['queryError'], path, p);
    const e = v.queryError;
    if (typeof e !== 'string' || e.length === 0) {
      p.add(childPath(path, 'queryError'), `expected the error message, received ${describeValue(e)}`);
      return undefined;
    }
    return { queryError: e };
  }
  const before = p.list.length;
  unknownKeys(v, [...SAMPLE_KEYS, 'queryError'], path, p);
  if (!Object.hasOwn(v, 'requests')) p.add(path, 'missing "requests"');
  const requests = count(v.requests ?? null, childPath(path, 'requests'), p);
  const hasErrors = Object.hasOwn(v, 'errors');
  const hasRatio = Object.hasOwn(v, 'errorRatio');
  if (hasErrors === hasRatio) p.add(path, 'give exactly one of "errors" (a count) or "errorRatio" (0..1)');
  const out: { -readonly [K in (typeof SAMPLE_KEYS)[number]]?: number } = { requests };
  if (hasErrors && v.errors === null) out.errorRatio = Number.NaN;
  else if (hasErrors) {
    out.errors = count(v.errors, childPath(path, 'errors'), p);
    if (out.errors !== undefined && requests !== undefined && out.errors > requests) {
      p.add(childPath(path, 'errors'), `${out.errors} errors > ${requests} requests`);
    }
  }
  if (hasRatio) {
    const r = v.errorRatio;
    if (r === null) out.errorRatio = Number.NaN;
    else if (typeof r !== 'number' || !(r >= 0 && r <= 1)) {
      p.add(childPath(path, 'errorRatio'), `expected a number in [0, 1], received ${describeValue(r)}`);
    } else out.errorRatio = r;
  }
  for (const key of ['p95Seconds', 'p99Seconds'] as const) {
    if (Object.hasOwn(v, key)) out[key] = seconds(v[key], childPath(path, key), p);
  }
  return p.list.length === before ? out : undefined;
}

const THRESHOLD_KEYS = [
  'maxErrorRatio',
  'maxP95Seconds',
  'maxP99Seconds',
  'minRequests',
  'failureLimit',
  'inconclusiveLimit',
  'consecutiveErrorLimit',
  'count',
  'interval',
] as const;

/**
 * What Argo Rollouts refuses in an AnalysisTemplate beyond the types thresholdProblems checks
 * (argo-rollouts utils/analysis/helpers.go `ValidateMetric`): a count below a limit could never be
 * reached, and several measurements need an interval. Same "field: message" form.
 */
export function argoMetricProblems(t: AnalysisThresholds): string[] {
  const out: string[] = [];
  const count = t.count ?? 0;
  if (count > 0) {
    if (count < (t.failureLimit ?? 0))
      out.push(`count: must be >= failureLimit (${t.failureLimit}), received ${count}`);
    if (count < (t.inconclusiveLimit ?? 0)) {
      out.push(`count: must be >= inconclusiveLimit (${t.inconclusiveLimit}), received ${count}`);
    }
  }
  if (count > 1 && t.interval === undefined)
    out.push(`interval: must be specified when count > 1 (example: 1m)`);
  return out;
}

function parseThresholds(
  v: unknown,
  base: AnalysisThresholds,
  path: string,
  p: Problems,
): AnalysisThresholds | undefined {
  if (v === undefined) return base;
  if (!isPlainObject(v)) {
    p.add(path, `expected an object such as {"maxErrorRatio": 0.01}, received ${describeValue(v)}`);
    return undefined;
  }
  unknownKeys(v, THRESHOLD_KEYS, path, p);
  // A step's own thresholds win over the command line's, key by key; null removes a latency limit.
  const merged: Record<string, unknown> = { ...base };
  for (const key of THRESHOLD_KEYS) {
    if (!Object.hasOwn(v, key)) continue;
    if (v[key] === null && (key === 'maxP95Seconds' || key === 'maxP99Seconds')) delete merged[key];
    else merged[key] = v[key];
  }
  const t = merged as unknown as AnalysisThresholds;
  const problems = thresholdProblems(t);
  if (problems.length === 0) problems.push(...argoMetricProblems(t));
  for (const m of problems) {
    const colon = m.indexOf(': ');
    p.add(childPath(path, m.slice(0, colon)), m.slice(colon + 2));
  }
  return problems.length === 0 ? t : undefined;
}

function parsePause(v: unknown, path: string, p: Problems): CanaryStep | undefined {
  if (!isPlainObject(v)) {
    p.add(path, `expected {} or {"duration": "5m"}, received ${describeValue(v)}`);
    return undefined;
  }
  unknownKeys(v, ['duration'], path, p);
  const d = v.duration;
  if (d === undefined) return { pause: {} };
  const ok =
    (typeof d === 'number' && Number.isSafeInteger(d) && d >= 0) ||
    (typeof d === 'string' && durationSeconds(d) !== undefined);
  if (!ok) {
    p.add(
      childPath(path, 'duration'),
      `expected seconds or a duration such as 30s or 5m, received ${describeValue(d)}`,
    );
    return undefined;
  }
  return { pause: { duration: d as number | string } };
}

function parseAnalysis(
  v: unknown,
  base: AnalysisThresholds,
  path: string,
  p: Problems,
): CanaryStep | undefined {
  if (!isPlainObject(v)) {
    p.add(path, `expected {} or {"name": "…", "thresholds": {…}}, received ${describeValue(v)}`);
    return undefined;
  }
  unknownKeys(v, ['name', 'thresholds'], path, p);
  const name = v.name;
  if (
    name !== undefined &&
    (typeof name !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name))
  ) {
    p.add(
      childPath(path, 'name'),
      `expected a DNS label such as "error-check", received ${describeValue(name)}`,
    );
    return undefined;
  }
  const thresholds = parseThresholds(v.thresholds, base, childPath(path, 'thresholds'), p);
  if (!thresholds) return undefined;
  return { analysis: { ...(name ? { name } : {}), thresholds } };
}

const STEP_KINDS = ['setWeight', 'pause', 'analysis'] as const;

/** Argo Rollouts' canary steps, as JSON: `{"setWeight": 10}`, `{"pause": {"duration": "5m"}}`, `{"analysis": {}}`. */
export function parseSteps(v: unknown, base: AnalysisThresholds, path: string, p: Problems): CanaryStep[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_STEPS) {
    p.add(
      path,
      `expected a list of 1..${MAX_STEPS} steps, received ${Array.isArray(v) ? `${v.length} steps` : describeValue(v)}`,
    );
    return [];
  }
  const steps: CanaryStep[] = [];
  v.forEach((s, i) => {
    const at = childPath(path, i);
    const kinds = isPlainObject(s) ? STEP_KINDS.filter((k) => Object.hasOwn(s, k)) : [];
    if (!isPlainObject(s) || kinds.length !== 1 || Object.keys(s).length !== 1) {
      p.add(
        at,
        `expected exactly one of ${STEP_KINDS.join(', ')}, e.g. {"setWeight": 10}, received ${isPlainObject(s) ? `keys ${Object.keys(s).join(', ') || '(none)'}` : describeValue(s)}`,
      );
      return;
    }
    const kind = kinds[0]!;
    let step: CanaryStep | undefined;
    if (kind === 'setWeight') {
      const w = s.setWeight;
      if (typeof w === 'number' && Number.isSafeInteger(w) && w >= 0 && w <= 100) step = { setWeight: w };
      else p.add(childPath(at, kind), `expected an integer 0..100, received ${describeValue(w)}`);
    } else if (kind === 'pause') step = parsePause(s.pause, childPath(at, kind), p);
    else step = parseAnalysis(s.analysis, base, childPath(at, kind), p);
    if (step) steps.push(step);
  });
  return steps;
}

/** One list of samples per analysis step, in step order. */
export function parseMeasurements(v: unknown, analyses: number, path: string, p: Problems): Sample[][] {
  if (!Array.isArray(v)) {
    p.add(path, `expected a list with one list of samples per analysis step, received ${describeValue(v)}`);
    return [];
  }
  if (v.length > analyses) {
    p.add(path, `${v.length} lists of samples for ${analyses} analysis step${analyses === 1 ? '' : 's'}`);
  }
  return v.map((list, i) => {
    const at = childPath(path, i);
    if (!Array.isArray(list) || list.length > MAX_SAMPLES_PER_ANALYSIS) {
      p.add(
        at,
        `expected a list of at most ${MAX_SAMPLES_PER_ANALYSIS} samples, received ${Array.isArray(list) ? `${list.length}` : describeValue(list)}`,
      );
      return [];
    }
    return list.flatMap((s, j) => parseSample(s, childPath(at, j), p) ?? []);
  });
}
