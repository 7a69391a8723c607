import { describe, expect, it } from 'vitest';
import {
  APPLYSET_ID_LABEL,
  applySetId,
  GROUP_KINDS_ANNOTATION,
  inventoryFromParent,
  inventoryOf,
  type LiveMember,
  NAMESPACES_ANNOTATION,
  PART_OF_LABEL,
  parentObject,
  parentProblem,
  parentRefFor,
  pruneSet,
  TOOLING_ANNOTATION,
} from '../src/cluster/applyset.js';
import { desiredObjects, SYNC_WAVE_ANNOTATION } from '../src/cluster/desired.js';
import { compareByKind, parseDuration, planWaves } from '../src/cluster/order.js';
import { defaultProviderOf, describeProvider, isBuiltInGroup } from '../src/cluster/providers.js';
import type { K8sObject } from '../src/k8s/object.js';
import { synthesize } from '../src/synth/platform.js';
import { exampleSpec } from './helpers.js';

const obj = (kind: string, name: string, namespace?: string, apiVersion = 'v1'): K8sObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

describe('apply order', () => {
  it('sorts by Helm install order, unknown kinds last by kind then name', () => {
    const sorted = [
      obj('ExternalSecret', 'b', 'x', 'external-secrets.io/v1'),
      obj('Deployment', 'd', 'x', 'apps/v1'),
      obj('Certificate', 'a', 'x', 'cert-manager.io/v1'),
      obj('RoleBinding', 'r', 'x', 'rbac.authorization.k8s.io/v1'),
      obj('ServiceAccount', 's', 'x'),
      obj('Namespace', 'x'),
      obj('CustomResourceDefinition', 'c', undefined, 'apiextensions.k8s.io/v1'),
      obj('Role', 'r', 'x', 'rbac.authorization.k8s.io/v1'),
      obj('NetworkPolicy', 'n', 'x', 'networking.k8s.io/v1'),
    ].sort(compareByKind);
    expect(sorted.map((o) => o.kind)).toEqual([
      'Namespace',
      'NetworkPolicy',
      'ServiceAccount',
      'CustomResourceDefinition',
      'Role',
      'RoleBinding',
      'Deployment',
      'Certificate',
      'ExternalSecret',
    ]);
  });

  it('plans the example tree wave by wave, team namespaces first in their wave, the kind cluster config not applied', () => {
    const env = exampleSpec().environments.get('local')!;
    const components = synthesize(env);
    const waves = planWaves(components);
    const expected = [...new Set(components.filter((c) => c.applied !== false).map((c) => c.wave))].sort(
      (a, b) => a - b,
    );
    expect(waves.map((w) => w.wave)).toEqual(expected);
    const nsWave = waves.find((w) => w.components.includes('namespaces'))!;
    expect(nsWave.objects[0]!.kind).toBe('Namespace');
    const policies = waves.find((w) => w.components.includes('policies'))!;
    expect(policies.wave).toBeLessThan(nsWave.wave);
    expect(waves.flatMap((w) => w.objects).some((o) => o.apiVersion.startsWith('audit.k8s.io'))).toBe(false);
    // The app-of-apps is bootstrap's; apply keeps the AppProjects and the engines' Applications.
    const apps = waves.flatMap((w) => w.objects).filter((o) => o.kind === 'Application');
    expect(apps.map((o) => o.metadata.name).sort()).toEqual([
      'argo-cd',
      'argo-rollouts',
      'cert-manager',
      'external-secrets',
      'ingress-nginx',
      'kube-prometheus-stack',
      'loki',
      'otel-collector',
      'otel-logs',
      'tempo',
    ]);
    expect(waves.flatMap((w) => w.objects).filter((o) => o.kind === 'AppProject').length).toBe(4);
    for (const w of waves)
      for (let i = 1; i < w.objects.length; i++)
        expect(compareByKind(w.objects[i - 1]!, w.objects[i]!)).toBeLessThanOrEqual(0);
  });

  it('parses durations and refuses anything else', () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('300')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    for (const bad of ['', '5 min', '-1s', '1e9', '9999999s', '5m;rm'])
      expect(parseDuration(bad), bad).toBeUndefined();
  });
});

describe('ApplySet (KEP-3659)', () => {
  it('computes the id exactly as kubectl does', () => {
    // kubectl v1.28 `apply --server-side --prune --applyset=secret/kubectl-id-probe -n default`
    // labelled its parent with this id (run against the 1.28.7 API server of the opt-in suite).
    expect(applySetId({ kind: 'Secret', group: '', name: 'kubectl-id-probe', namespace: 'default' })).toBe(
      'applyset-hoFLJ0oXh-1LK6ITPe129ruZbNtXxCGIXrN3L1TYMN4-v1',
    );
  });

  it('labels every member and annotates the wave, leaving the rendered labels alone', () => {
    const env = exampleSpec().environments.get('local')!;
    const ref = parentRefFor(env.platform.name, 'local');
    const id = applySetId(ref);
    const objects = desiredObjects(synthesize(env), id);
    expect(objects.length).toBeGreaterThan(100);
    for (const o of objects) {
      expect(o.metadata.labels?.[PART_OF_LABEL]).toBe(id);
      expect(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION]).toMatch(/^-?\d+$/);
    }
    const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === 'ml-team')!;
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBeDefined();
  });

  it('builds the parent with id label, tooling and sorted inventories (parent namespace excluded)', () => {
    const ref = { kind: 'Secret', group: '', name: 'p', namespace: 'kube-system' };
    const members = [
      obj('Namespace', 'b'),
      obj('Role', 'r', 'b', 'rbac.authorization.k8s.io/v1'),
      obj('ConfigMap', 'c', 'kube-system'),
      obj('Role', 'r', 'a', 'rbac.authorization.k8s.io/v1'),
    ];
    const inv = inventoryOf(members, ref);
    expect(inv).toEqual({
      groupKinds: ['ConfigMap', 'Namespace', 'Role.rbac.authorization.k8s.io'],
      namespaces: ['a', 'b'],
    });
    const parent = parentObject(ref, inv);
    expect(parent.metadata.labels).toEqual({ [APPLYSET_ID_LABEL]: applySetId(ref) });
    expect(parent.metadata.annotations).toEqual({
      [TOOLING_ANNOTATION]: 'mlp/v0.1.0',
      [GROUP_KINDS_ANNOTATION]: 'ConfigMap,Namespace,Role.rbac.authorization.k8s.io',
      [NAMESPACES_ANNOTATION]: 'a,b',
    });
    expect(inventoryFromParent(parent)).toEqual(inv);
    expect(parent).not.toHaveProperty('data');
  });

  it('refuses a parent of another tool or with a foreign id', () => {
    const ref = { kind: 'Secret', group: '', name: 'p', namespace: 'kube-system' };
    const mine = parentObject(ref, { groupKinds: [], namespaces: [] });
    expect(parentProblem(mine, ref)).toBeUndefined();
    expect(parentProblem(undefined, ref)).toBeUndefined();
    const kubectl = {
      ...mine,
      metadata: { ...mine.metadata, annotations: { [TOOLING_ANNOTATION]: 'kubectl/v1.28' } },
    };
    expect(parentProblem(kubectl, ref)).toMatch(/belongs to "kubectl\/v1.28"/);
    const copied = {
      ...mine,
      metadata: { ...mine.metadata, labels: { [APPLYSET_ID_LABEL]: 'applyset-x-v1' } },
    };
    expect(parentProblem(copied, ref)).toMatch(/has id applyset-x-v1/);
  });

  it('prunes exactly the labelled members that left the tree', () => {
    const id = 'applyset-abc-v1';
    const desired = [obj('Namespace', 'keep'), obj('Role', 'r', 'keep', 'rbac.authorization.k8s.io/v1')];
    const live: LiveMember[] = [
      { apiVersion: 'v1', kind: 'Namespace', name: 'keep', labels: { [PART_OF_LABEL]: id } },
      { apiVersion: 'v1', kind: 'Namespace', name: 'gone', labels: { [PART_OF_LABEL]: id } },
      // same object, listed at another version: still kept
      {
        apiVersion: 'rbac.authorization.k8s.io/v1beta1',
        kind: 'Role',
        namespace: 'keep',
        name: 'r',
        labels: { [PART_OF_LABEL]: id },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        namespace: 'gone',
        name: 'r',
        labels: { [PART_OF_LABEL]: id },
      },
      // not ours: another set, or no label (another tool), never pruned even if listed
      { apiVersion: 'v1', kind: 'Namespace', name: 'other', labels: { [PART_OF_LABEL]: 'applyset-zzz-v1' } },
      { apiVersion: 'v1', kind: 'Namespace', name: 'unlabelled', labels: {} },
      { apiVersion: 'v1', kind: 'Namespace', name: '__proto__', labels: { [PART_OF_LABEL]: id } },
    ];
    expect(pruneSet(live, desired, id).map((m) => `${m.kind}/${m.namespace ?? ''}/${m.name}`)).toEqual([
      'Namespace//gone',
      'Role/gone/r',
      'Namespace//__proto__',
    ]);
  });
});

describe('providers', () => {
  it('names the engine and Application of a CRD group, and tells built-in groups apart', () => {
    expect(describeProvider('ExternalSecret', 'external-secrets.io', defaultProviderOf)).toBe(
      'ExternalSecret (external-secrets.io) comes from engine external-secrets, installed by Argo CD Application external-secrets',
    );
    expect(describeProvider('Widget', 'example.com', defaultProviderOf)).toBe(
      'Widget (example.com) comes from a CRD no known engine provides',
    );
    expect(defaultProviderOf('__proto__')).toBeUndefined();
    expect(defaultProviderOf('constructor')).toBeUndefined();
    expect(isBuiltInGroup('')).toBe(true);
    expect(isBuiltInGroup('apps')).toBe(true);
    expect(isBuiltInGroup('networking.k8s.io')).toBe(true);
    expect(isBuiltInGroup('gateway.networking.k8s.io')).toBe(false);
    expect(isBuiltInGroup('cert-manager.io')).toBe(false);
  });
});
