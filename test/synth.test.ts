import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTree } from '../src/gitops/render.js';
import { readTree, writeTree } from '../src/gitops/write.js';
import type { K8sObject } from '../src/k8s/object.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec, ROOT } from './helpers.js';

const spec = exampleSpec();
const GOLDEN = join(ROOT, 'testdata', 'golden');

describe('golden trees', () => {
  for (const [name, env] of spec.environments) {
    it(`gitops/${name} matches testdata/golden/${name}`, () => {
      const files = renderTree(synthesize(env));
      const dir = join(GOLDEN, name);
      if (process.env.UPDATE_GOLDEN) writeTree(dir, files);
      expect(existsSync(dir), `no golden tree; run UPDATE_GOLDEN=1 npm test`).toBe(true);
      const golden = readTree(dir);
      expect([...files.keys()].sort()).toEqual([...golden.keys()].sort());
      for (const [path, content] of files) expect(content, path).toBe(golden.get(path));
    });
  }

  it('renders byte-identical output twice', () => {
    for (const env of spec.environments.values()) {
      const a = renderTree(synthesize(env));
      const b = renderTree(synthesize(env));
      expect([...a]).toEqual([...b]);
    }
  });
});

describe('what a team namespace gets', () => {
  const local = spec.environments.get('local')!;
  const objects = allObjects(synthesize(local));
  const find = (kind: string, ns: string | undefined, name: string) =>
    objects.find(
      (o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name,
    ) as K8sObject;

  it('labels namespaces for cost, ownership and Pod Security Admission', () => {
    expect(find('Namespace', undefined, 'ml-team').metadata.labels).toMatchObject({
      team: 'ml-team',
      'cost-center': 'ml-research',
      environment: 'local',
      'app.kubernetes.io/managed-by': 'mlp',
      'app.kubernetes.io/part-of': 'ml-platform',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.31',
    });
  });

  it('renders the quota with GPUs, storage and object counts, and no resourcequotas cap', () => {
    const hard = (find('ResourceQuota', 'ml-team', 'ml-team-quota').spec as { hard: Record<string, string> })
      .hard;
    expect(hard).toMatchObject({
      'requests.cpu': '6',
      'requests.nvidia.com/gpu': '0',
      'requests.storage': '100Gi',
      pods: '50',
    });
    expect(hard).not.toHaveProperty('resourcequotas');
    const staging = allObjects(synthesize(spec.environments.get('staging')!));
    const st = staging.find((o) => o.kind === 'ResourceQuota' && o.metadata.namespace === 'ml-team')!;
    expect((st.spec as { hard: Record<string, string> }).hard).toMatchObject({
      'requests.cpu': '20',
      'requests.memory': '64Gi',
      'requests.nvidia.com/gpu': '4',
    });
  });

  it('gives every owned namespace a default-deny policy and DNS egress selected by metadata.name', () => {
    for (const ns of ['ml-team', 'data-team', 'app-team', 'database', 'cache', 'storage']) {
      expect(find('NetworkPolicy', ns, 'default-deny-all').spec).toEqual({
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
      });
      const dns = find('NetworkPolicy', ns, 'allow-dns').spec as {
        egress: { to: { namespaceSelector: unknown }[]; ports: unknown[] }[];
      };
      expect(dns.egress[0]!.to[0]!.namespaceSelector).toEqual({
        matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
      });
      expect(dns.egress[0]!.ports).toEqual([
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ]);
    }
  });

  it('renders a cross-team allowance on both sides', () => {
    expect(find('NetworkPolicy', 'ml-team', 'allow-from-team-app-team')).toBeDefined();
    expect(find('NetworkPolicy', 'app-team', 'allow-to-team-ml-team')).toBeDefined();
    expect(find('NetworkPolicy', 'data-team', 'allow-to-team-ml-team')).toBeUndefined();
  });

  it('binds the spec members to the team roles', () => {
    const rb = find('RoleBinding', 'ml-team', 'ml-team-developer') as K8sObject & {
      subjects: { kind: string; name: string }[];
    };
    expect(rb.subjects).toContainEqual({
      kind: 'Group',
      apiGroup: 'rbac.authorization.k8s.io',
      name: 'ml-engineers',
    });
    expect(rb.subjects).toContainEqual({
      kind: 'ServiceAccount',
      name: 'training-runner',
      namespace: 'ml-team',
    });
  });

  it('writes a tree that replaces the previous one', () => {
    const dir = join(ROOT, 'node_modules', '.cache', 'mlp-synth-test');
    writeTree(
      dir,
      new Map([
        ['stale.yaml', 'x'],
        ['a/b.yaml', 'y'],
      ]),
    );
    writeTree(dir, renderTree(synthesize(local)));
    expect(existsSync(join(dir, 'stale.yaml'))).toBe(false);
    expect(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).toContain('network-policies');
  });
});
