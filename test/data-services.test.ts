// Shared data services: in-cluster for local, managed endpoints in the cloud, credentials from
// External Secrets, reachable only from the teams that declared them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { admitObject, isAdmissible } from '../src/admission/chain.js';
import { admissionEnv } from '../src/admission/env.js';
import { type K8sObject, objectRef as objectRefOf } from '../src/k8s/object.js';
import { evaluatePolicies } from '../src/policy/evaluate.js';
import { admissionExemptions } from '../src/policy/exemptions.js';
import { policyRules } from '../src/policy/rules.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, mlp, ROOT } from './helpers.js';

const spec = exampleSpec();
const objectsOf = (env: string) => allObjects(synthesize(spec.environments.get(env as 'local')!));
const find = (objects: K8sObject[], kind: string, ns: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name);
const EXAMPLE = ['-f', join(ROOT, 'examples', 'platform.yaml')];
// biome-ignore lint/suspicious/noExplicitAny: tests read deep into rendered manifests
type Manifest = K8sObject & { spec: any };

describe('local: in-cluster data services', () => {
  const objects = objectsOf('local');

  it('runs Postgres, Redis and MinIO as StatefulSets with PVCs, probes and credentials from secrets', () => {
    for (const [ns, name, size] of [
      ['database', 'postgres', '20Gi'],
      ['cache', 'redis', '5Gi'],
      ['storage', 'minio', '50Gi'],
    ] as const) {
      const sts = find(objects, 'StatefulSet', ns, name) as Manifest;
      expect(sts, name).toBeDefined();
      expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(size);
      const c = sts.spec.template.spec.containers[0];
      expect(c.livenessProbe && c.readinessProbe).toBeTruthy();
      expect(JSON.stringify(c.env)).toContain(`"secretKeyRef":{"name":"${name}-credentials"`);
      expect(find(objects, 'Service', ns, name)).toBeDefined();
    }
  });

  it('creates the seed buckets with a Job', () => {
    const job = find(objects, 'Job', 'storage', 'minio-buckets') as Manifest;
    const script = job.spec.template.spec.containers[0].command.join(' ');
    for (const b of ['ml-artifacts', 'data-lake', 'model-registry'])
      expect(script).toContain(`mc mb --ignore-existing platform/${b}`);
  });

  it('generates credentials in-cluster and copies them to each consumer (no secret in git)', () => {
    expect(find(objects, 'Password', 'database', 'postgres-password')).toBeDefined();
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const consumer = find(objects, 'ExternalSecret', 'ml-team', 'postgres-credentials') as Manifest;
    expect(consumer.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'platform-database' });
    expect(find(objects, 'ExternalSecret', 'app-team', 'minio-credentials')).toBeUndefined();
  });

  it("passes the platform's own admission policies", () => {
    const env = spec.environments.get('local')!;
    const findings = evaluatePolicies(objects, policyRules({ allowedRegistries: env.allowedRegistries }), {
      exemptNamespaces: admissionExemptions(env, objects).map((e) => e.namespace),
    });
    expect(findings.filter((f) => f.status !== 'pass')).toEqual([]);
    // Five workloads (three StatefulSets, the bucket Job, the model registry), every applicable
    // rule; the model Rollout is judged through the ReplicaSets it creates (models-render test).
    expect(new Set(findings.map((f) => f.resource)).size).toBe(5);
  });

  it('their Pods pass the whole admission chain, restricted Pod Security included', () => {
    const env = spec.environments.get('local')!;
    const workloads = objects.filter(isAdmissible);
    expect(workloads.map((o) => o.kind).sort()).toEqual([
      'Deployment',
      'Job',
      'Rollout',
      'StatefulSet',
      'StatefulSet',
      'StatefulSet',
    ]);
    for (const o of workloads) {
      const r = admitObject(o, admissionEnv(env, objects));
      expect(
        r.findings.filter((f) => f.status !== 'pass'),
        objectRefOf(o),
      ).toEqual([]);
      expect(r.podSecurity).toBe('restricted:v1.31');
    }
  });

  it.each([
    ['ml-team', 'database/app.kubernetes.io/name=postgres', '5432/TCP', 0],
    ['data-team', 'storage/app.kubernetes.io/name=minio', '9000/TCP', 0],
    ['app-team', 'cache/app.kubernetes.io/name=redis', '6379/TCP', 0],
    ['app-team', 'storage/app.kubernetes.io/name=minio', '9000/TCP', 1],
    ['data-team', 'cache/app.kubernetes.io/name=redis', '6379/TCP', 1],
    ['ml-team', 'database/app.kubernetes.io/name=postgres', '5433/TCP', 1],
  ])('mlp reach %s → %s on %s exits %i', async (from, to, port, code) => {
    expect((await mlp(['reach', from, to, '--port', port, '-e', 'local', ...EXAMPLE])).code).toBe(code);
  });
});

describe('cloud: managed endpoints by configuration', () => {
  const objects = objectsOf('prod');

  it('points the same service names at the managed endpoints', () => {
    expect(find(objects, 'Service', 'database', 'postgres')?.spec).toMatchObject({
      type: 'ExternalName',
      externalName: 'ml-platform-prod.cluster-c1x2.eu-west-1.rds.amazonaws.com',
    });
    expect(objects.filter((o) => o.kind === 'StatefulSet')).toEqual([]);
  });

  it('reads credentials from AWS Secrets Manager through one ClusterSecretStore', () => {
    expect(objects.find((o) => o.kind === 'ClusterSecretStore')?.spec).toMatchObject({
      provider: { aws: { service: 'SecretsManager', region: 'eu-west-1' } },
    });
    const consumer = find(objects, 'ExternalSecret', 'ml-team', 'postgres-credentials') as Manifest;
    expect(consumer.spec.data[0].remoteRef).toEqual({
      key: 'ml-platform/prod/postgres',
      property: 'username',
    });
  });

  it('gives consumers egress to the managed network and nobody else', async () => {
    expect(
      (await mlp(['reach', 'ml-team', '10.40.0.1', '--port', '5432/TCP', '-e', 'prod', ...EXAMPLE])).code,
    ).toBe(0);
    expect(
      (await mlp(['reach', 'data-team', '10.40.0.1', '--port', '6379/TCP', '-e', 'prod', ...EXAMPLE])).code,
    ).toBe(1);
  });
});
