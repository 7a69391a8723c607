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

describe('secret scanner', () => {
  it.each(cases.map((c, i) => ({ i, ...c })))(
    'case $i finds exactly $expect',
    ({ expect: wanted, object }) => {
      expect(scanObjects([object]).map((f) => `${f.ruleId} ${f.path}`)).toEqual(wanted);
    },
  );

  it('finds nothing in the example spec or any rendered environment', () => {
    expect(scanText(exampleText(), EXAMPLE)).toEqual([]);
    for (const env of exampleSpec().environments.values())
      expect(scanObjects(allObjects(synthesize(env)))).toEqual([]);
  });

  it('points at the line of a secret in spec text', () => {
    const text = `${exampleText()}\n# oops\nnotes: { db: "postgres://admin:s3cret@db:5432/x" }\n`;
    const f = scanText(text, 'platform.yaml');
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
      expect.objectContaining({ ruleId: 'secrets.literal', message: 'looks like a password in a URL' }),
    ]);
  });
});
