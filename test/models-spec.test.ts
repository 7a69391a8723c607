/** Issue 11 §1: the spec's `models:` — defaults, and a located error for every bad field. */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../src/spec/load.js';
import { exampleText } from './helpers.js';
import { lineOf, problems, replace } from './spec-helpers.js';

const MODEL = '      - name: sentiment\n        registeredModel: sentiment\n';
const withModel = (extra: string, text = exampleText()) =>
  replace(MODEL, `      - name: sentiment\n        registeredModel: sentiment\n${extra}`, text);
/** The example with the sentiment SLO declared on the model instead of observability.slos. */
const SLO = 'slo: { availability: 0.995, latencyMs: 500, latencyPercent: 95 }';
const sloOnModel = (slo = SLO) => {
  const text = exampleText();
  const from = text.indexOf('  slos:\n');
  const to = text.indexOf('      window: 30d\n', from) + '      window: 30d\n'.length;
  return withModel(`        ${slo}\n`, `${text.slice(0, from)}  slos: []\n${text.slice(to)}`);
};
const one = (text: string) => {
  const p = problems(text);
  expect(p.length, p.join('\n')).toBeGreaterThan(0);
  return p.join('\n');
};

describe('models: spec', () => {
  it('the example resolves its model with defaults; a model SLO feeds observability', () => {
    const spec = parseSpec(sloOnModel());
    for (const env of spec.environments.values()) {
      const ml = env.teams.find((t) => t.name === 'ml-team')!;
      expect(ml.models.map((m) => m.name)).toEqual(['sentiment']);
      expect(ml.models[0]!.rollout.analysis.consecutiveErrorLimit).toBeUndefined();
      expect(env.observability.slos).toEqual([
        {
          name: 'sentiment',
          model: 'sentiment',
          availability: 0.995,
          latency: { objective: 0.95, thresholdMs: 500 },
        },
      ]);
    }
    const minimal = parseSpec(
      replace(
        exampleText().slice(
          exampleText().indexOf('    models:\n'),
          exampleText().indexOf('\n  - name: data-team'),
        ),
        '    models:\n      - name: sentiment\n',
      ),
    );
    const m = minimal.environments.get('local')!.teams.find((t) => t.name === 'ml-team')!.models[0]!;
    expect(m.rollout.steps).toEqual([
      { setWeight: 10 },
      { pause: { duration: '1m' } },
      { setWeight: 50 },
      { pause: { duration: '1m' } },
    ]);
    expect(m.rollout.analysis).toEqual({
      maxErrorRatio: 0.01,
      maxP95Ms: 500,
      minRequests: 50,
      interval: '1m',
      count: 3,
      failureLimit: 0,
    });
    expect(m.resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
  });

  it('refuses replicas together with autoscaling, at the replicas line', () => {
    const text = withModel('        replicas: 3\n');
    expect(problems(text)).toEqual([
      `p.yaml:${lineOf(text, 'replicas: 3')}:19: teams[0].models[0].replicas: set replicas or autoscaling, not both: the HPA owns the replica count and a Rollout that also sets it fights it, received 3`,
    ]);
  });

  it('refuses images not pinned by digest, bad names, unknown and prototype keys', () => {
    expect(one(withModel('        image: ghcr.io/acme-ml/mlp:0.1.0\n'))).toMatch(
      /models\[0\]\.image: .*pinned by digest/,
    );
    expect(one(replace(MODEL, '      - name: Sentiment\n        registeredModel: sentiment\n'))).toMatch(
      /models\[0\]\.name: .*DNS-1035/,
    );
    expect(
      one(replace(MODEL, `      - name: ${'a'.repeat(57)}\n        registeredModel: sentiment\n`)),
    ).toMatch(/models\[0\]\.name/);
    expect(one(withModel('        __proto__: { replicas: 1 }\n'))).toMatch(/__proto__/);
    expect(one(withModel('        constructor: 1\n'))).toMatch(/models\[0\]/);
    expect(one(replace('registeredModel: sentiment', 'registeredModel: "a b"'))).toMatch(
      /models\[0\]\.registeredModel/,
    );
  });

  it('refuses duplicate models, hosts taken by an ingress route, bad bounds and steps', () => {
    const dup2 = replace('    models:\n', '    models:\n      - { name: sentiment, host: other }\n');
    expect(one(dup2)).toMatch(/model "sentiment" is already defined at models\[0\]/);
    expect(one(withModel('        host: ml-api\n'))).toMatch(
      /host "ml-api" is already published by team ml-team/,
    );
    expect(one(replace('autoscaling: { min: 2, max: 4', 'autoscaling: { min: 5, max: 4'))).toMatch(
      /autoscaling\.max: expected max >= min/,
    );
    expect(
      one(
        replace(
          '            - setWeight: 10\n            - pause: { duration: 2m }\n            - setWeight: 50\n',
          '',
        ),
      ),
    ).toMatch(/rollout\.steps: expected at least one setWeight step/);
    expect(one(replace('- setWeight: 10', '- setWeight: 0'))).toMatch(/steps/);
    expect(one(replace('pause: { duration: 2m }', 'pause: { duration: 2d }'))).toMatch(/duration/);
    expect(one(replace('interval: 1m', 'interval: soon'))).toMatch(/analysis\.interval/);
    expect(one(replace('minRequests: 50', 'minRequests: 0'))).toMatch(/minRequests/);
    expect(one(replace('maxErrorRatio: 0.01', 'maxErrorRatio: 2'))).toMatch(/maxErrorRatio/);
  });

  it('needs the serving image, the registry services and the model port open', () => {
    const noImage = exampleText().replace(/ {2}serving:\n {4}image: .*\n/, '');
    expect(one(noImage)).toMatch(/platform\.serving.*set serving\.image/s);
    expect(
      one(
        replace(
          '      ingressPorts: [8080/TCP]\n      allowFrom',
          '      ingressPorts: [9090/TCP]\n      allowFrom',
        ),
      ),
    ).toMatch(/network\.ingressPorts: the team runs models, which serve on 8080/);
    expect(
      one(replace('buckets: [ml-artifacts, data-lake, model-registry]', 'buckets: [ml-artifacts]')),
    ).toMatch(/bucket "model-registry"/);
    expect(one(sloOnModel('slo: { availability: 0.995, latencyMs: 432, latencyPercent: 95 }'))).toMatch(
      /models\[0\]\.slo/,
    );
    expect(one(sloOnModel('slo: { latencyMs: 500 }'))).toMatch(/latencyMs and latencyPercent go together/);
  });

  it('refuses an SLO named twice (explicit and from a model)', () => {
    const text = withModel(`        ${SLO}\n`);
    expect(one(text)).toMatch(/an SLO named "sentiment" is already defined/);
  });
});
