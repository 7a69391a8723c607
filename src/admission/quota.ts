/**
 * The ResourceQuota admission plugin for pods (k8s.io/kubernetes pkg/quota/v1/evaluator/core
 * pods.go): what a pod adds to each quota key, and the constraint that a namespace quotaing cpu
 * or memory needs every container to state them. A workload is judged by all the pods it keeps
 * running: replicas × one pod.
 */
import { formatResource as fmt } from '../check/quota/resources.js';
import { parseQuantity } from '../core/quantity.js';
import type { K8sObject } from '../k8s/object.js';
import { rec } from './pod-security/pod.js';
import { isExtendedResource, type Milli, type PodContainer } from './resources.js';

/** podComputeUsageHelper: the quota keys one pod uses, in milli-units. */
export function podUsage(requests: Milli, limits: Milli): Milli {
  const usage: Milli = { pods: 1000, 'count/pods': 1000 };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[r] !== undefined) {
      usage[r] = requests[r]!;
      usage[`requests.${r}`] = requests[r]!;
    }
    if (limits[r] !== undefined) usage[`limits.${r}`] = limits[r]!;
  }
  for (const [r, v] of Object.entries(requests)) {
    if (r.startsWith('hugepages-')) {
      usage[r] = v;
      usage[`requests.${r}`] = v;
    }
    // Extended resources are quotaed only as requests.<name>.
    if (isExtendedResource(r)) usage[`requests.${r}`] = v;
  }
  return usage;
}

/**
 * A quota with scopes (BestEffort, Terminating, PriorityClass…) tracks only the pods they match;
 * that matching is not simulated, so such a quota is reported as not evaluated, never guessed.
 */
export const isScoped = (quota: K8sObject): boolean => {
  const spec = rec(quota.spec);
  return (Array.isArray(spec?.scopes) && spec.scopes.length > 0) || spec?.scopeSelector != null;
};

const CONSTRAINED = new Set([
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);

export interface QuotaViolation {
  readonly quota: string;
  readonly key: string;
  readonly message: string;
}

/** Each quota of the namespace that `replicas` copies of this pod would break. */
export function quotaViolations(
  quotas: readonly K8sObject[],
  containers: readonly PodContainer[],
  usage: Milli,
  replicas: number,
): QuotaViolation[] {
  const out: QuotaViolation[] = [];
  for (const quota of quotas) {
    if (isScoped(quota)) continue;
    const name = quota.metadata?.name ?? '?';
    const hard = rec(rec(quota.spec)?.hard) ?? {};
    // enforcePodContainerConstraints: every container and init container states what is quotaed.
    const required = Object.keys(hard).filter((k) => CONSTRAINED.has(k));
    const missing = new Map<string, string[]>();
    for (const c of containers) {
      const own = podUsage(c.requests, c.limits);
      for (const k of required) if (own[k] === undefined) missing.set(k, [...(missing.get(k) ?? []), c.name]);
    }
    for (const [k, names] of missing)
      out.push({
        quota: name,
        key: k,
        message: `ResourceQuota ${name}: must specify ${k} for ${names.join(', ')} (set it or add a LimitRange default)`,
      });
    for (const [key, text] of Object.entries(hard)) {
      const limit = typeof text === 'string' || typeof text === 'number' ? parseQuantity(text) : undefined;
      if (limit === undefined || missing.has(key)) continue;
      const one = usage[key];
      if (one === undefined) continue;
      const total = one * replicas;
      if (total <= limit) continue;
      const amount =
        replicas === 1 ? fmt(key, total) : `${fmt(key, total)} (${replicas} pods × ${fmt(key, one)})`;
      out.push({
        quota: name,
        key,
        message: `ResourceQuota ${name}: ${key} ${amount} exceeds the quota of ${fmt(key, limit)}`,
      });
    }
  }
  return out;
}
