/** The admission context of one environment: its rendered objects and its policy rules. */
import { minorOf } from '../k8s/api-versions.js';
import type { K8sObject } from '../k8s/object.js';
import { admissionExemptions, type Exemption } from '../policy/exemptions.js';
import { policyRules } from '../policy/rules.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import type { AdmissionEnv } from './chain.js';

/** `exemptions`: when the caller has them already (mlp check also reports them). */
export function admissionEnv(
  env: ResolvedEnvironment,
  objects: readonly K8sObject[],
  exemptions: readonly Exemption[] = admissionExemptions(env, objects),
): AdmissionEnv {
  return {
    objects,
    rules: policyRules({ allowedRegistries: env.allowedRegistries }),
    exemptNamespaces: exemptions.map((e) => e.namespace),
    kubernetesMinor: minorOf(env.platform.kubernetesVersion),
  };
}
