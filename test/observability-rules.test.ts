import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { platformAlerts, validateThresholds } from '../src/observability/alerts.js';
import { observability } from '../src/observability/bundle.js';
import {
  buildCatalogue,
  MODEL_SERVER,
  MODEL_SERVER_LATENCY_BUCKETS,
} from '../src/observability/catalogue.js';
import { prometheusRules, runbookUrl } from '../src/observability/prometheus-rule.js';
import {
  BURN_RATE_PAIRS,
  burnRate,
  leMatcher,
  sloRuleGroups,
  validateSlos,
} from '../src/observability/slo.js';
import { type AlertRule, DEFAULT_THRESHOLDS, type SloSpec } from '../src/observability/types.js';
import { createMetrics, LATENCY_BUCKETS } from '../src/serving/metrics.js';

const BASE = 'https://git.example.com/platform/runbooks/';
const SLOS: SloSpec[] = [
  {
    name: 'sentiment',
    model: 'sentiment',
    availability: 0.999,
    latency: { objective: 0.95, thresholdMs: 200 },
  },
];
const input = { runbookBaseUrl: BASE, release: 'kube-prometheus-stack', slos: SLOS };
const alertsOf = (groups: { rules: readonly { kind: string }[] }[]) =>
  groups.flatMap((g) => g.rules).filter((r): r is AlertRule => r.kind === 'alert');

describe('burn rates scale with the SLO window (B = budget fraction × window / long window)', () => {
  test.each([
    ['30d', [14.4, 6, 3, 1]],
    ['28d', [13.44, 5.6, 2.8, 0.933333333333]],
  ] as const)('%s', (window, expected) => {
    expect(BURN_RATE_PAIRS.map((p) => burnRate(p, window))).toEqual(expected);
  });
  test('the page pairs are 1h/5m and 6h/30m, the ticket pairs 1d/2h and 3d/6h (short = long / 12)', () => {
    expect(BURN_RATE_PAIRS.map((p) => `${p.action} ${p.long}/${p.short}`)).toEqual([
      'page 1h/5m',
      'page 6h/30m',
      'ticket 1d/2h',
      'ticket 3d/6h',
    ]);
  });
});

describe('SLO rules', () => {
  const [group] = sloRuleGroups(SLOS);
  test('SLI recorded at every window and the full window, plus the budget, per objective', () => {
    const records = group!.rules
      .filter((r) => r.kind === 'record')
      .map((r) => (r.kind === 'record' ? r.record : ''));
    const windows = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'];
    const expected = windows
      .map((w) => `slo:sli_error:ratio_rate${w}`)
      .concat('slo:error_budget_remaining:ratio');
    expect(records).toEqual([...expected, ...expected]);
  });
  test('availability SLI counts 5xx of the code label and divides only by traffic > 0', () => {
    const five = group!.rules.find((r) => r.kind === 'record' && r.record === 'slo:sli_error:ratio_rate5m');
    expect(five?.expr).toBe(
      '(sum(rate(inference_requests_total{model="sentiment",code=~"5.."}[5m])) or 0 * sum(rate(inference_requests_total{model="sentiment"}[5m]))) / (sum(rate(inference_requests_total{model="sentiment"}[5m])) > 0)',
    );
  });
  test('burn-rate thresholds: 14.4 × 0.1 % and 6 × 0.1 % page; 3 × and 1 × open a ticket', () => {
    const [fast, slow] = alertsOf([group!]).filter((a) => a.labels?.sli === 'availability');
    expect(fast?.alert).toBe('SentimentAvailabilityBudgetBurnFast');
    expect(fast?.severity).toBe('critical');
    expect(fast?.expr).toBe(
      '(slo:sli_error:ratio_rate1h{slo="sentiment",sli="availability"} > 0.0144 and slo:sli_error:ratio_rate5m{slo="sentiment",sli="availability"} > 0.0144) or (slo:sli_error:ratio_rate6h{slo="sentiment",sli="availability"} > 0.006 and slo:sli_error:ratio_rate30m{slo="sentiment",sli="availability"} > 0.006)',
    );
    expect(slow?.severity).toBe('warning');
    expect(slow?.expr).toContain('ratio_rate3d{slo="sentiment",sli="availability"} > 0.001 and');
  });
  test('le matcher: non-integral bounds exact, integral ones in both the 2.x and 3.x spelling', () => {
    expect(leMatcher(0.2)).toBe('le="0.2"');
    expect(leMatcher(1)).toBe('le=~"1|1\\\\.0"');
  });
  test('model names are escaped into PromQL strings', () => {
    const [g] = sloRuleGroups([{ name: 'q', model: 'a"b\\c', availability: 0.99 }]);
    expect(g!.rules[0]!.expr).toContain('model="a\\"b\\\\c"');
  });
});

describe('SLO validation', () => {
  test('a latency threshold that is not a bucket bound is refused, naming the bounds', () => {
    expect(validateSlos([{ name: 's', model: 'm', latency: { objective: 0.95, thresholdMs: 250 } }])).toEqual(
      [
        'slos[0].latency.thresholdMs: expected a bucket bound of inference_request_duration_seconds (ms: 5, 10, 25, 50, 100, 150, 200, 300, 500, 750, 1000, 2500), because the SLI counts requests in the bucket le="T"; received 250',
      ],
    );
  });
  test('boundaries: objectives, names, windows, duplicates, hostile names', () => {
    const problems = validateSlos([
      { name: 'ok', model: 'm', availability: 1 },
      { name: '__proto__', model: 'm', availability: 0.99 },
      { name: 'a'.repeat(64), model: 'm', availability: 0.99 },
      { name: 'dup', model: 'm', availability: 0.99 },
      { name: 'dup', model: 'm', availability: 0.99 },
      { name: 'w', model: 'm', availability: 0.99, window: '7d' as '30d' },
      { name: 'none', model: 'm' },
      { name: 'ctl', model: 'a\nb', availability: 0.99 },
      { name: 'nan', model: 'm', latency: { objective: Number.NaN, thresholdMs: 200 } },
    ]);
    expect(problems).toEqual([
      'slos[0].availability: expected a fraction in (0, 1), e.g. 0.999; received 1',
      'slos[1].name: expected a DNS-1123 label (lowercase letters, digits, \'-\'), e.g. sentiment; received "__proto__"',
      `slos[2].name: expected a DNS-1123 label (lowercase letters, digits, '-'), e.g. sentiment; received "${'a'.repeat(64)}"`,
      'slos[4].name: duplicate SLO name "dup"',
      'slos[5].window: expected 28d or 30d; received "7d"',
      'slos[6]: expected an availability or a latency objective (or both)',
      'slos[7].model: expected a model name without control characters, e.g. sentiment; received "a\\nb"',
      'slos[8].latency.objective: expected a fraction in (0, 1), e.g. 0.999; received NaN',
    ]);
  });
  test('an objective too loose for the 14.4× page (it could never fire) is refused', () => {
    expect(validateSlos([{ name: 's', model: 'm', availability: 0.9 }])).toEqual([
      'slos[0].availability: objective 0.9 is too low for the 1h/5m burn-rate alert (14.4× the budget is 144 % errors, which can never happen); expected at least 0.930555555556',
    ]);
  });
  test('sloRuleGroups throws on invalid input (validate first)', () => {
    expect(() => sloRuleGroups([{ name: 'x', model: 'm' }])).toThrow('invalid SLOs');
  });
});

describe('platform alerts', () => {
  const alerts = alertsOf([platformAlerts()]);
  test('the seed runbook thresholds are the defaults', () => {
    expect(DEFAULT_THRESHOLDS).toMatchObject({
      cpuHigh: 0.85,
      nodesNotReady: 0.2,
      pvcWarning: 0.9,
      pvcCritical: 0.95,
      jobFailuresPerHour: 5,
      inferenceP95Seconds: 1,
      quotaUsage: 0.9,
    });
    const expr = (name: string) => alerts.find((a) => a.alert === name)?.expr;
    expect(expr('PersistentVolumeClaimFull')).toMatch(/> 0\.95$/);
    expect(expr('TrainingJobsFailing')).toMatch(/> 5$/);
    expect(expr('InferenceLatencyP95High')).toMatch(/> 1$/);
    expect(expr('TeamQuotaNearlyExhausted')).toBe(
      'kube_resourcequota{type="used"} / ignoring (type) (kube_resourcequota{type="hard"} > 0) >= 0.9',
    );
  });
  test('every alert has a severity, a summary and a description showing the value', () => {
    for (const a of alerts) {
      expect(['critical', 'warning', 'info']).toContain(a.severity);
      expect(a.summary.length).toBeGreaterThan(0);
      expect(a.description, a.alert).toMatch(/\{\{ \$value( \| [^}]+)? \}\}/);
    }
  });
  test('overrides apply; prototype keys and unknown keys are ignored; invalid values are refused', () => {
    const hostile = JSON.parse('{"__proto__": {"quotaUsage": 0.1}, "constructor": 3, "quotaUsage": 0.8}');
    const q = alertsOf([platformAlerts(hostile)]).find((a) => a.alert === 'TeamQuotaNearlyExhausted');
    expect(q?.expr).toMatch(/>= 0\.8$/);
    expect(
      validateThresholds({ ...DEFAULT_THRESHOLDS, pvcWarning: 0.96, jobFailuresPerHour: 1.5, quotaUsage: 9 }),
    ).toEqual([
      'quotaUsage: expected a fraction in (0, 1], e.g. 0.9 for 90 %; received 9',
      'pvcWarning: expected below pvcCritical (0.95); received 0.96',
      'jobFailuresPerHour: expected a whole number ≥ 0, e.g. 5; received 1.5',
    ]);
    expect(() => platformAlerts({ cpuHigh: Number.POSITIVE_INFINITY })).toThrow('cpuHigh');
  });
});

describe('PrometheusRule objects', () => {
  const out = observability(input);
  test('validate against the prometheus-operator CRD model, with the release label', () => {
    expect(out.prometheusRules.map((o) => o.metadata.name)).toEqual(['mlp-platform', 'mlp-slo-sentiment']);
    for (const o of out.prometheusRules) {
      expect(() => new PrometheusRule(o as never).validate()).not.toThrow();
      expect(o.metadata.labels?.release).toBe('kube-prometheus-stack');
      expect(o.metadata.namespace).toBe('monitoring');
    }
  });
  test('the CRD model does judge: a bad duration is refused', () => {
    const bad = structuredClone(out.prometheusRules[0]!) as unknown as {
      spec: { groups: { rules: { for?: string }[] }[] };
    };
    bad.spec.groups[0]!.rules[0]!.for = 'soon';
    expect(() => new PrometheusRule(bad as never).validate()).toThrow();
  });
  test('every alert links its runbook; release cannot be overridden by extra labels', () => {
    const [o] = prometheusRules([platformAlerts()], {
      runbookBaseUrl: BASE,
      release: 'kps',
      labels: { release: 'other', team: 'platform' },
    });
    expect(o!.metadata.labels).toEqual({ release: 'kps', team: 'platform' });
    const rules = (
      o!.spec as { groups: { rules: { alert?: string; annotations?: Record<string, string> }[] }[] }
    ).groups[0]!.rules;
    for (const r of rules) expect(r.annotations?.runbook_url).toBe(runbookUrl(BASE, r.alert!));
    expect(runbookUrl(BASE, 'NodesNotReady')).toBe(
      'https://git.example.com/platform/runbooks/NodesNotReady.md',
    );
  });
  test('deterministic: same input, same bytes; the rule file holds the same groups', () => {
    const again = observability(input);
    expect(again.ruleFile).toBe(out.ruleFile);
    expect(JSON.stringify(again.prometheusRules)).toBe(JSON.stringify(out.prometheusRules));
    expect(parse(out.ruleFile).groups).toEqual(
      out.prometheusRules.flatMap((o) => (o.spec as { groups: unknown[] }).groups),
    );
  });
});

describe('catalogue matches the model server', () => {
  test('latency buckets are the serving histogram’s', () => {
    expect(MODEL_SERVER_LATENCY_BUCKETS).toEqual(LATENCY_BUCKETS);
  });
  test('every catalogued model-server series appears in a real scrape with exactly its labels', async () => {
    const m = createMetrics();
    m.requests.inc({ model: 'a', version: '1', code: '200' });
    m.duration.observe({ model: 'a', version: '1' }, 0.1);
    m.inFlight.set({ model: 'a' }, 0);
    m.loadFailures.inc({ model: 'a', version: '1' });
    m.assignments.inc({ model: 'a', version: '1' });
    m.feedback.inc({ model: 'a', version: '1', outcome: 'positive' });
    const text = await m.registry.metrics();
    const scraped = new Map<string, Set<string>>();
    for (const line of text.split('\n')) {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
      if (!match) continue;
      const labels = new Set([...(match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)].map((x) => x[1]!));
      scraped.set(match[1]!, labels);
    }
    const catalogue = buildCatalogue([MODEL_SERVER]);
    for (const [series, entry] of catalogue) {
      if (entry.exporter !== 'model-server') continue;
      expect(scraped.has(series), series).toBe(true);
      for (const l of scraped.get(series)!) expect(entry.labels?.has(l), `${series} label ${l}`).toBe(true);
    }
    for (const f of MODEL_SERVER.families) expect(text).toContain(`# TYPE ${f.name} ${f.type}`);
  });
});
