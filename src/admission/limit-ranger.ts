/**
 * The LimitRanger admission plugin (k8s.io/kubernetes plugin/pkg/admission/limitranger): its
 * mutating half fills default limits and requests into each container, its validating half
 * enforces min, max and maxLimitRequestRatio. LimitRange items are read as the API server stores
 * them, after SetDefaults_LimitRangeItem.
 */

import { formatResource as fmt } from '../check/quota/resources.js';
import type { K8sObject } from '../k8s/object.js';
import { list, rec } from './pod-security/pod.js';
import { type Milli, type PodContainer, toMilli } from './resources.js';

interface Item {
  readonly type: string;
  readonly default: Record<string, unknown>;
  readonly defaultRequest: Record<string, unknown>;
  readonly max: Record<string, unknown>;
  readonly min: Record<string, unknown>;
  readonly maxLimitRequestRatio: Record<string, unknown>;
}

/** The LimitRange items of a namespace, with the API server's defaults applied. */
export function limitItems(objects: readonly K8sObject[], namespace: string): Item[] {
  return objects
    .filter((o) => o.kind === 'LimitRange' && o.metadata?.namespace === namespace)
    .flatMap((o) => list(rec(o.spec)?.limits))
    .map((raw) => {
      const l = rec(raw) ?? {};
      const item = {
        type: typeof l.type === 'string' ? l.type : '',
        default: { ...(rec(l.default) ?? {}) },
        defaultRequest: { ...(rec(l.defaultRequest) ?? {}) },
        max: rec(l.max) ?? {},
        min: rec(l.min) ?? {},
        maxLimitRequestRatio: rec(l.maxLimitRequestRatio) ?? {},
      };
      // SetDefaults_LimitRangeItem, for Container items: default limit ← max; default request ←
      // default limit, else min.
      if (item.type === 'Container') {
        for (const [k, v] of Object.entries(item.max)) if (!(k in item.default)) item.default[k] = v;
        for (const [k, v] of Object.entries(item.default))
          if (!(k in item.defaultRequest)) item.defaultRequest[k] = v;
        for (const [k, v] of Object.entries(item.min))
          if (!(k in item.defaultRequest)) item.defaultRequest[k] = v;
      }
      return item;
    });
}

/** Mutating admission: missing container limits and requests come from the Container items. */
export function applyLimitRangeDefaults(spec: Record<string, unknown>, items: readonly Item[]): void {
  for (const field of ['containers', 'initContainers']) {
    for (const raw of list(spec[field])) {
      const c = rec(raw);
      if (!c) continue;
      for (const item of items) {
        if (item.type !== 'Container') continue;
        const resources = rec(c.resources) ?? {};
        const limits = { ...(rec(resources.limits) ?? {}) };
        const requests = { ...(rec(resources.requests) ?? {}) };
        for (const [k, v] of Object.entries(item.default)) if (!(k in limits)) limits[k] = v;
        for (const [k, v] of Object.entries(item.defaultRequest)) if (!(k in requests)) requests[k] = v;
        if (Object.keys(limits).length === 0 && Object.keys(requests).length === 0) continue;
        c.resources = {
          ...resources,
          ...(Object.keys(limits).length > 0 ? { limits } : {}),
          ...(Object.keys(requests).length > 0 ? { requests } : {}),
        };
      }
    }
  }
}

/** Validating admission: each violated min, max or ratio, as `path: message`. */
export function limitRangeViolations(
  containers: readonly PodContainer[],
  pod: { requests: Milli; limits: Milli },
  items: readonly Item[],
): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const errors: string[] = [];
  const judge = (type: string, path: string, who: string, requests: Milli, limits: Milli, item: Item) => {
    for (const [k, v] of Object.entries(toMilli(item.min, 'LimitRange min', errors))) {
      if (requests[k] === undefined)
        out.push({
          path,
          message: `${who}: minimum ${k} usage per ${type} is ${fmt(k, v)}, but no request is specified`,
        });
      else if (requests[k]! < v)
        out.push({
          path,
          message: `${who}: ${k} request ${fmt(k, requests[k]!)} is below the LimitRange minimum ${fmt(k, v)}`,
        });
      if (limits[k] !== undefined && limits[k]! < v)
        out.push({
          path,
          message: `${who}: ${k} limit ${fmt(k, limits[k]!)} is below the LimitRange minimum ${fmt(k, v)}`,
        });
    }
    for (const [k, v] of Object.entries(toMilli(item.max, 'LimitRange max', errors))) {
      if (limits[k] === undefined)
        out.push({ path, message: `${who}: LimitRange requires a ${k} limit (max ${fmt(k, v)})` });
      else if (limits[k]! > v)
        out.push({
          path,
          message: `${who}: ${k} limit ${fmt(k, limits[k]!)} exceeds the LimitRange maximum ${fmt(k, v)}`,
        });
      if (requests[k] !== undefined && requests[k]! > v)
        out.push({
          path,
          message: `${who}: ${k} request ${fmt(k, requests[k]!)} exceeds the LimitRange maximum ${fmt(k, v)}`,
        });
    }
    for (const [k, ratio] of Object.entries(toMilli(item.maxLimitRequestRatio, 'LimitRange ratio', errors))) {
      const req = requests[k];
      const lim = limits[k];
      if (!req || lim === undefined)
        out.push({
          path,
          message: `${who}: ${k} max limit to request ratio per ${type} is ${ratio / 1000}, but no request or limit is specified`,
        });
      else if (lim / req > ratio / 1000)
        out.push({
          path,
          message: `${who}: ${k} limit/request ratio ${(lim / req).toFixed(2)} exceeds the LimitRange maximum ${ratio / 1000}`,
        });
    }
  };
  for (const item of items) {
    if (item.type === 'Container') {
      for (const c of containers)
        judge(
          'Container',
          `${c.path}.resources`,
          `${c.path.replace(/^spec\./, '')} (${c.name})`,
          c.requests,
          c.limits,
          item,
        );
    } else if (item.type === 'Pod') judge('Pod', 'spec', 'the pod', pod.requests, pod.limits, item);
  }
  for (const e of errors) out.push({ path: 'LimitRange', message: e });
  return out;
}
