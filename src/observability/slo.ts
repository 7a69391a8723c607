/**
 * SLOs of served models → SLI recording rules, error budget, and multi-window multi-burn-rate
 * alerts (Google SRE workbook, "Alerting on SLOs", recommendation 6).
 *
 * Burn rate: the error ratio divided by the budget (1 − objective); at burn rate 1 the budget
 * lasts exactly the SLO window P. Spending a fraction f of the budget within a long window L
 * takes burn rate  B = f × P / L.  The workbook's factors are this formula for P = 30 days:
 *   2 % in 1 h → 0.02 × 720 h / 1 h = 14.4;   5 % in 6 h → 0.05 × 720 / 6 = 6;
 *   10 % in 1 d → 0.1 × 30 = 3;              10 % in 3 d → 0.1 × 30 / 3 = 1.
 * For P = 28 days the same budget fractions give 13.44, 5.6, 2.8 and 0.933: copying 14.4 onto
 * another window would page on a different share of the budget (REFERENCE.md, "SLO burn-rate
 * alerts"). An alert fires when the error ratio exceeds B × (1 − objective) over the long
 * window AND over the short one (1/12 of the long): the long window proves the burn is
 * significant, the short one that it is still going on, so the alert resets soon after a fix.
 *
 * No traffic: every ratio divides by `(requests > 0)`, so a window without requests yields no
 * sample at all (not NaN, not a fake 0 "perfect" ratio); an alert with no sample cannot fire.
 * With traffic but no 5xx series yet (prom-client only creates a label set when first counted),
 * the error side falls back to `0 * requests`, so a healthy service records 0, not nothing.
 */
import { modelServerLatencyBuckets } from './catalogue.js';
import { promqlNumber, promqlString } from './promql.js';
import {
  type AlertRule,
  DEFAULT_SLO_WINDOW,
  type RecordingRule,
  type RuleGroup,
  type SloSpec,
  type SloWindow,
} from './types.js';

/** Windows the SLI is recorded at: every long and short window of the burn-rate alerts. */
export const SLI_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

export interface BurnRatePair {
  readonly long: (typeof SLI_WINDOWS)[number];
  readonly short: (typeof SLI_WINDOWS)[number];
  /** Share of the whole budget spent within the long window when this pair fires. */
  readonly budgetFraction: number;
  readonly action: 'page' | 'ticket';
}

/** The workbook's table (budget spent → windows); burn rates derive from it per SLO window. */
export const BURN_RATE_PAIRS: readonly BurnRatePair[] = [
  { long: '1h', short: '5m', budgetFraction: 0.02, action: 'page' },
  { long: '6h', short: '30m', budgetFraction: 0.05, action: 'page' },
  { long: '1d', short: '2h', budgetFraction: 0.1, action: 'ticket' },
  { long: '3d', short: '6h', budgetFraction: 0.1, action: 'ticket' },
];

const HOURS: Readonly<Record<string, number>> = {
  '5m': 5 / 60,
  '30m': 0.5,
  '1h': 1,
  '2h': 2,
  '6h': 6,
  '1d': 24,
  '3d': 72,
  '28d': 28 * 24,
  '30d': 30 * 24,
};

/** B = f × P / L, rounded to 12 significant digits (14.4, not 14.399999999999999). */
export function burnRate(pair: BurnRatePair, window: SloWindow): number {
  return Number(((pair.budgetFraction * HOURS[window]!) / HOURS[pair.long]!).toPrecision(12));
}

export type SliKind = 'availability' | 'latency';

/** One objective of one SLO spec, normalised. */
export interface Objective {
  readonly slo: string;
  readonly model: string;
  readonly sli: SliKind;
  readonly objective: number;
  readonly window: SloWindow;
  /** Latency SLIs: the bucket bound in seconds. */
  readonly thresholdSeconds?: number;
}

export const RECORD_ERROR_RATIO = 'slo:sli_error:ratio_rate';
export const RECORD_BUDGET_REMAINING = 'slo:error_budget_remaining:ratio';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Problems with SLO specs as `slos[i].field: message` lines (empty = valid). */
export function validateSlos(slos: readonly SloSpec[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const buckets = modelServerLatencyBuckets();
  slos.forEach((s, i) => {
    const at = `slos[${i}]`;
    if (typeof s.name !== 'string' || s.name.length > 63 || !DNS_LABEL.test(s.name))
      out.push(
        `${at}.name: expected a DNS-1123 label (lowercase letters, digits, '-'), e.g. sentiment; received ${JSON.stringify(s.name)}`,
      );
    else if (seen.has(s.name)) out.push(`${at}.name: duplicate SLO name ${JSON.stringify(s.name)}`);
    else seen.add(s.name);
    if (typeof s.model !== 'string' || s.model === '' || s.model.length > 253 || /[\p{Cc}]/u.test(s.model))
      out.push(
        `${at}.model: expected a model name without control characters, e.g. sentiment; received ${JSON.stringify(s.model)}`,
      );
    const window = s.window ?? DEFAULT_SLO_WINDOW;
    if (window !== '28d' && window !== '30d')
      out.push(`${at}.window: expected 28d or 30d; received ${JSON.stringify(s.window)}`);
    if (s.availability === undefined && s.latency === undefined)
      out.push(`${at}: expected an availability or a latency objective (or both)`);
    const checkObjective = (field: string, v: unknown) => {
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v >= 1) {
        out.push(`${at}.${field}: expected a fraction in (0, 1), e.g. 0.999; received ${String(v)}`);
        return;
      }
      if (window !== '28d' && window !== '30d') return;
      // A pair whose threshold is ≥ 100 % errors can never fire: the objective is too loose for it.
      for (const p of BURN_RATE_PAIRS) {
        const threshold = burnRate(p, window) * (1 - v);
        if (threshold >= 1)
          out.push(
            `${at}.${field}: objective ${v} is too low for the ${p.long}/${p.short} burn-rate alert (${burnRate(p, window)}× the budget is ${promqlNumber(threshold * 100)} % errors, which can never happen); expected at least ${promqlNumber(1 - 1 / burnRate(p, window))}`,
          );
      }
    };
    if (s.availability !== undefined) checkObjective('availability', s.availability);
    if (s.latency !== undefined) {
      checkObjective('latency.objective', s.latency.objective);
      const ms = s.latency.thresholdMs;
      const sec =
        typeof ms === 'number' && Number.isFinite(ms) ? Number((ms / 1000).toPrecision(12)) : Number.NaN;
      if (!buckets.includes(sec))
        out.push(
          `${at}.latency.thresholdMs: expected a bucket bound of inference_request_duration_seconds (ms: ${buckets.map((b) => promqlNumber(b * 1000)).join(', ')}), because the SLI counts requests in the bucket le="T"; received ${String(ms)}`,
        );
    }
  });
  return out;
}

/** SLO specs → one objective per SLI. Throws on invalid specs (call validateSlos first). */
export function objectivesOf(slos: readonly SloSpec[]): Objective[] {
  const problems = validateSlos(slos);
  if (problems.length > 0) throw new Error(`invalid SLOs:\n${problems.join('\n')}`);
  return slos.flatMap((s) => {
    const window = s.window ?? DEFAULT_SLO_WINDOW;
    const out: Objective[] = [];
    if (s.availability !== undefined)
      out.push({ slo: s.name, model: s.model, sli: 'availability', objective: s.availability, window });
    if (s.latency)
      out.push({
        slo: s.name,
        model: s.model,
        sli: 'latency',
        objective: s.latency.objective,
        window,
        thresholdSeconds: Number((s.latency.thresholdMs / 1000).toPrecision(12)),
      });
    return out;
  });
}

/**
 * `le` matcher for a bucket bound. Prometheus 3 normalises `le` at ingestion to a float form
 * (`1` → `1.0`; migration guide, "le and quantile label values"); 2.x keeps the exposition's
 * text (prom-client writes `1`). Integral bounds therefore match both spellings.
 */
export function leMatcher(seconds: number): string {
  const text = promqlNumber(seconds);
  return Number.isInteger(seconds)
    ? `le=~${promqlString(`${text}|${text}\\.0`)}`
    : `le=${promqlString(text)}`;
}

/** Error ratio of one SLI over a window, guarded against no traffic (see the file comment). */
export function errorRatioExpr(o: Objective, window: string): string {
  const model = `model=${promqlString(o.model)}`;
  if (o.sli === 'availability') {
    const all = `sum(rate(inference_requests_total{${model}}[${window}]))`;
    const errors = `sum(rate(inference_requests_total{${model},code=~"5.."}[${window}]))`;
    return `(${errors} or 0 * ${all}) / (${all} > 0)`;
  }
  const all = `sum(rate(inference_request_duration_seconds_count{${model}}[${window}]))`;
  const fast = `sum(rate(inference_request_duration_seconds_bucket{${model},${leMatcher(o.thresholdSeconds!)}}[${window}]))`;
  return `(${all} - ${fast}) / (${all} > 0)`;
}

function sliLabels(o: Objective): Record<string, string> {
  return { model: o.model, sli: o.sli, slo: o.slo };
}

function selectorOf(o: Objective): string {
  return `{slo=${promqlString(o.slo)},sli=${promqlString(o.sli)}}`;
}

export function recordingRules(o: Objective): RecordingRule[] {
  const windows = [...SLI_WINDOWS, o.window];
  const rules: RecordingRule[] = windows.map((w) => ({
    kind: 'record',
    record: `${RECORD_ERROR_RATIO}${w}`,
    expr: errorRatioExpr(o, w),
    labels: sliLabels(o),
  }));
  rules.push({
    kind: 'record',
    record: RECORD_BUDGET_REMAINING,
    // 1 = untouched, 0 = spent, < 0 = overspent.
    expr: `1 - ${RECORD_ERROR_RATIO}${o.window}${selectorOf(o)} / ${promqlNumber(1 - o.objective)}`,
    // Static labels too: promtool's lint (and Prometheus' consistency) tells rules of one name apart by them.
    labels: sliLabels(o),
  });
  return rules;
}

const pascal = (s: string) =>
  s
    .split('-')
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');

export function burnAlertName(o: Objective, action: 'page' | 'ticket'): string {
  return `${pascal(o.slo)}${o.sli === 'availability' ? 'Availability' : 'Latency'}BudgetBurn${action === 'page' ? 'Fast' : 'Slow'}`;
}

export function burnAlerts(o: Objective): AlertRule[] {
  const budget = 1 - o.objective;
  const sel = selectorOf(o);
  const what =
    o.sli === 'availability'
      ? `requests to model ${o.model} that fail with a 5xx`
      : `requests to model ${o.model} slower than ${promqlNumber(o.thresholdSeconds! * 1000)} ms`;
  const objectiveText = `${promqlNumber(o.objective * 100)} % over ${o.window}`;
  return (['page', 'ticket'] as const).map((action) => {
    const pairs = BURN_RATE_PAIRS.filter((p) => p.action === action);
    const cond = pairs.map((p) => {
      const t = promqlNumber(burnRate(p, o.window) * budget);
      return `(${RECORD_ERROR_RATIO}${p.long}${sel} > ${t} and ${RECORD_ERROR_RATIO}${p.short}${sel} > ${t})`;
    });
    const words = pairs
      .map(
        (p) =>
          `error ratio above ${promqlNumber(burnRate(p, o.window) * budget * 100)} % (burn rate ${burnRate(p, o.window)}×, ${promqlNumber(p.budgetFraction * 100)} % of the budget) over both ${p.long} and ${p.short}`,
      )
      .join('; or ');
    return {
      kind: 'alert',
      alert: burnAlertName(o, action),
      expr: cond.join(' or '),
      severity: action === 'page' ? 'critical' : 'warning',
      labels: { slo: o.slo, sli: o.sli },
      summary: `SLO ${o.slo} (${o.sli}) burns its error budget ${action === 'page' ? 'fast' : 'steadily'}`,
      description: `${o.sli === 'availability' ? 'Error' : 'Slow-request'} ratio of model ${o.model} is {{ $value | humanizePercentage }} over the long window; objective ${objectiveText}.`,
      runbook: {
        meaning: `The share of ${what} is high enough to spend ${action === 'page' ? '2 to 5 %' : '10 %'} of the ${o.window} error budget of the objective (${objectiveText}) ${action === 'page' ? 'within hours' : 'within days'}.`,
        threshold: words,
        impact:
          action === 'page'
            ? 'Users see failures or slow answers now; at this rate the budget is gone within days.'
            : 'Steady degradation; the budget will be spent before the window ends if nothing changes.',
        diagnose: [
          {
            kind: 'promql',
            command: `${RECORD_BUDGET_REMAINING}${sel}`,
            why: 'how much of the budget is left',
          },
          {
            kind: 'promql',
            command: `sum by (version, code) (rate(inference_requests_total{model=${promqlString(o.model)}}[5m]))`,
            why: 'which version and which status codes: a canary (challenger) or the champion',
          },
          {
            kind: 'kubectl',
            command: 'kubectl argo rollouts list rollouts -A',
            why: 'is a rollout in progress',
          },
        ],
        mitigation: [
          'A rollout in progress: abort it (the champion keeps serving).',
          'Otherwise scale out, or roll back the last change to the model server or its dependencies.',
        ],
        escalation:
          action === 'page'
            ? 'Page: the model owner and the platform on-call respond now (P2, within one hour; P1 if the model is down).'
            : 'Ticket: the model owner fixes it within working days; review the SLO in the next reliability meeting.',
      },
    } satisfies AlertRule;
  });
}

/** One rule group per SLO spec: the SLI recordings, the budget, the burn-rate alerts. */
export function sloRuleGroups(slos: readonly SloSpec[]): RuleGroup[] {
  const objectives = objectivesOf(slos);
  return slos.map((s) => {
    const mine = objectives.filter((o) => o.slo === s.name);
    return {
      name: `mlp-slo-${s.name}`,
      rules: [...mine.flatMap(recordingRules), ...mine.flatMap(burnAlerts)],
    };
  });
}
