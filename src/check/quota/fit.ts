/**
 * Quota fit: team quotas must fit the environment's capacity, and each namespace's LimitRange
 * must agree with its ResourceQuota (defaults that admit a bare pod, maxima within the quota).
 */

import { admitObject } from '../../admission/chain.js';
import { milli, parseQuantity } from '../../core/quantity.js';
import { type K8sObject, objectRef } from '../../k8s/object.js';
import type { Capacity } from '../../spec/schema.js';
import type { Finding } from '../finding.js';
import { formatResource, type LimitItem, type ResourceMap } from './resources.js';

const fmt = formatResource;

const hardOf = (q: K8sObject) => ((q.spec as { hard?: ResourceMap })?.hard ?? {}) as ResourceMap;

/**
 * Team quotas against the environment's capacity. A team namespace without a bound for a
 * resource is unbounded, not 0: it may claim everything, so the proof fails and says which.
 * @param teamNamespaces the namespaces that must be bounded (every team's).
 */
export function checkCapacity(
  objects: readonly K8sObject[],
  capacity: Capacity,
  environment: string,
  teamNamespaces: readonly string[] = [],
): Finding[] {
  const quotas = objects.filter((o) => o.kind === 'ResourceQuota');
  // What bounds the sum of requests: requests.X (or its short form X), and limits.X too, since
  // a container's request never exceeds its limit.
  const rows: [string, string, number | undefined, string[]][] = [
    ['requests.cpu', 'cpu', milli(capacity.cpu), ['requests.cpu', 'cpu', 'limits.cpu']],
    ['requests.memory', 'memory', milli(capacity.memory), ['requests.memory', 'memory', 'limits.memory']],
    [
      'requests.nvidia.com/gpu',
      'gpu',
      capacity.gpu * 1000,
      ['requests.nvidia.com/gpu', 'limits.nvidia.com/gpu'],
    ],
    [
      'requests.storage',
      'storage',
      capacity.storage === undefined ? undefined : milli(capacity.storage),
      ['requests.storage'],
    ],
  ];
  const namespaces = [
    ...new Set([...teamNamespaces, ...quotas.map((q) => q.metadata.namespace ?? 'default')]),
  ].sort();
  const platform = outsideQuota(objects, new Set([...teamNamespaces, ...namespaces]));
  const out: Finding[] = [];
  for (const [key, name, cap, keys] of rows) {
    let sum = 0;
    const unbounded: string[] = [];
    for (const ns of namespaces) {
      let bound: number | undefined;
      for (const q of quotas.filter((o) => (o.metadata.namespace ?? 'default') === ns)) {
        for (const k of keys) {
          const v = hardOf(q)[k];
          const n = v === undefined ? undefined : parseQuantity(v);
          if (n !== undefined) bound = bound === undefined ? n : Math.min(bound, n);
        }
      }
      if (bound !== undefined) sum += bound;
      else if (teamNamespaces.includes(ns)) unbounded.push(ns);
    }
    const resource = `environment/${environment}`;
    if (cap !== undefined && unbounded.length > 0) {
      out.push({
        ruleId: 'quota.capacity',
        status: 'fail',
        resource,
        path: `capacity.${name}`,
        message: `${unbounded.join(', ')} ${unbounded.length === 1 ? 'has' : 'have'} no ${key} quota, so ${unbounded.length === 1 ? 'it is' : 'they are'} unbounded and may claim all ${fmt(key, cap)} allocatable; the other teams' quotas claim ${fmt(key, sum)}`,
        fix: `set quota.requests.${name} (or quota.limits.${name}) for ${unbounded.join(', ')}`,
      });
      continue;
    }
    if (cap === undefined) {
      if (sum > 0) {
        out.push({
          ruleId: 'quota.capacity',
          status: 'warn',
          resource,
          path: `capacity.${name}`,
          message: `teams may claim ${fmt(key, sum)} of ${key} but the environment declares no ${name} capacity`,
        });
      }
      continue;
    }
    // The platform's own workloads (data services) run where no quota bounds them, on the same
    // nodes and disks: what they request is taken before any team claims its quota.
    const own = platform.get(key) ?? { total: 0, where: [] };
    const teams = sum;
    sum += own.total;
    const pct = cap === 0 ? (sum === 0 ? 0 : Number.POSITIVE_INFINITY) : Math.round((sum / cap) * 1000) / 10;
    const message =
      own.total > 0
        ? `team quotas claim ${fmt(key, teams)} and the platform's workloads outside any quota request ${fmt(key, own.total)} (${own.where.join(', ')}): ${fmt(key, sum)} of ${fmt(key, cap)} allocatable (${pct}%)`
        : `team quotas claim ${fmt(key, sum)} of ${fmt(key, cap)} allocatable (${pct}%)`;
    out.push(
      sum > cap
        ? {
            ruleId: 'quota.capacity',
            status: 'fail',
            resource,
            path: `capacity.${name}`,
            message,
            fix: `lower team ${key} quotas or raise the environment's capacity`,
          }
        : { ruleId: 'quota.capacity', status: 'pass', resource, path: `capacity.${name}`, message },
    );
  }
  return out;
}

const LONG_RUNNING = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout']);

/**
 * What the tree's long-running workloads in namespaces without a ResourceQuota request, per
 * quota key (replicas × pod, as admission computes it), plus the storage their PVCs and
 * volumeClaimTemplates claim; each with the workloads that contribute.
 */
function outsideQuota(
  objects: readonly K8sObject[],
  bounded: ReadonlySet<string>,
): Map<string, { total: number; where: string[] }> {
  const out = new Map<string, { total: number; where: string[] }>();
  const claim = (key: string, amount: number, who: string) => {
    if (!(amount > 0)) return;
    const e = out.get(key) ?? { total: 0, where: [] };
    e.total += amount;
    if (!e.where.includes(who)) e.where.push(who);
    out.set(key, e);
  };
  const storageOf = (pvcSpec: unknown): number => {
    const v = (pvcSpec as { resources?: { requests?: { storage?: unknown } } } | undefined)?.resources
      ?.requests?.storage;
    return typeof v === 'string' || typeof v === 'number' ? (parseQuantity(v) ?? 0) : 0;
  };
  for (const o of objects) {
    const ns = o.metadata?.namespace;
    if (!ns || bounded.has(ns)) continue;
    const who = `${ns}/${o.metadata.name}`;
    if (o.kind === 'PersistentVolumeClaim') claim('requests.storage', storageOf(o.spec), who);
    if (!LONG_RUNNING.has(o.kind)) continue;
    const verdict = admitObject(o, { objects, rules: [], exemptNamespaces: [] }, ns);
    for (const key of ['requests.cpu', 'requests.memory', 'requests.nvidia.com/gpu'])
      claim(key, (verdict.usage[key] ?? 0) * verdict.replicas, who);
    if (o.kind === 'StatefulSet') {
      const templates = (o.spec as { volumeClaimTemplates?: { spec?: unknown }[] })?.volumeClaimTemplates;
      for (const t of Array.isArray(templates) ? templates : [])
        claim('requests.storage', storageOf(t?.spec) * verdict.replicas, who);
    }
  }
  return out;
}

/** LimitRange against ResourceQuota in every namespace that has both. */
export function checkLimitRanges(objects: readonly K8sObject[]): Finding[] {
  const out: Finding[] = [];
  const byNs = new Map<string, K8sObject[]>();
  for (const o of objects) {
    if ((o.kind === 'LimitRange' || o.kind === 'ResourceQuota') && o.metadata.namespace) {
      byNs.set(o.metadata.namespace, [...(byNs.get(o.metadata.namespace) ?? []), o]);
    }
  }
  for (const [ns, list] of byNs) {
    const quota = list.find((o) => o.kind === 'ResourceQuota');
    const lr = list.find((o) => o.kind === 'LimitRange');
    if (!quota || !lr) continue;
    const resource = objectRef(lr);
    const hard = hardOf(quota);
    const items = ((lr.spec as { limits?: LimitItem[] })?.limits ?? []).filter((i) => i.type === 'Container');
    const problems: Finding[] = [];
    const fail = (path: string, message: string, fix: string) =>
      problems.push({ ruleId: 'quota.limitrange', status: 'fail', resource, path, message, fix });
    items.forEach((item, i) => {
      const base = `spec.limits[${i}]`;
      for (const res of ['cpu', 'memory']) {
        const get = (m: ResourceMap | undefined) =>
          m?.[res] === undefined ? undefined : parseQuantity(m[res]!);
        const def = get(item.default);
        const defReq = get(item.defaultRequest) ?? def;
        const max = get(item.max);
        const min = get(item.min);
        const qReq =
          hard[`requests.${res}`] === undefined ? undefined : parseQuantity(hard[`requests.${res}`]!);
        const qLim = hard[`limits.${res}`] === undefined ? undefined : parseQuantity(hard[`limits.${res}`]!);
        if (def !== undefined && defReq !== undefined && defReq > def)
          fail(
            `${base}.defaultRequest.${res}`,
            `default request ${fmt(res, defReq)} exceeds the default limit ${fmt(res, def)}`,
            'lower defaultRequest or raise default',
          );
        if (max !== undefined && def !== undefined && def > max)
          fail(
            `${base}.default.${res}`,
            `default limit ${fmt(res, def)} exceeds the maximum ${fmt(res, max)}`,
            'lower default or raise max',
          );
        if (min !== undefined && defReq !== undefined && min > defReq)
          fail(
            `${base}.min.${res}`,
            `minimum ${fmt(res, min)} exceeds the default request ${fmt(res, defReq)}`,
            'lower min',
          );
        if (max !== undefined && qLim !== undefined && max > qLim)
          fail(
            `${base}.max.${res}`,
            `maximum ${fmt(res, max)} exceeds the quota limits.${res} ${fmt(res, qLim)}: a pod the LimitRange allows is still rejected`,
            `set max.${res} ≤ ${fmt(res, qLim)}`,
          );
        if (max !== undefined && qReq !== undefined && qLim === undefined && max > qReq)
          fail(
            `${base}.max.${res}`,
            `maximum ${fmt(res, max)} exceeds the quota requests.${res} ${fmt(res, qReq)}`,
            `set max.${res} ≤ ${fmt(res, qReq)}`,
          );
        if (def !== undefined && qLim !== undefined && def > qLim)
          fail(
            `${base}.default.${res}`,
            `default limit ${fmt(res, def)} exceeds the quota limits.${res} ${fmt(res, qLim)}`,
            'lower the default',
          );
        if (defReq !== undefined && qReq !== undefined && defReq > qReq)
          fail(
            `${base}.defaultRequest.${res}`,
            `default request ${fmt(res, defReq)} exceeds the quota requests.${res} ${fmt(res, qReq)}`,
            'lower the default request',
          );
        if (qReq !== undefined && defReq === undefined)
          fail(
            `${base}.defaultRequest.${res}`,
            `the quota tracks requests.${res} but there is no default request: pods without resources are rejected`,
            `set defaultRequest.${res}`,
          );
        if (qLim !== undefined && def === undefined)
          fail(
            `${base}.default.${res}`,
            `the quota tracks limits.${res} but there is no default limit: pods without resources are rejected`,
            `set default.${res}`,
          );
      }
    });
    // The end-to-end proof: a pod that asks for nothing (and meets restricted Pod Security) is
    // admitted with the defaults; the policy rules are not this check's concern.
    const bare: K8sObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bare', namespace: ns },
      spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'app',
            image: 'registry.k8s.io/pause:3.10',
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          },
        ],
      },
    };
    const verdict = admitObject(bare, { objects: list, rules: [], exemptNamespaces: [] }, ns);
    const reasons = verdict.findings.filter((f) => f.status === 'fail' || f.status === 'error');
    if (reasons.length > 0)
      fail(
        'spec.limits',
        `a pod without resources is rejected: ${reasons.map((f) => f.message).join('; ')}`,
        'give the LimitRange defaults that fit the quota',
      );
    out.push(
      ...(problems.length > 0
        ? problems
        : [
            {
              ruleId: 'quota.limitrange',
              status: 'pass' as const,
              resource,
              path: 'spec.limits',
              message: 'defaults admit a bare pod; no default or maximum exceeds the quota',
            },
          ]),
    );
  }
  return out;
}
