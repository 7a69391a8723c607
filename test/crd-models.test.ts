// The CRD model packages and the tables generated from them: versions as recorded, tables up
// to date and complete, every kind's model loadable.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import kinds from '../src/generated/crd-kinds.json' with { type: 'json' };
import { crdTypes, crdValidatorFor } from '../src/k8s/crd-validators.js';
import { CRD_MODELS, type CrdKind, crdKind, isKnownCustomResource } from '../src/k8s/crds.js';
import { builtInTypes } from '../src/k8s/validators.js';
import { ROOT, tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
const index = kinds as Record<string, CrdKind>;
const packages = [...new Set(Object.values(index).map((k) => k.package))].sort();

describe('CRD model packages', () => {
  it('CRD_MODELS records the installed version of every package the tables come from', () => {
    expect(CRD_MODELS.map((m) => m.package).sort()).toEqual(packages.map((p) => `@kubernetes-models/${p}`));
    for (const m of CRD_MODELS) {
      // A new version of a package needs its upstream release looked up again (its go.mod).
      expect(require(`${m.package}/package.json`).version, m.package).toBe(m.version);
      const table = JSON.parse(
        readFileSync(join(ROOT, 'src/generated/crd-fields', `${m.package.split('/')[1]}.json`), 'utf8'),
      );
      expect(table.generatedFrom).toBe(`${m.package}@${m.version}`);
    }
  });

  it('the committed tables are what the generator produces now (npm run gen:k8s)', () => {
    const out = tempDir();
    execFileSync(process.execPath, [join(ROOT, 'scripts/gen-k8s-fields.mjs'), '--out', out], {
      stdio: 'pipe',
    });
    const files = (d: string) => readdirSync(d, { recursive: true, encoding: 'utf8' }).sort();
    const generated = join(out, 'src/generated');
    expect(files(generated)).toEqual(files(join(ROOT, 'src/generated')));
    for (const f of files(generated).filter((f) => f.endsWith('.json')))
      expect(
        readFileSync(join(generated, f), 'utf8') === readFileSync(join(ROOT, 'src/generated', f), 'utf8'),
        f,
      ).toBe(true);
  }, 60_000);

  it('every type reference resolves, in the package table or the built-in one', async () => {
    for (const p of packages) {
      const lookup = await crdTypes(p);
      const table = JSON.parse(readFileSync(join(ROOT, 'src/generated/crd-fields', `${p}.json`), 'utf8')) as {
        types: Record<string, Record<string, string | null>>;
      };
      for (const [name, fields] of Object.entries(table.types))
        for (const ref of Object.values(fields))
          if (ref) expect(lookup(ref.replace(/^(?:\[\]|\{\})*/, '')), `${p} ${name} → ${ref}`).toBeDefined();
    }
  });

  it("every kind's model loads, is that kind, and its root type is in the tables", async () => {
    for (const [key, model] of Object.entries(index)) {
      const kind = key.slice(key.lastIndexOf('/') + 1);
      const apiVersion = key.slice(0, key.lastIndexOf('/'));
      expect(crdKind(apiVersion, kind)).toBe(model);
      expect(await crdValidatorFor(model, kind), key).toBeTypeOf('function');
      const { [kind]: Model } = await import(`@kubernetes-models/${model.package}/${model.module}`);
      expect(Model.apiVersion).toBe(apiVersion);
      expect(Model.kind).toBe(kind);
      expect((await crdTypes(model.package))(model.type), key).toBeDefined();
    }
  });

  it('the engines the tree needs are there, at the apiVersions the tree uses', () => {
    for (const key of [
      'argoproj.io/v1alpha1/Application',
      'argoproj.io/v1alpha1/AppProject',
      'argoproj.io/v1alpha1/ApplicationSet',
      'cert-manager.io/v1/Certificate',
      'cert-manager.io/v1/ClusterIssuer',
      'cert-manager.io/v1/Issuer',
      'external-secrets.io/v1/ExternalSecret',
      'external-secrets.io/v1/ClusterSecretStore',
      'external-secrets.io/v1/SecretStore',
      'generators.external-secrets.io/v1alpha1/Password',
      'argoproj.io/v1alpha1/Rollout',
      'argoproj.io/v1alpha1/AnalysisTemplate',
      'monitoring.coreos.com/v1/ServiceMonitor',
      'monitoring.coreos.com/v1/PodMonitor',
      'monitoring.coreos.com/v1/PrometheusRule',
    ])
      expect(Object.hasOwn(index, key), key).toBe(true);
  });

  it('lookups ignore prototype names', async () => {
    expect(crdKind('__proto__', '')).toBeUndefined();
    expect(crdKind('constructor', 'x')).toBeUndefined();
    expect(isKnownCustomResource('__proto__', 'constructor')).toBe(false);
    expect(isKnownCustomResource('kyverno.io/v1', 'ClusterPolicy')).toBe(true);
    expect(isKnownCustomResource('cert-manager.io/v1', 'Certificate')).toBe(true);
    expect(isKnownCustomResource('v1', 'ConfigMap')).toBe(false);
    expect(builtInTypes('constructor')).toBeUndefined();
    expect(builtInTypes('__proto__')).toBeUndefined();
    expect((await crdTypes('cert-manager'))('hasOwnProperty')).toBeUndefined();
    // An unknown package name falls back to the built-in table, it does not load anything.
    expect((await crdTypes('__proto__'))('constructor')).toBeUndefined();
  });
});
