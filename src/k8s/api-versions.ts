/**
 * Which built-in API versions a Kubernetes minor release serves. Facts from the upstream
 * deprecated-API migration guide: an object in a removed version does not apply, so
 * `mlp check` rejects it for the spec's target version.
 */

// group/version (or group/version/Kind where only some kinds moved) → first minor without it.
const REMOVED_IN: Record<string, number> = {
  'extensions/v1beta1': 22,
  'apps/v1beta1': 16,
  'apps/v1beta2': 16,
  'networking.k8s.io/v1beta1': 22,
  'rbac.authorization.k8s.io/v1beta1': 22,
  'admissionregistration.k8s.io/v1beta1/MutatingWebhookConfiguration': 22,
  'admissionregistration.k8s.io/v1beta1/ValidatingWebhookConfiguration': 22,
  'apiextensions.k8s.io/v1beta1': 22,
  'apiregistration.k8s.io/v1beta1': 22,
  'authentication.k8s.io/v1beta1': 22,
  'authorization.k8s.io/v1beta1': 22,
  'certificates.k8s.io/v1beta1': 22,
  'coordination.k8s.io/v1beta1': 22,
  'scheduling.k8s.io/v1beta1': 22,
  'storage.k8s.io/v1beta1/CSIDriver': 22,
  'storage.k8s.io/v1beta1/CSINode': 22,
  'storage.k8s.io/v1beta1/StorageClass': 22,
  'storage.k8s.io/v1beta1/VolumeAttachment': 22,
  'batch/v1beta1': 25,
  'discovery.k8s.io/v1beta1': 25,
  'events.k8s.io/v1beta1': 25,
  'autoscaling/v2beta1': 25,
  'policy/v1beta1': 25,
  'node.k8s.io/v1beta1': 25,
  'flowcontrol.apiserver.k8s.io/v1beta1': 26,
  'autoscaling/v2beta2': 26,
  'storage.k8s.io/v1beta1/CSIStorageCapacity': 27,
  'flowcontrol.apiserver.k8s.io/v1beta2': 29,
  'flowcontrol.apiserver.k8s.io/v1beta3': 32,
};

// group/version[/Kind] → first minor that serves it (GA versions newer than 1.25).
const ADDED_IN: Record<string, number> = {
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': 30,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': 30,
  'flowcontrol.apiserver.k8s.io/v1': 29,
  'networking.k8s.io/v1/IPAddress': 33,
  'networking.k8s.io/v1/ServiceCIDR': 33,
};

/** "1.31" → 31; undefined for anything else. */
export function minorOf(version: string | undefined): number | undefined {
  const m = /^1\.(\d+)$/.exec(version ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Why `apiVersion`/`kind` is not served by `1.<minor>`, or undefined when it is. */
export function servedProblem(apiVersion: string, kind: string, k8sVersion: string): string | undefined {
  const minor = minorOf(k8sVersion) ?? Number.NaN;
  for (const key of [`${apiVersion}/${kind}`, apiVersion]) {
    const removed = REMOVED_IN[key];
    if (removed !== undefined && minor >= removed)
      return `${apiVersion} ${kind} was removed in Kubernetes 1.${removed}`;
    const added = ADDED_IN[key];
    if (added !== undefined && minor < added)
      return `${apiVersion} ${kind} is served from Kubernetes 1.${added} on`;
  }
  return undefined;
}
