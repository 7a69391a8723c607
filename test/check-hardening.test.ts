/** Issue 7, items 1, 4 and 6 on the check side: duplicate objects, /32 endpoints, unbounded quotas. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemNamespaces } from '../src/check/namespaces.js';
import { NetworkModel } from '../src/check/network/reach.js';
import { checkNetwork } from '../src/check/network/rules.js';
import { validateNetworkPolicies } from '../src/check/network/validate.js';
import { checkCapacity } from '../src/check/quota/fit.js';
import { runChecks } from '../src/check/run.js';
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

  it('reach reasons over a duplicated policy once: same verdict, each policy named once', () => {
    const objects = fresh();
    const deny = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'data-team')!;
    const model = new NetworkModel([...objects, structuredClone(deny)], systemNamespaces(local));
    const once = new NetworkModel(objects, systemNamespaces(local));
    const from = { kind: 'pod' as const, namespace: 'ml-team', labels: {} };
    const to = { kind: 'pod' as const, namespace: 'data-team', labels: {} };
    expect(model.reach(from, to)).toEqual(once.reach(from, to));
    expect(model.reach(from, to).reason).toBe(
      'egress: denied (isolated by ml-team/allow-to-otel-collector, ml-team/default-deny-all, ml-team/allow-dns, ml-team/allow-same-namespace, ml-team/allow-to-service-postgres, ml-team/allow-to-service-redis, ml-team/allow-to-service-minio; no rule matches); ingress: denied (isolated by data-team/default-deny-all, data-team/allow-same-namespace, data-team/allow-from-monitoring; no rule matches)',
    );
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

describe('schema.network-policy: what the API server validates in Go (items 4 and 5)', () => {
  // The rules of kubernetes pkg/apis/networking/validation/validation.go (ValidateNetworkPolicyPort,
  // ValidateNetworkPolicyPeer, ValidateIPBlock, ValidateNetworkPolicySpec), with cases from its
  // validation_test.go TestValidateNetworkPolicy: the error cases "invalid ingress.ports.protocol"
  // (ICMP, judged by the OpenAPI enum), "invalid ingress.ports.port (int)" (123456789) and
  // "(str)" ("!@#$"); the success cases with empty from/ports, a port with only a protocol and
  // the named port "dns".
  const policy = (spec: object): K8sObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: 'ml-team' },
    spec: { podSelector: {}, ...spec },
  });
  const messages = (spec: object) =>
    validateNetworkPolicies([policy(spec)]).map((f) => `${f.path}: ${f.message}`);

  it.each([
    [
      { ingress: [{ ports: [{ port: 99999 }] }] },
      ['spec.ingress[0].ports[0].port: must be between 1 and 65535, inclusive, received 99999'],
    ],
    [
      { egress: [{ ports: [{ port: 9100, endPort: 9000 }] }] },
      ['spec.egress[0].ports[0].endPort: must be greater than or equal to `port` (9100), received 9000'],
    ],
    [
      { egress: [{ ports: [{ port: 'metrics', endPort: 9000 }] }] },
      ['spec.egress[0].ports[0].endPort: may not be specified when `port` is non-numeric'],
    ],
    [
      { egress: [{ ports: [{ endPort: 9000 }] }] },
      ['spec.egress[0].ports[0].endPort: may not be specified when `port` is not specified'],
    ],
    [
      { ingress: [{ ports: [{ port: 'Not_A_Name' }] }] },
      [
        'spec.ingress[0].ports[0].port: expected a port number or an IANA_SVC_NAME (at most 15 lowercase letters, digits and "-", with a letter), received "Not_A_Name"',
      ],
    ],
    [
      { ingress: [{ from: [{}] }] },
      ['spec.ingress[0].from[0]: must specify a peer (podSelector, namespaceSelector or ipBlock)'],
    ],
    [
      { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] },
      ['spec.egress[0].to[0]: may not specify both ipBlock and another peer'],
    ],
    [
      { egress: [{ to: [{ ipBlock: { cidr: '999.40.0.0/99' } }] }] },
      [
        'spec.egress[0].to[0].ipBlock.cidr: expected an IPv4 or IPv6 CIDR such as 10.0.0.0/16 or 2001:db8::/64, received "999.40.0.0/99"',
      ],
    ],
    [
      {
        egress: [
          {
            to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8', '11.0.0.0/16', '2001:db8::/64'] } }],
          },
        ],
      },
      [
        'spec.egress[0].to[0].ipBlock.except[0]: must be a strict subset of `cidr` (10.0.0.0/8), received "10.0.0.0/8"',
        'spec.egress[0].to[0].ipBlock.except[1]: must be a strict subset of `cidr` (10.0.0.0/8), received "11.0.0.0/16"',
        'spec.egress[0].to[0].ipBlock.except[2]: must be a strict subset of `cidr` (10.0.0.0/8), received "2001:db8::/64"',
      ],
    ],
    [
      { policyTypes: ['Ingress', 'Egress', 'Ingress'] },
      ['spec.policyTypes: may not specify more than two policyTypes'],
    ],
    [
      { ingress: [{ ports: [{ protocol: 'TCP', port: 123456789 }] }] },
      ['spec.ingress[0].ports[0].port: must be between 1 and 65535, inclusive, received 123456789'],
    ],
    [
      { ingress: [{ ports: [{ protocol: 'TCP', port: '!@#$' }] }] },
      [
        'spec.ingress[0].ports[0].port: expected a port number or an IANA_SVC_NAME (at most 15 lowercase letters, digits and "-", with a letter), received "!@#$"',
      ],
    ],
  ])('%j', (spec, expected) => expect(messages(spec)).toEqual(expected));

  it.each([
    [{ policyTypes: [], egress: [], ingress: [{ from: [], ports: [] }] }],
    [
      {
        ingress: [
          {
            ports: [
              { port: 80 },
              { protocol: 'TCP' },
              { protocol: 'TCP', port: 443 },
              { protocol: 'UDP', port: 'dns' },
            ],
          },
        ],
      },
    ],
    [
      {
        egress: [
          {
            to: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }],
            ports: [{ port: 32000, endPort: 32768 }],
          },
        ],
      },
    ],
    [
      {
        ingress: [
          {
            from: [{ namespaceSelector: {}, podSelector: {} }],
            ports: [{ port: 'metrics', protocol: 'SCTP' }],
          },
        ],
      },
    ],
  ])('valid: %j', (spec) => expect(messages(spec)).toEqual([]));

  it('runs in mlp check next to the OpenAPI validation, which judges the protocol (ICMP)', async () => {
    const objects = fresh();
    objects.push(policy({ ingress: [{ ports: [{ protocol: 'ICMP', port: 99999 }] }] }));
    const report = await runChecks(objects, local);
    expect(
      report.findings.filter((f) => f.status === 'fail').map((f) => `${f.ruleId} ${f.resource} ${f.path}`),
    ).toEqual([
      'schema.network-policy NetworkPolicy/ml-team/p spec.ingress[0].ports[0].port',
      'schema.invalid NetworkPolicy/ml-team/p spec.ingress[0].ports[0].protocol',
    ]);
  });

  it('the example tree has none of these problems', () => {
    for (const env of spec.environments.values())
      expect(validateNetworkPolicies(allObjects(synthesize(env)))).toEqual([]);
  });
});
