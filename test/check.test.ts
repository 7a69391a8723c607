// Each check must catch the problem it exists for: plant it in the rendered tree, expect the rule.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../src/check/run.js';
import type { K8sObject } from '../src/k8s/object.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, ROOT, readYaml } from './helpers.js';

const env = exampleSpec().environments.get('local')!;
const fresh = () => structuredClone(allObjects(synthesize(env)));
const failing = async (objects: K8sObject[], e = env) =>
  (await runChecks(objects, e)).findings.filter((f) => f.status === 'fail');
const netpol = (ns: string, name: string, spec: object): K8sObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: ns },
  spec,
});

describe('mlp check catches planted problems', () => {
  it('passes the untouched tree', async () => {
    expect(await failing(fresh())).toEqual([]);
  });

  it('schema: unknown field, enum, removed API, bad name, missing namespace', async () => {
    const objects = fresh();
    const q = objects.find((o) => o.kind === 'ResourceQuota')!;
    (q.spec as Record<string, unknown>).hardd = {};
    const np = objects.find((o) => o.kind === 'NetworkPolicy')!;
    (np.spec as Record<string, unknown>).policyTypes = ['Sideways'];
    objects.push({
      apiVersion: 'policy/v1beta1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'pdb', namespace: 'ml-team' },
      spec: {},
    });
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'Bad_Name', namespace: 'ml-team' },
    });
    objects.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'no-ns' } });
    objects.push({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    const f = await failing(objects);
    expect(f.map((x) => `${x.ruleId} ${x.resource} ${x.path}`).sort()).toEqual(
      [
        `schema.unknown-field ResourceQuota/${q.metadata.namespace}/${q.metadata.name} spec.hardd`,
        `schema.invalid NetworkPolicy/${np.metadata.namespace}/${np.metadata.name} spec.policyTypes[0]`,
        'schema.api-version PodDisruptionBudget/ml-team/pdb apiVersion',
        'schema.name ConfigMap/ml-team/Bad_Name metadata.name',
        'schema.namespace Secret/no-ns metadata.namespace',
        'schema.unknown-kind Widget/w kind',
      ].sort(),
    );
    expect(f.find((x) => x.ruleId === 'schema.api-version')!.message).toBe(
      'policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25; the target is 1.31',
    );
  });

  it('rbac: wildcards in team roles and bindings of non-members', async () => {
    const objects = fresh();
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.name === 'ml-team-viewer')!;
    (role.rules as { verbs: string[] }[])[0]!.verbs = ['*'];
    const rb = objects.find((o) => o.kind === 'RoleBinding' && o.metadata.name === 'data-team-developer')!;
    (rb.subjects as object[]).push({
      kind: 'Group',
      apiGroup: 'rbac.authorization.k8s.io',
      name: 'app-developers',
    });
    const f = await failing(objects);
    // The wildcard also lets ml-team viewers create pods, which the role check reports.
    expect([...new Set(f.map((x) => x.ruleId))].sort()).toEqual([
      'rbac.escalation',
      'rbac.isolation',
      'rbac.no-wildcards',
      'rbac.team-roles',
    ]);
    // With create pods, viewers run as the team's developer-level service account, and the
    // stray app-developers reach data-team's shared services through its service account.
    const escalations = f.filter((x) => x.ruleId === 'rbac.escalation').map((x) => x.message);
    expect(escalations).toContain(
      'Group data-scientists escalates beyond its own roles: Group data-scientists → create pods in ml-team (RoleBinding ml-team/ml-team-viewer → Role ml-team-viewer) → run as ServiceAccount ml-team/training-runner → holds RoleBinding ml-team/ml-team-developer → Role ml-team-developer',
    );
    expect(escalations).toContain(
      'Group app-developers escalates beyond its own roles: Group app-developers → create pods in data-team (RoleBinding data-team/data-team-developer → Role data-team-developer) → run as ServiceAccount data-team/pipeline-runner → holds RoleBinding storage/data-team-shared-service-reader → Role shared-service-reader',
    );
    expect(f.find((x) => x.resource === 'RoleBinding/data-team/data-team-developer')!.message).toBe(
      'Group:app-developers is bound in data-team but is not a member of the team',
    );
  });

  it('network: an undeclared path between teams breaks the isolation matrix', async () => {
    const objects = fresh();
    objects.push(
      netpol('ml-team', 'oops-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }),
    );
    objects.push(
      netpol('data-team', 'oops-ingress', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }),
    );
    const f = await failing(objects);
    expect(f.map((x) => x.message)).toContain(
      'ml-team can reach data-team although the spec does not allow it',
    );
    // Egress to everything includes the cloud metadata endpoint.
    expect(
      f.every((x) => ['network.isolation', 'network.shared-services', 'network.metadata'].includes(x.ruleId)),
    ).toBe(true);
  });

  it('network: DNS, monitoring and a declared allowance that the policies block', async () => {
    const objects = fresh().filter(
      (o) =>
        !(
          o.kind === 'NetworkPolicy' &&
          o.metadata.namespace === 'app-team' &&
          o.metadata.name === 'allow-dns'
        ) &&
        !(
          o.kind === 'NetworkPolicy' &&
          o.metadata.namespace === 'ml-team' &&
          ['allow-from-monitoring', 'allow-from-team-app-team'].includes(o.metadata.name)
        ),
    );
    const f = await failing(objects);
    expect(f.map((x) => x.ruleId).sort()).toEqual([
      'network.dns',
      'network.dns',
      'network.isolation',
      'network.monitoring',
      // The same blocked metrics port, seen from the Prometheus pods' scrape of ml-team.
      'observability.scrape-reachable',
    ]);
    expect(f.find((x) => x.ruleId === 'network.isolation')!.message).toBe(
      'app-team should reach ml-team (declared) but the policies block it',
    );
  });

  it("policy: a workload in the tree is judged by the environment's own admission rules", async () => {
    const { object } = readYaml<{ object: K8sObject }>(join(ROOT, 'testdata', 'policy', 'bad-workload.yaml'));
    const f = await failing([...fresh(), object]);
    // Pod Security comes from ml-team's labels (restricted); the template's labels lack team and
    // environment, so the ReplicaSets and Pods it creates would be refused.
    expect(f.map((x) => x.ruleId).sort()).toEqual([
      'pod-security.allowPrivilegeEscalation',
      'pod-security.privileged',
      'pod-security.restrictedVolumes',
      'policy.image-registry-allowed',
      'policy.image-tag-pinned',
      'policy.labels-required',
      'policy.probes-required',
      'policy.resources-required',
    ]);
  });

  it('quota: team quotas larger than the cluster', async () => {
    const small = { ...env, capacity: { ...env.capacity, cpu: '10' } };
    const f = await failing(allObjects(synthesize(small)), small);
    expect(f).toEqual([
      expect.objectContaining({
        ruleId: 'quota.capacity',
        path: 'capacity.cpu',
        message:
          "team quotas claim 12 and the platform's workloads outside any quota request 800m (storage/minio, database/postgres, cache/redis, database/mlp-registry): 12800m of 10 allocatable (128%)",
      }),
    ]);
  });

  it('quota: LimitRange maximum above the quota, and no defaults', async () => {
    const objects = fresh();
    const lr = objects.find((o) => o.kind === 'LimitRange' && o.metadata.namespace === 'app-team')!;
    const item = (lr.spec as { limits: Record<string, unknown>[] }).limits[0]!;
    item.max = { cpu: '64', memory: '6Gi' };
    delete item.defaultRequest;
    delete item.default;
    const f = await failing(objects);
    const messages = f.map((x) => x.message);
    expect(messages).toContain(
      'maximum 64 exceeds the quota limits.cpu 4: a pod the LimitRange allows is still rejected',
    );
    expect(messages).toContain(
      'the quota tracks requests.cpu but there is no default request: pods without resources are rejected',
    );
    expect(messages.some((m) => m.startsWith('a pod without resources is rejected: '))).toBe(true);
  });
});
