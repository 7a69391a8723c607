import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../src/check/run.js';
import { scanObjects, scanText } from '../src/check/secrets.js';
import type { K8sObject } from '../src/k8s/object.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { EXAMPLE, exampleSpec, exampleText, mlp, ROOT, readYaml, tempDir } from './helpers.js';

const { cases } = readYaml<{ cases: { expect: string[]; object: K8sObject }[] }>(
  join(ROOT, 'testdata', 'secrets', 'planted.yaml'),
);
const { formats } = readYaml<{ formats: { format: string; rule: string; value: string }[] }>(
  join(ROOT, 'testdata', 'secrets', 'formats.yaml'),
);
const configMap = (data: Record<string, string>): K8sObject =>
  ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'app-team' },
    data,
  }) as K8sObject;

describe('secret scanner', () => {
  it.each(cases.map((c, i) => ({ i, ...c })))(
    'case $i finds exactly $expect',
    async ({ expect: wanted, object }) => {
      expect((await scanObjects([object])).map((f) => `${f.ruleId} ${f.path}`)).toEqual(wanted);
    },
  );

  it.each(formats)('reports $format under its own rule, $rule', async ({ rule, value }) => {
    // Under a neutral key, so the key-name rule cannot stand in for a missing format.
    expect((await scanObjects([configMap({ note: value })])).map((f) => `${f.ruleId} ${f.path}`)).toEqual([
      `${rule} data.note`,
    ]);
    // In spec text too, on its line.
    const text = `a: 1\nnote: ${JSON.stringify(value)}\n`;
    expect((await scanText(text, 'p.yaml')).map((f) => `${f.ruleId} ${f.resource}`)).toEqual([
      `${rule} p.yaml:2`,
    ]);
  });

  it('reports a literal under a credential key as secrets.credential-key', async () => {
    expect((await scanObjects([configMap({ DB_PASSWORD: 'hunter2hunter2' })])).map((f) => f.ruleId)).toEqual([
      'secrets.credential-key',
    ]);
    expect((await scanText('db_password: hunter2hunter2 # oops\n', 'p.yaml')).map((f) => f.ruleId)).toEqual([
      'secrets.credential-key',
    ]);
    expect(await scanObjects([configMap({ DB_PASSWORD_REF: 'db-password' })])).toEqual([]);
  });

  // A 200 KB line in each shape that made a pattern quadratic (3.5 s at 80 KB): linear now, so
  // these finish in milliseconds; the old patterns took tens of seconds each.
  it.each([
    ['a scheme-like run', 'a'.repeat(200_000)],
    ['repeated JWT heads', 'eyJ-'.repeat(50_000)],
    ['spaces before no colon', `${' '.repeat(200_000)}x`],
    ['a key and a long unquoted value', `key: ${'a"'.repeat(100_000)}b`],
  ])(
    'scans a long line of %s in linear time',
    async (_name, line) => {
      expect(await scanText(`${line}\n`, 'p.yaml')).toEqual([]);
      expect(await scanObjects([configMap({ note: line })])).toEqual([]);
    },
    10_000,
  );

  it('finds nothing in the example spec or any rendered environment', async () => {
    expect(await scanText(exampleText(), EXAMPLE)).toEqual([]);
    for (const env of exampleSpec().environments.values())
      expect(await scanObjects(allObjects(synthesize(env)))).toEqual([]);
  });

  it('points at the line of a secret in spec text', async () => {
    const text = `${exampleText()}\n# oops\nnotes: { db: "postgres://admin:s3cret@db:5432/x" }\n`;
    const f = await scanText(text, 'platform.yaml');
    expect(f).toHaveLength(1);
    expect(f[0]!.resource).toBe(`platform.yaml:${text.split('\n').length - 1}`);
  });

  it('fails mlp check when a secret is planted in the tree', async () => {
    const env = exampleSpec().environments.get('local')!;
    const report = await runChecks([...allObjects(synthesize(env)), cases[0]!.object], env);
    expect(report.findings.filter((f) => f.status === 'fail').map((f) => f.ruleId)).toContain(
      'secrets.secret-object',
    );
  });

  it('fails mlp check when the spec file itself holds a credential', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'platform.yaml'),
      `${exampleText()}# db: postgres://admin:password@postgres:5432/metadata\n`,
    );
    const r = await mlp(['check', '-e', 'local', '-o', 'json'], dir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).specFindings).toEqual([
      expect.objectContaining({ ruleId: 'secrets.url-password' }),
    ]);
  });
});

describe('reporting', () => {
  it('mlp check --output sarif locates findings in the rendered files, with severity levels', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'platform.yaml'),
      `${exampleText()}# db: postgres://admin:password@postgres:5432/metadata\n`,
    );
    const r = await mlp(['check', '-e', 'local', '-o', 'sarif'], dir);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    const [result] = sarif.runs[0].results;
    expect(result).toMatchObject({
      ruleId: 'secrets.url-password',
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'platform.yaml' },
            region: { startLine: exampleText().split('\n').length },
          },
        },
      ],
    });
    expect(sarif.runs[0].tool.driver.rules).toEqual([
      {
        id: 'secrets.url-password',
        shortDescription: { text: 'secrets.url-password' },
      },
    ]);
  });

  it('maps a failing resource to its file under gitops/<env>/ and summarizes by severity', async () => {
    const { toSarif } = await import('../src/check/sarif.js');
    const { bySeverity } = await import('../src/check/severity.js');
    const findings = [
      {
        ruleId: 'policy.labels-required',
        status: 'fail' as const,
        resource: 'Deployment/ml-team/x',
        path: 'metadata.labels',
        message: 'm',
      },
      {
        ruleId: 'rbac.isolation',
        status: 'fail' as const,
        resource: 'RoleBinding/ml-team/y',
        path: 'subjects',
        message: 'm',
      },
      { ruleId: 'schema', status: 'pass' as const, resource: 'environment/local', path: '', message: 'ok' },
    ];
    const sarif = toSarif({
      findings,
      files: new Map([['RoleBinding/ml-team/y', 'gitops/local/rbac/ml-team.yaml']]),
      fallbackFile: 'platform.yaml',
      version: '0',
    }) as {
      runs: {
        results: {
          level: string;
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
        }[];
      }[];
    };
    expect(
      sarif.runs[0]!.results.map((x) => [x.level, x.locations[0]!.physicalLocation.artifactLocation.uri]),
    ).toEqual([
      ['note', 'platform.yaml'],
      ['error', 'gitops/local/rbac/ml-team.yaml'],
    ]);
    expect(bySeverity(findings)).toEqual({ high: 1, medium: 0, low: 1 });
  });
});
