/**
 * Would the API server admit this pod into this namespace? Simulates, in the API server's
 * order: request defaulting (request = limit when only a limit is set), the LimitRanger
 * (defaults, then min/max), request ≤ limit validation, and ResourceQuota.
 */
import { parseQuantity } from '../../core/quantity.js';
import type { K8sObject } from '../../k8s/object.js';
import { formatResource, type LimitItem, type ResourceMap } from './resources.js';

interface Container {
  name?: string;
  resources?: { requests?: ResourceMap; limits?: ResourceMap };
}
interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
}

export interface EffectiveContainer {
  readonly name: string;
  readonly requests: Record<string, number>;
  readonly limits: Record<string, number>;
}

export interface AdmitResult {
  readonly admitted: boolean;
  readonly reasons: readonly string[];
  readonly containers: readonly EffectiveContainer[];
  /** What the pod adds to each quota resource, in milli-units. */
  readonly usage: Readonly<Record<string, number>>;
}

const fmt = formatResource;

/** The pod spec inside a Pod or a workload's template; undefined when there is none. */
export function podSpecOf(o: K8sObject): PodSpec | undefined {
  type Template = { spec?: PodSpec };
  const spec = o.spec as
    | (PodSpec & { template?: Template; jobTemplate?: { spec?: { template?: Template } } })
    | undefined;
  if (!spec) return undefined;
  if (o.kind === 'Pod') return spec;
  if (o.kind === 'CronJob') return spec.jobTemplate?.spec?.template?.spec;
  return spec.template?.spec;
}

function toMilli(map: ResourceMap | undefined, where: string, reasons: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(map ?? {})) {
    const m = parseQuantity(v);
    if (m === undefined) reasons.push(`${where}.${k}: "${v}" is not a Kubernetes quantity`);
    else out[k] = m;
  }
  return out;
}

export function admitPod(pod: K8sObject, namespace: string, objects: readonly K8sObject[]): AdmitResult {
  const reasons: string[] = [];
  const spec = podSpecOf(pod);
  if (!spec?.containers?.length) {
    return { admitted: false, reasons: ['the pod has no containers'], containers: [], usage: {} };
  }
  const inNs = objects.filter((o) => o.metadata?.namespace === namespace);
  const limitItems = inNs
    .filter((o) => o.kind === 'LimitRange')
    .flatMap((o) =>
      ((o.spec as { limits?: LimitItem[] })?.limits ?? []).filter((l) => l.type === 'Container'),
    );
  const quotas = inNs.filter((o) => o.kind === 'ResourceQuota');

  const effective = (c: Container, index: number, init: boolean): EffectiveContainer => {
    const name = c.name ?? `#${index}`;
    const where = `${init ? 'initContainers' : 'containers'}[${index}] (${name})`;
    const requests = toMilli(c.resources?.requests, `${where} requests`, reasons);
    const limits = toMilli(c.resources?.limits, `${where} limits`, reasons);
    // API defaulting: a limit without a request makes the request equal to the limit.
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
    for (const item of limitItems) {
      const defLimits = toMilli(item.default, 'LimitRange default', reasons);
      const defRequests = toMilli(item.defaultRequest ?? item.default, 'LimitRange defaultRequest', reasons);
      for (const [k, v] of Object.entries(defLimits)) if (!(k in limits)) limits[k] = v;
      for (const [k, v] of Object.entries(defRequests)) if (!(k in requests)) requests[k] = v;
      for (const [k, v] of Object.entries(toMilli(item.max, 'LimitRange max', reasons))) {
        if (limits[k] === undefined)
          reasons.push(`${where}: LimitRange requires a ${k} limit (max ${fmt(k, v)})`);
        else if (limits[k]! > v) {
          reasons.push(
            `${where}: ${k} limit ${fmt(k, limits[k]!)} exceeds the LimitRange maximum ${fmt(k, v)}`,
          );
        }
      }
      for (const [k, v] of Object.entries(toMilli(item.min, 'LimitRange min', reasons))) {
        if (requests[k] !== undefined && requests[k]! < v) {
          reasons.push(
            `${where}: ${k} request ${fmt(k, requests[k]!)} is below the LimitRange minimum ${fmt(k, v)}`,
          );
        }
      }
    }
    for (const [k, v] of Object.entries(requests)) {
      if (limits[k] !== undefined && v > limits[k]!) {
        reasons.push(
          `${where}: ${k} request ${fmt(k, v)} must be less than or equal to its limit ${fmt(k, limits[k]!)}`,
        );
      }
    }
    return { name, requests, limits };
  };
  const containers = spec.containers.map((c, i) => effective(c, i, false));
  const inits = (spec.initContainers ?? []).map((c, i) => effective(c, i, true));

  // A pod's request is the larger of its containers' sum and its largest init container.
  const podTotal = (field: 'requests' | 'limits', res: string): number | undefined => {
    let sum = 0;
    let missing = false;
    for (const c of containers) {
      if (c[field][res] === undefined) missing = true;
      else sum += c[field][res]!;
    }
    const init = Math.max(0, ...inits.map((c) => c[field][res] ?? 0));
    return missing ? undefined : Math.max(sum, init);
  };
  const usage: Record<string, number> = { pods: 1000 };
  for (const quota of quotas) {
    const hard = (quota.spec as { hard?: ResourceMap })?.hard ?? {};
    for (const [key, limitText] of Object.entries(hard)) {
      const limit = parseQuantity(limitText);
      if (limit === undefined) continue;
      let used: number | undefined;
      const m = /^(requests|limits)\.(.+)$/.exec(key);
      if (m && m[2] !== 'storage') {
        const res = m[2]!;
        const field = m[1] as 'requests' | 'limits';
        used = podTotal(field, res);
        if (used === undefined) {
          // Extended resources (GPUs) that the pod does not ask for simply count zero.
          if (res === 'cpu' || res === 'memory') {
            reasons.push(
              `ResourceQuota ${quota.metadata.name}: must specify ${key} for every container (set it or add a LimitRange default)`,
            );
            continue;
          }
          used = 0;
        }
      } else if (['cpu', 'memory'].includes(key)) used = podTotal('requests', key) ?? 0;
      else if (key === 'pods') used = 1000;
      else continue;
      usage[key] = used;
      if (used > limit) {
        reasons.push(
          `ResourceQuota ${quota.metadata.name}: ${key} ${fmt(key, used)} exceeds the quota of ${fmt(key, limit)}`,
        );
      }
    }
  }
  return { admitted: reasons.length === 0, reasons, containers: [...containers, ...inits], usage };
}
