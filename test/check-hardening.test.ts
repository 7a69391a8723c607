/** Issue 7, items 1, 4 and 6 on the check side: duplicate objects, /32 endpoints, unbounded quotas. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NetworkModel } from '../src/check/network/reach.js';
import { checkNetwork } from '../src/check/network/rules.js';
import { checkCapacity } from '../src/check/quota/fit.js';
import { runChecks, systemNamespaces } from '../src/check/run.js';
import { checkUnique } from '../src/check/unique.js';
import type { K8sObject } from '../src/k8s/object.js';
import { parseSpec } from '../src/spec/load.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { EXAMPLE, exampleSpec, mlp, tempDir } from './helpers.js';
import { replace } from './spec-helpers.js';

const spec = exampleSpec();
const local = spec.environments.get('local')!;
const fresh = () => structuredClone(allObjects(synthesize(local)));

describe('schema.unique: no two objects share group, kind, namespace and name (item 1)', () => {
  it('fails a tree with one NetworkPolicy twice, located at both files', async () => {
    const objects = fresh();
    const np = objects.find(
      (o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-from-team-app-team',
    )!;
    const copy = structuredClone(np);
    objects.push(copy);
    const where = new Map<K8sObject, string>([
      [np, 'gitops/local/network-policies/ml-team.yaml'],
      [copy, 'gitops/local/network-policies/extra.yaml'],
    ]);
    const report = await runChecks(objects, local, { fileOf: (o) => where.get(o) });
    expect(report.findings.filter((f) => f.status === 'fail')).toEqual([
      {
        ruleId: 'schema.unique',
        status: 'fail',
        resource: 'NetworkPolicy/ml-team/allow-from-team-app-team',
        path: 'metadata.name',
        message:
          'NetworkPolicy.networking.k8s.io ml-team/allow-from-team-app-team is rendered 2 times (gitops/local/network-policies/ml-team.yaml, gitops/local/network-policies/extra.yaml); the API server holds one object per group, kind, namespace and name, and kubectl kustomize refuses the tree',
        fix: 'remove the spec entry that renders the second copy',
      },
    ]);
    expect(report.severity.high).toBe(1);
  });

  it('compares API groups, not versions; the core group is ""; cluster-scoped objects have no namespace', () => {
    const ns = (apiVersion: string, name: string): K8sObject => ({
      apiVersion,
      kind: 'Namespace',
      metadata: { name },
    });
    const hpa = (apiVersion: string): K8sObject => ({
      apiVersion,
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h', namespace: 'a' },
    });
    expect(checkUnique([ns('v1', 'a'), ns('v1', 'b')])).toEqual([]);
    expect(checkUnique([hpa('autoscaling/v1'), hpa('autoscaling/v2')])[0]?.message).toMatch(
      /^HorizontalPodAutoscaler\.autoscaling a\/h is rendered 2 times \(object #1 of the tree, object #2 of the tree\)/,
    );
    expect(checkUnique([ns('v1', 'a'), ns('v1', 'a')])[0]?.message).toMatch(
      /^Namespace a is rendered 2 times/,
    );
    expect(checkUnique([ns('v1', 'a'), { ...ns('example.com/v1', 'a') }])).toEqual([]);
  });

  it('the example renders no object twice in any environment', () => {
    for (const env of spec.environments.values())
      expect(checkUnique(allObjects(synthesize(env)))).toEqual([]);
  });
});

describe('managed endpoints with a one-address CIDR (item 4)', () => {
  it('a /32 endpoint is reachable for the teams that declared it, as reach says', () => {
    const text = replace(
      'redis: { managed: { endpoint: "ml-platform-prod.abc123.euw1.cache.amazonaws.com:6379", cidr: 10.40.0.0/16 } }',
      'redis: { managed: { endpoint: "ml-platform-prod.abc123.euw1.cache.amazonaws.com:6379", cidr: 10.40.7.9/32 } }',
    );
    const prod = parseSpec(text, 'p.yaml').environments.get('prod')!;
    const objects = allObjects(synthesize(prod));
    const model = new NetworkModel(objects, systemNamespaces(prod));
    const findings = checkNetwork(model, prod).findings.filter((f) => f.ruleId === 'network.shared-services');
    expect(findings.filter((f) => f.status === 'fail')).toEqual([]);
    expect(findings.map((f) => f.message)).toContain(
      'ml-team → redis (ml-platform-prod.abc123.euw1.cache.amazonaws.com:6379) reachable',
    );
    expect(
      model.reach({ kind: 'pod', namespace: 'ml-team', labels: {} }, { kind: 'ip', ip: '10.40.7.9' }).allowed,
    ).toBe(true);
  });

  it('mlp reach takes an IPv6 address', async () => {
    const text = replace(
      'metricsPorts: [8080/TCP]\n\n  - name: app-team',
      'metricsPorts: [8080/TCP]\n      egressCidrs: [2001:db8::/32]\n\n  - name: app-team',
    );
    const file = join(tempDir(), 'platform.yaml');
    writeFileSync(file, text);
    const yes = await mlp([
      'reach',
      'data-team',
      '2001:db8::10',
      '-f',
      file,
      '-e',
      'local',
      '--port',
      '443/TCP',
    ]);
    expect(yes.code, yes.stderr).toBe(0);
    const no = await mlp([
      'reach',
      'data-team',
      '2001:db9::10',
      '-f',
      file,
      '-e',
      'local',
      '--port',
      '443/TCP',
    ]);
    expect(no.code).toBe(1);
  });
});

describe('quota.capacity: a team without a quota is unbounded, not 0 (item 6)', () => {
  it('fails and names the team', () => {
    const objects = fresh();
    const q = objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === 'app-team')!;
    const hard = (q.spec as { hard: Record<string, string> }).hard;
    delete hard['requests.cpu'];
    delete hard['limits.cpu'];
    const findings = checkCapacity(
      objects,
      local.capacity,
      'local',
      local.teams.map((t) => t.name),
    );
    expect(findings.filter((f) => f.status === 'fail')).toEqual([
      {
        ruleId: 'quota.capacity',
        status: 'fail',
        resource: 'environment/local',
        path: 'capacity.cpu',
        message:
          "app-team has no requests.cpu quota, so it is unbounded and may claim all 16 allocatable; the other teams' quotas claim 10",
        fix: 'set quota.requests.cpu (or quota.limits.cpu) for app-team',
      },
    ]);
  });

  it('a limits quota bounds requests too; a missing ResourceQuota leaves everything unbounded', () => {
    const objects = fresh();
    const q = objects.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === 'app-team')!;
    delete (q.spec as { hard: Record<string, string> }).hard['requests.cpu'];
    const teams = local.teams.map((t) => t.name);
    expect(checkCapacity(objects, local.capacity, 'local', teams).filter((f) => f.status === 'fail')).toEqual(
      [],
    );
    const without = objects.filter((o) => o !== q);
    const failing = checkCapacity(without, local.capacity, 'local', teams).filter((f) => f.status === 'fail');
    expect(failing.map((f) => f.path)).toEqual([
      'capacity.cpu',
      'capacity.memory',
      'capacity.gpu',
      'capacity.storage',
    ]);
  });

  it('the spec: a team whose quota sets no cpu fails mlp check', async () => {
    const text = replace(
      'requests: { cpu: "8", memory: 24Gi }\n      limits: { cpu: "16", memory: 48Gi }',
      'requests: { memory: 24Gi }\n      limits: { memory: 48Gi }',
    );
    const staging = parseSpec(text, 'p.yaml').environments.get('staging')!;
    const report = await runChecks(allObjects(synthesize(staging)), staging);
    expect(report.findings.filter((f) => f.status === 'fail').map((f) => f.message)).toEqual([
      "app-team has no requests.cpu quota, so it is unbounded and may claim all 64 allocatable; the other teams' quotas claim 36",
    ]);
  });
});

describe('the example', () => {
  it('passes mlp check in every environment', async () => {
    const r = await mlp(['check', '-f', EXAMPLE]);
    expect(r.code, r.stdout).toBe(0);
  }, 60_000);
});
