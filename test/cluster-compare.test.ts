import { describe, expect, it } from 'vitest';
import { admitObject } from '../src/admission/chain.js';
import { admissionEnv } from '../src/admission/env.js';
import { comparable, diffName, maskSecrets, objectDiff } from '../src/cluster/live-diff.js';
import { subsetDiff } from '../src/cluster/subset.js';
import { accessQuestions, GROUP_PROBE_USER, identities, probePods } from '../src/cluster/verify/questions.js';
import type { K8sObject } from '../src/k8s/object.js';
import { allObjects } from '../src/synth/component.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec } from './helpers.js';

const quota = (pods: string): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name: 'q', namespace: 'ml-team' },
  spec: { hard: { pods } },
});

describe('live diff', () => {
  it('drops what only the server maintains and diffs like kubectl', () => {
    const live = {
      ...quota('99'),
      metadata: {
        ...quota('99').metadata,
        uid: 'u',
        resourceVersion: '7',
        generation: 2,
        creationTimestamp: 't',
        managedFields: [{}],
      },
      status: { used: { pods: '0' } },
    } as K8sObject;
    expect(comparable(live)).toEqual(quota('99'));
    expect(
      objectDiff('q', diffName(live), live, { ...live, status: { used: { pods: '3' } } }),
    ).toBeUndefined();
    const d = objectDiff('ResourceQuota/ml-team/q', diffName(live), live, quota('50'))!;
    expect(d.change).toBe('modified');
    expect(d.patch).toContain('--- live/v1.ResourceQuota.ml-team.q');
    expect(d.patch).toContain('-    pods: "99"\n+    pods: "50"');
    expect(objectDiff('x', 'x', undefined, quota('1'))!.change).toBe('added');
    expect(objectDiff('x', 'x', quota('1'), undefined)!.change).toBe('removed');
    expect(
      diffName({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'r', namespace: 'n' },
      }),
    ).toBe('rbac.authorization.k8s.io.v1.Role.n.r');
  });

  it('masks Secret values as kubectl diff does, never printing them', () => {
    const a = { apiVersion: 'v1', kind: 'Secret', data: { same: 'c2VjcmV0', changed: 'b2xk', gone: 'eA==' } };
    const b = {
      apiVersion: 'v1',
      kind: 'Secret',
      data: { same: 'c2VjcmV0', changed: 'bmV3', added: 'eQ==' },
    };
    maskSecrets(a, b);
    expect(a.data).toEqual({ same: '***', changed: '*** (before)', gone: '*** (before)' });
    expect(b.data).toEqual({ same: '***', changed: '*** (after)', added: '*** (after)' });
    const d = objectDiff(
      's',
      's',
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'c2VjcmV0' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { k: 'b3RoZXI=' } },
    )!;
    expect(d.patch).not.toContain('c2VjcmV0');
    expect(d.patch).not.toContain('b3RoZXI=');
  });
});

describe('rendered ⊆ live', () => {
  it('accepts server defaults, reports changed, missing and extra list entries by path', () => {
    const rendered = {
      spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }], hard: { pods: '50' } },
    };
    const live = {
      spec: {
        containers: [
          { name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }], terminationMessagePath: '/dev/x' },
        ],
        hard: { pods: '50' },
        dnsPolicy: 'ClusterFirst',
      },
    };
    expect(subsetDiff(rendered, live)).toEqual([]);
    expect(subsetDiff(rendered, { spec: { ...live.spec, hard: { pods: '99' } } })).toEqual([
      'spec.hard.pods',
    ]);
    expect(subsetDiff({ subjects: [{ name: 'a' }] }, { subjects: [{ name: 'a' }, { name: 'b' }] })).toEqual([
      'subjects',
    ]);
    expect(subsetDiff({ subjects: [{ name: 'a' }] }, { subjects: [{ name: 'x' }] })).toEqual([
      'subjects[0].name',
    ]);
    expect(subsetDiff({ a: { b: 1 } }, {})).toEqual(['a']);
    expect(subsetDiff({ a: {} }, {})).toEqual([]);
  });

  it('treats prototype keys as plain keys', () => {
    const rendered = JSON.parse('{"metadata":{"labels":{"__proto__":"x","constructor":"y"}}}');
    expect(subsetDiff(rendered, { metadata: { labels: {} } })).toEqual([
      'metadata.labels.__proto__',
      'metadata.labels.constructor',
    ]);
    expect(
      subsetDiff(rendered, JSON.parse('{"metadata":{"labels":{"__proto__":"x","constructor":"y"}}}')),
    ).toEqual([]);
  });
});

describe('verify questions', () => {
  const env = exampleSpec().environments.get('local')!;

  it('asks for every member, group and service account with the groups a real request carries', () => {
    const ids = identities(env);
    const labels = ids.map((i) => i.label);
    expect(labels).toContain('user ml-lead@company.com');
    expect(labels).toContain('group ml-engineers');
    expect(labels).toContain('sa ml-team/training-runner');
    expect(labels).toContain('group platform-admins');
    expect(new Set(labels).size).toBe(labels.length);
    const group = ids.find((i) => i.label === 'group ml-engineers')!;
    expect(group).toEqual({
      label: 'group ml-engineers',
      user: GROUP_PROBE_USER,
      groups: ['ml-engineers', 'system:authenticated'],
    });
    const sa = ids.find((i) => i.label === 'sa ml-team/training-runner')!;
    expect(sa.groups).toEqual([
      'system:authenticated',
      'system:serviceaccounts',
      'system:serviceaccounts:ml-team',
    ]);
    const qs = accessQuestions(env);
    expect(qs.length).toBe(ids.length * env.teams.length * 13);
    expect(accessQuestions(env)).toEqual(qs);
  });

  it('probe pods get the offline verdicts the runbook expects', () => {
    const objects = allObjects(synthesize(env));
    const context = admissionEnv(env, objects);
    const verdicts = Object.fromEntries(
      probePods(env)
        .filter((p) => p.namespace === 'ml-team')
        .map((p) => [p.probe, admitObject(p.pod, context, p.namespace).admitted]),
    );
    expect(verdicts).toEqual({
      fits: true,
      'no-resources': true,
      'too-big': false,
      'gpu-over-quota': false,
      privileged: false,
      'registry-not-allowed': false,
    });
  });
});
