// Custom resources of the engines are validated offline like built-ins: planted defects fail
// with their path, free-form maps accept anything, Kyverno is skipped with its reason.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Finding } from '../src/check/finding.js';
import { runChecks } from '../src/check/run.js';
import { checkSchema } from '../src/check/schema.js';
import { crdKind, withoutModelReason } from '../src/k8s/crds.js';
import type { K8sObject } from '../src/k8s/object.js';
import { typeForKind } from '../src/k8s/validators.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, mlp, ROOT, readYaml } from './helpers.js';

const dir = join(ROOT, 'testdata', 'crd');
const load = (file: string) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as K8sObject);
const reported = (f: readonly Finding[]) => f.filter((x) => x.status !== 'pass');

describe('custom resources against their model packages (testdata/crd)', () => {
  for (const name of readdirSync(dir).sort()) {
    it(name, async () => {
      const objects = load(join(dir, name, 'input.yaml'));
      const expected = readYaml<Partial<Finding>[]>(join(dir, name, 'expected.yaml'));
      const found = reported(await checkSchema(objects, '1.31'));
      // Each expectation names the fields it pins; message and fix are pinned where given.
      expect(found, JSON.stringify(found, null, 2)).toHaveLength(expected.length);
      const byPath = new Map(found.map((f) => [`${f.resource} ${f.path} ${f.ruleId}`, f]));
      for (const e of expected) {
        const f = byPath.get(`${e.resource} ${e.path} ${e.ruleId}`);
        expect(f, `${e.ruleId} ${e.resource} ${e.path} in ${JSON.stringify(found)}`).toBeDefined();
        expect(f).toMatchObject(e);
      }
    });
  }

  it('the hostile keys leave Object.prototype alone', async () => {
    await checkSchema(load(join(dir, 'hostile-keys', 'input.yaml')), '1.31');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });
});

describe('the example tree', () => {
  const spec = exampleSpec();
  const envs = [...spec.environments.values()];

  it('every custom resource it renders has a model (no skip for Argo CD, cert-manager, ESO)', () => {
    const customKinds = new Set<string>();
    for (const env of envs)
      for (const o of allObjects(synthesize(env))) {
        if (typeForKind(o.apiVersion, o.kind)) continue;
        customKinds.add(`${o.apiVersion}/${o.kind}`);
        expect(crdKind(o.apiVersion, o.kind) ?? withoutModelReason(o.apiVersion, o.kind)).toBeDefined();
        if (!/kyverno\.io/.test(o.apiVersion)) expect(crdKind(o.apiVersion, o.kind)).toBeDefined();
      }
    // What the tree emits today; a new kind shows up here and must have a model.
    expect([...customKinds].sort()).toEqual(
      expect.arrayContaining([
        'cert-manager.io/v1/Certificate',
        'cert-manager.io/v1/ClusterIssuer',
        'external-secrets.io/v1/ClusterSecretStore',
        'external-secrets.io/v1/ExternalSecret',
        'generators.external-secrets.io/v1alpha1/Password',
      ]),
    );
  });

  it('a field planted in every custom resource of every environment fails with its path', async () => {
    for (const env of envs) {
      const objects = structuredClone(allObjects(synthesize(env)));
      const planted = objects.filter((o) => crdKind(o.apiVersion, o.kind));
      expect(planted.length).toBeGreaterThan(0);
      for (const o of planted) (o.spec as Record<string, unknown>).zzz = 1;
      const f = (await runChecks(objects, env)).findings.filter((x) => x.status === 'fail');
      expect(f.map((x) => `${x.ruleId} ${x.resource} ${x.path}`).sort()).toEqual(
        planted
          .map(
            (o) =>
              `schema.unknown-field ${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name} spec.zzz`,
          )
          .sort(),
      );
    }
  });

  it('mlp check passes every environment with no schema skip', async () => {
    const r = await mlp(['check', '-o', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { reports: { environment: string; findings: Finding[] }[] };
    expect(out.reports.map((x) => x.environment).sort()).toEqual(['dev', 'local', 'prod', 'staging']);
    for (const rep of out.reports) {
      expect(rep.findings.filter((f) => f.ruleId.startsWith('schema') && f.status !== 'pass')).toEqual([]);
    }
  });
});
