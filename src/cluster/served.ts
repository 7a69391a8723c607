/**
 * Versions the target server serves. The spec targets a Kubernetes minor (1.31 in the
 * example) and renders ValidatingAdmissionPolicy as admissionregistration.k8s.io/v1 (GA in
 * 1.30). A 1.28 or 1.29 server serves the same API only as v1beta1, behind the
 * ValidatingAdmissionPolicy feature gate and `--runtime-config=admissionregistration.k8s.io/v1beta1=true`.
 * The fields the tree uses (failurePolicy, matchConstraints, variables, validations; policyName,
 * validationActions, matchResources) are identical in both, so when discovery says v1 is not
 * served but v1beta1 is, the object is sent as v1beta1 and the change is reported.
 */
import type { K8sObject } from '../k8s/object.js';
import type { Discovery } from './discovery.js';

const FALLBACKS: Readonly<Record<string, { readonly kinds: readonly string[]; readonly to: string }>> = {
  'admissionregistration.k8s.io/v1': {
    kinds: ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'],
    to: 'admissionregistration.k8s.io/v1beta1',
  },
};

export interface Adapted {
  readonly object: K8sObject;
  /** Set when the apiVersion was changed for this server. */
  readonly note?: string;
}

export async function adaptToServer(o: K8sObject, discovery: Discovery): Promise<Adapted> {
  const fb = Object.hasOwn(FALLBACKS, o.apiVersion) ? FALLBACKS[o.apiVersion] : undefined;
  if (!fb?.kinds.includes(o.kind)) return { object: o };
  if (await discovery.resourceFor(o.apiVersion, o.kind)) return { object: o };
  if (!(await discovery.resourceFor(fb.to, o.kind))) return { object: o };
  return {
    object: { ...o, apiVersion: fb.to },
    note: `${o.kind}: the server does not serve ${o.apiVersion}; sent as ${fb.to}`,
  };
}
