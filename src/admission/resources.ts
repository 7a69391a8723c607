/**
 * A pod's compute resources as the scheduler and ResourceQuota count them
 * (k8s.io/component-helpers/resource PodRequests / PodLimits): the sum of the containers, at
 * least the largest init container, where sidecars (init containers with restartPolicy Always)
 * keep running and add to everything after them; plus the pod overhead.
 */
import { parseQuantity } from '../core/quantity.js';
import { list, rec, str } from './pod-security/pod.js';

export type Milli = Record<string, number>;

export interface PodContainer {
  readonly name: string;
  /** `spec.containers[0]` */
  readonly path: string;
  readonly init: boolean;
  /** An init container with restartPolicy Always: runs beside the app containers. */
  readonly sidecar: boolean;
  readonly requests: Milli;
  readonly limits: Milli;
}

/** Parses a requests/limits map; values that are not quantities are reported, not counted. */
export function toMilli(map: unknown, where: string, errors: string[]): Milli {
  const out: Milli = {};
  for (const [k, v] of Object.entries(rec(map) ?? {})) {
    const m = typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : undefined;
    if (m === undefined || !Number.isFinite(m))
      errors.push(`${where}.${k}: ${JSON.stringify(v)} is not a Kubernetes quantity`);
    else out[k] = m;
  }
  return out;
}

export function podContainers(spec: Record<string, unknown>, errors: string[]): PodContainer[] {
  const out: PodContainer[] = [];
  for (const field of ['containers', 'initContainers'] as const) {
    list(spec[field]).forEach((raw, i) => {
      const c = rec(raw) ?? {};
      const path = `spec.${field}[${i}]`;
      const resources = rec(c.resources);
      out.push({
        name: str(c.name) || `#${i}`,
        path,
        init: field === 'initContainers',
        sidecar: field === 'initContainers' && c.restartPolicy === 'Always',
        requests: toMilli(resources?.requests, `${path}.resources.requests`, errors),
        limits: toMilli(resources?.limits, `${path}.resources.limits`, errors),
      });
    });
  }
  return out;
}

const add = (into: Milli, from: Milli) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};
const max = (into: Milli, from: Milli) => {
  for (const [k, v] of Object.entries(from)) into[k] = Math.max(into[k] ?? 0, v);
};

function podTotal(containers: readonly PodContainer[], field: 'requests' | 'limits'): Milli {
  const total: Milli = {};
  for (const c of containers) if (!c.init) add(total, c[field]);
  const sidecars: Milli = {};
  const initPeak: Milli = {};
  // In order: each init container runs beside the sidecars started before it.
  for (const c of containers) {
    if (!c.init) continue;
    if (c.sidecar) {
      add(total, c[field]);
      add(sidecars, c[field]);
      max(initPeak, sidecars);
    } else {
      const during: Milli = { ...sidecars };
      add(during, c[field]);
      max(initPeak, during);
    }
  }
  max(total, initPeak);
  return total;
}

/** PodRequests: overhead is added to every resource. */
export function podRequests(containers: readonly PodContainer[], overhead: Milli): Milli {
  const total = podTotal(containers, 'requests');
  add(total, overhead);
  return total;
}

/** PodLimits: overhead is added only to the resources that have a limit. */
export function podLimits(containers: readonly PodContainer[], overhead: Milli): Milli {
  const total = podTotal(containers, 'limits');
  for (const [k, v] of Object.entries(overhead)) if (k in total) total[k]! += v;
  return total;
}

const NATIVE = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage', 'pods']);
/** Extended resources (`nvidia.com/gpu`): not overcommittable, whole units, request == limit. */
export const isExtendedResource = (name: string): boolean =>
  !NATIVE.has(name) &&
  !name.startsWith('hugepages-') &&
  !name.startsWith('requests.') &&
  !name.startsWith('kubernetes.io/') &&
  name.includes('/');
