/** Issue 10 §1–§2: the spec's `observability:` section, validated with the module's own rules. */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../src/spec/load.js';
import { exampleSpec, exampleText } from './helpers.js';
import { lineOf, problems, replace } from './spec-helpers.js';

const SLO = `    - name: sentiment
      model: sentiment
      availability: 0.995
      latency: { objective: 0.95, thresholdMs: 500 }
      window: 30d`;

describe('spec observability', () => {
  it('resolves the example per environment: SLO, default thresholds, retention, runbook base', () => {
    const spec = exampleSpec();
    const prod = spec.environments.get('prod')!.observability;
    expect(prod.slos).toEqual([
      {
        name: 'sentiment',
        model: 'sentiment',
        availability: 0.995,
        latency: { objective: 0.95, thresholdMs: 500 },
        window: '30d',
      },
    ]);
    expect(prod.thresholds).toEqual({});
    expect(prod.metricsRetention).toBe('30d');
    expect(prod.runbookBaseUrl).toBe('gitops/prod/runbooks');
    expect(spec.environments.get('local')!.observability).toMatchObject({
      metricsRetention: '2d',
      runbookBaseUrl: 'gitops/local/runbooks',
    });
  });

  it('defaults everything when the section is absent', () => {
    const text = exampleText().replace(/\nobservability:\n(?: {2}.*\n|\s*#.*\n)+/, '\n');
    expect(text).not.toContain('observability:');
    const dev = parseSpec(text).environments.get('dev')!.observability;
    expect(dev).toEqual({
      runbookBaseUrl: 'gitops/dev/runbooks',
      thresholds: {},
      slos: [],
      metricsRetention: '7d',
      logs: { retention: '7d', storage: '10Gi' },
      tracing: { samplingPercent: 10, retention: '3d', storage: '10Gi' },
    });
  });

  it('substitutes {environment} in a runbook base URL', () => {
    const text = replace(
      'observability:\n',
      'observability:\n  runbookBaseUrl: https://github.com/acme-ml/platform-gitops/blob/main/gitops/{environment}/runbooks\n',
    );
    expect(parseSpec(text).environments.get('staging')!.observability.runbookBaseUrl).toBe(
      'https://github.com/acme-ml/platform-gitops/blob/main/gitops/staging/runbooks',
    );
  });

  it('refuses a latency threshold that is not a histogram bucket bound, located at the field', () => {
    const text = replace('thresholdMs: 500', 'thresholdMs: 400');
    const p = problems(text);
    expect(p).toHaveLength(1);
    expect(p[0]).toContain(`p.yaml:${lineOf(text, 'thresholdMs: 400')}:`);
    expect(p[0]).toContain('observability.slos[0].latency.thresholdMs');
    expect(p[0]).toContain('bucket bound');
  });

  it('refuses an objective too loose for the page burn rate and a duplicate SLO name', () => {
    const p = problems(replace(SLO, `${SLO}\n${SLO.replace('0.995', '0.9')}`));
    expect(p.some((x) => x.includes('observability.slos[1].name') && x.includes('duplicate'))).toBe(true);
    expect(p.some((x) => x.includes('observability.slos[1].availability') && x.includes('too low'))).toBe(
      true,
    );
  });

  it('refuses thresholds out of order or range and unknown threshold keys (including __proto__)', () => {
    const order = problems(
      replace('observability:\n', 'observability:\n  thresholds: { cpuElevated: 0.9 }\n'),
    );
    expect(order).toHaveLength(1);
    expect(order[0]).toContain('observability.thresholds.cpuElevated');
    expect(order[0]).toContain('expected below cpuHigh');
    const range = problems(
      replace('observability:\n', 'observability:\n  thresholds: { quotaUsage: 1.5 }\n'),
    );
    expect(range[0]).toContain('observability.thresholds.quotaUsage');
    for (const key of ['__proto__', 'constructor', 'cpu']) {
      const p = problems(replace('observability:\n', `observability:\n  thresholds: { ${key}: 0.5 }\n`));
      expect(p.length, key).toBeGreaterThan(0);
      expect(p.join('\n'), key).toContain('observability.thresholds');
    }
  });

  it('refuses a retention that is not a Prometheus duration, and a zero or huge one', () => {
    for (const bad of ['30 days', '0', '-1d', 'x'.repeat(100), '1d; rm']) {
      const p = problems(replace('prod: 30d }', `prod: ${JSON.stringify(bad)} }`));
      expect(p.join('\n'), bad).toContain('observability.metricsRetention.prod');
    }
    expect(problems(replace('prod: 30d }', 'prod: 4w2d }'))).toEqual([]);
  });

  it('refuses a runbook base with spaces or control characters', () => {
    const p = problems(replace('observability:\n', 'observability:\n  runbookBaseUrl: "a b"\n'));
    expect(p.join('\n')).toContain('observability.runbookBaseUrl');
  });
});
