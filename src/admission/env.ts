/** The admission context of one environment: its rendered objects and its policy rules. */
import { minorOf } from '../check/schema.js';
import type { K8sObject } from '../k8s/object.js';
import { admissionExemptions } from '../policy/exemptions.js';
import { policyRules } from '../policy/rules.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import type { AdmissionEnv } from './chain.js';

export function admissionEnv(env: ResolvedEnvironment, objects: readonly K8sObject[]): AdmissionEnv {
  return {
    objects,
    rules: policyRules({ allowedRegistries: env.allowedRegistries }),
    exemptNamespaces: admissionExemptions(env, objects).map((e) => e.namespace),
    kubernetesMinor: minorOf(env.platform.kubernetesVersion),
  };
}
