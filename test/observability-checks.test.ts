import { describe, expect, test } from 'vitest';
import type { K8sObject } from '../src/k8s/object.js';
import { observability } from '../src/observability/bundle.js';
import {
  checkMetricsExported,
  checkPromqlParse,
  checkRunbooksExist,
  runbookPathOf,
} from '../src/observability/checks.js';
import {
  decodeString,
  MAX_EXPRESSION_LENGTH,
  parsePromql,
  promqlString,
} from '../src/observability/promql.js';

const BASE = 'https://git.example.com/platform/runbooks';
const out = observability({
  runbookBaseUrl: BASE,
  release: 'kps',
  slos: [
    {
      name: 'sentiment',
      model: 'sentiment',
      availability: 0.999,
      latency: { objective: 0.95, thresholdMs: 200 },
    },
  ],
});
const paths = [...out.runbooks.keys()];

/** A PrometheusRule holding the given rules, for planted defects. */
function ruleObject(...rules: Record<string, unknown>[]): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'planted', namespace: 'monitoring' },
    spec: { groups: [{ name: 'g', rules }] },
  };
}
const alert = (name: string, expr: string, runbook = `${BASE}/${name}.md`) => ({
  alert: name,
  expr,
  labels: { severity: 'warning' },
  annotations: { summary: 's', description: '{{ $value }}', runbook_url: runbook },
});

describe('the generated rules pass their own checks', () => {
  test('parse, metrics exported (with their labels), runbooks exist', () => {
    const objects = [...out.prometheusRules];
    expect(checkPromqlParse(objects)).toEqual([
      expect.objectContaining({ ruleId: 'observability.promql-parse', status: 'pass' }),
    ]);
    expect(checkMetricsExported(objects)).toEqual([
      expect.objectContaining({ ruleId: 'observability.metric-exported', status: 'pass' }),
    ]);
    expect(checkRunbooksExist(objects, { runbookPaths: paths, runbookBaseUrl: BASE })).toEqual([
      expect.objectContaining({ ruleId: 'observability.runbook-exists', status: 'pass' }),
    ]);
  });
  test('one runbook per alert name, each with every section', () => {
    const names = out.groups.flatMap((g) => g.rules.flatMap((r) => (r.kind === 'alert' ? [r.alert] : [])));
    expect(paths).toEqual([...new Set(names)].sort().map((n) => `${n}.md`));
    for (const [file, md] of out.runbooks) {
      for (const h of [
        'Meaning',
        'Query and threshold',
        'Impact',
        'First diagnostics',
        'Mitigation',
        'Escalation',
      ])
        expect(md, `${file}: ${h}`).toContain(`## ${h}`);
      expect(md).toContain('mlp check -e prod');
      expect(md).toContain('trace_id="<trace id>"');
      expect(md).toContain('```promql');
    }
  });
  test('the runbook shows the alert’s own query and threshold', () => {
    const md = out.runbooks.get('TeamQuotaNearlyExhausted.md')!;
    expect(md).toContain(
      'kube_resourcequota{type="used"} / ignoring (type) (kube_resourcequota{type="hard"} > 0) >= 0.9',
    );
    expect(md).toContain(
      'Fires when: usage at or above 90 % of any hard limit for 15 minutes (rule `for: 15m`).',
    );
  });
  test('every PromQL command in the runbooks parses too', () => {
    for (const [file, md] of out.runbooks)
      for (const m of md.matchAll(/```promql\n\s*([^`]+?)\n\s*```/g))
        expect(parsePromql(m[1]!).errors, `${file}: ${m[1]}`).toEqual([]);
  });
});

describe('planted defects fail with their own rule id', () => {
  test('an unparsable expression: the message has the offset and the expression', () => {
    const findings = checkPromqlParse([
      ruleObject(alert('Broken', 'sum(rate(inference_requests_total[5m])')),
    ]);
    expect(findings).toEqual([
      {
        ruleId: 'observability.promql-parse',
        status: 'fail',
        resource: 'PrometheusRule/monitoring/planted',
        path: 'spec.groups[0].rules[0].expr',
        message:
          'alert Broken: unexpected end of expression at offset 38 in "sum(rate(inference_requests_total[5m])"',
        fix: 'correct the expression; `promtool check rules <file>` shows the same error with Prometheus’ parser',
      },
    ]);
  });
  test.each([
    ['up up', 'unexpected "up" at offset 3'],
    ['sum by (a b) (x)', 'unexpected "b) (x)" at offset 10'],
    ['rate(x[5m]) +', 'unexpected end of expression at offset 13'],
    ['up{a="1"', 'unexpected end of expression at offset 8'],
  ])('%s does not parse', (expr, message) => {
    const [f] = checkPromqlParse([ruleObject({ record: 'x:y', expr })]);
    expect(f?.message).toBe(`recording rule x:y: ${message} in ${JSON.stringify(expr)}`);
  });
  test('a garbage token is located', () => {
    const [f] = checkPromqlParse([ruleObject({ record: 'x:y', expr: 'up } 1' })]);
    expect(f?.status).toBe('fail');
    expect(f?.message).toMatch(/^recording rule x:y: unexpected "} 1" at offset 3/);
  });
  test('a metric nobody exports', () => {
    const findings = checkMetricsExported([ruleObject(alert('Ghost', 'rate(http_requests_total[5m]) > 1'))]);
    expect(findings).toEqual([
      expect.objectContaining({
        ruleId: 'observability.metric-exported',
        status: 'fail',
        path: 'spec.groups[0].rules[0].expr',
        message:
          'alert Ghost: metric http_requests_total is exported by nothing in the tree (no exporter of the catalogue, no recording rule)',
      }),
    ]);
  });
  test('the seed’s status-vs-code bug: a label the metric does not have', () => {
    const findings = checkMetricsExported([
      ruleObject(
        alert(
          'SeedSlo',
          'sum(rate(inference_requests_total{status="success"}[5m])) / sum(rate(inference_requests_total[5m])) < 0.999',
        ),
      ),
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'alert SeedSlo: inference_requests_total{status="success"} selects nothing: model-server exports inference_requests_total with labels model, version, code (plus target labels), not status',
    ]);
    expect(findings[0]?.fix).toBe('select on a label the metric has, e.g. model');
  });
  test('matchers that also match an absent label are not flagged', () => {
    const findings = checkMetricsExported([
      ruleObject(
        alert(
          'Ok',
          'inference_requests_total{status="", x!="y", z=~".*", __name__="inference_requests_total"} > 0',
        ),
      ),
    ]);
    expect(findings.map((f) => f.status)).toEqual(['pass']);
  });
  test('recording-rule outputs count as exported; {__name__=~…} cannot be checked (warn)', () => {
    const findings = checkMetricsExported([
      ruleObject(
        { record: 'job:x:sum', expr: 'sum(up)' },
        alert('UsesRecord', 'job:x:sum > 0'),
        alert('Regex', '{__name__=~"up|foo"} > 0'),
      ),
    ]);
    expect(findings.map((f) => `${f.status} ${f.message.split(':')[0]}`)).toEqual(['warn alert Regex']);
  });
  test('quoted (UTF-8) metric names and __name__ matchers are read as metric names', () => {
    const findings = checkMetricsExported([
      ruleObject(alert('Q', '{"no.such.metric"} > 0'), alert('N', '{__name__="nope"}')),
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'alert Q: metric no.such.metric is exported by nothing in the tree (no exporter of the catalogue, no recording rule)',
      'alert N: metric nope is exported by nothing in the tree (no exporter of the catalogue, no recording rule)',
    ]);
  });
  test('an alert without a runbook, one without runbook_url, one climbing out of the base', () => {
    const findings = checkRunbooksExist(
      [
        ruleObject(
          alert('NoSuchRunbook', 'up == 0'),
          { alert: 'NoUrl', expr: 'up == 0', annotations: {} },
          alert('Climb', 'up == 0', `${BASE}/../secrets.md`),
          alert('Encoded', 'up == 0', `${BASE}/%2e%2e/x.md`),
          alert('Elsewhere', 'up == 0', 'https://evil.example/NodesNotReady.md'),
        ),
      ],
      { runbookPaths: paths, runbookBaseUrl: BASE },
    );
    expect(findings.map((f) => `${f.ruleId} ${f.status} ${f.path}: ${f.message}`)).toEqual([
      `observability.runbook-exists fail spec.groups[0].rules[0].annotations.runbook_url: alert NoSuchRunbook: runbook NoSuchRunbook.md does not exist (runbook_url ${BASE}/NoSuchRunbook.md)`,
      'observability.runbook-exists fail spec.groups[0].rules[1].annotations.runbook_url: alert NoUrl has no runbook_url annotation',
      `observability.runbook-exists fail spec.groups[0].rules[2].annotations.runbook_url: alert Climb: runbook_url "${BASE}/../secrets.md" is not a file under the runbook base ${BASE}`,
      `observability.runbook-exists fail spec.groups[0].rules[3].annotations.runbook_url: alert Encoded: runbook_url "${BASE}/%2e%2e/x.md" is not a file under the runbook base ${BASE}`,
      `observability.runbook-exists fail spec.groups[0].rules[4].annotations.runbook_url: alert Elsewhere: runbook_url "https://evil.example/NodesNotReady.md" is not a file under the runbook base ${BASE}`,
    ]);
  });
});

describe('hostile input never throws', () => {
  const junk = [
    null,
    42,
    { kind: 'PrometheusRule', metadata: { name: 'a' }, spec: null },
    { kind: 'PrometheusRule', metadata: { name: 'b' }, spec: { groups: 'x' } },
    {
      kind: 'PrometheusRule',
      metadata: { name: 'c' },
      spec: { groups: [null, { rules: [null, 7, { alert: 'X' }] }] },
    },
    JSON.parse(
      '{"kind":"PrometheusRule","metadata":{"name":"d"},"spec":{"groups":[{"rules":[{"alert":"P","expr":"up","annotations":{"__proto__":{"runbook_url":"x"}}}]}]}}',
    ),
  ] as unknown as K8sObject[];
  test('each check reports instead of throwing', () => {
    expect(checkPromqlParse(junk).map((f) => f.message)).toEqual([
      'alert X: expected a PromQL expression string; received nothing',
    ]);
    expect(checkMetricsExported(junk).map((f) => f.status)).toEqual(['pass']);
    expect(
      checkRunbooksExist(junk, { runbookPaths: [], runbookBaseUrl: BASE }).map((f) => f.message),
    ).toEqual(['alert X has no runbook_url annotation', 'alert P has no runbook_url annotation']);
  });
  test('huge expressions are refused before parsing; bad escapes are errors, not crashes', () => {
    const huge = parsePromql(`up${' + up'.repeat(MAX_EXPRESSION_LENGTH / 5)}`);
    expect(huge.errors[0]?.message).toBe(`expression longer than ${MAX_EXPRESSION_LENGTH} characters`);
    expect(parsePromql('').errors[0]?.message).toBe('empty expression');
    expect(parsePromql('up{a="\\q"}').errors[0]?.message).toBe('undecodable string in selector at offset 0');
  });
  test('runbook paths: climbing, empty and odd segments are rejected', () => {
    for (const url of [
      `${BASE}/`,
      `${BASE}/a//b.md`,
      `${BASE}/./a.md`,
      `${BASE}/a\\..\\b.md`,
      `${BASE}/%E0%A4%A.md`,
      `${BASE}x/a.md`,
    ])
      expect(runbookPathOf(url, BASE), url).toBeUndefined();
    expect(runbookPathOf(`${BASE}/sub/A.md#top`, `${BASE}/`)).toBe('sub/A.md');
  });
});

describe('PromQL strings', () => {
  test.each([
    ['"a\\"b"', 'a"b'],
    ["'it\\'s'", "it's"],
    ['`raw\\n`', 'raw\\n'],
    ['"\\x41\\u00e9\\U0001F600\\101"', 'Aé😀A'],
    ['"\\uD800"', undefined],
    ['"\\x4"', undefined],
    ['"unterminated', undefined],
  ])('decodeString(%s)', (literal, value) => {
    expect(decodeString(literal)).toBe(value);
  });
  test('promqlString round-trips through the parser, control characters included', () => {
    for (const v of ['plain', 'q"uote', 'back\\slash', 'new\nline', '__proto__', 'ü😀']) {
      const { selectors, errors } = parsePromql(`up{model=${promqlString(v)}}`);
      expect(errors).toEqual([]);
      expect(selectors[0]?.matchers[0]?.value).toBe(v);
    }
  });
});
