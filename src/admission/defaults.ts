/**
 * The API server's defaulting of a decoded pod (k8s.io/kubernetes pkg/apis/core/v1
 * defaults.go), limited to what admission decisions depend on. Runs before any admission
 * plugin, so LimitRanger, Pod Security and the policies all see the defaulted pod.
 */
import { list, rec } from './pod-security/pod.js';

const CONTAINER_LISTS = ['initContainers', 'containers'] as const;

/** A deep copy of the pod with the API defaults applied; the input is not changed. */
export function defaultPod<T>(pod: T): T {
  if (rec(pod) === undefined) return pod;
  const copy = structuredClone(pod) as Record<string, unknown>;
  const spec = rec(copy.spec);
  if (!spec) return copy as T;
  // SetDefaults_Volume: a volume without any source is an emptyDir.
  for (const v of list(spec.volumes)) {
    const volume = rec(v);
    if (volume && Object.keys(volume).every((k) => k === 'name' || volume[k] == null)) volume.emptyDir = {};
  }
  // SetDefaults_Pod: a resource with a limit and no request is requested at its limit.
  for (const field of CONTAINER_LISTS) {
    for (const c of list(spec[field])) {
      const resources = rec(rec(c)?.resources);
      const limits = rec(resources?.limits);
      if (!resources || !limits) continue;
      const requests = rec(resources.requests) ?? {};
      for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
      resources.requests = requests;
    }
  }
  return copy as T;
}
