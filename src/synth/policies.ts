/** Admission policies of an environment, from the rules defined once in src/policy. */
import type { K8sObject } from '../k8s/object.js';
import { kyvernoPolicies, validatingAdmissionPolicies } from '../policy/emit.js';
import { admissionExemptions } from '../policy/exemptions.js';
import { policyRules } from '../policy/rules.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { commonLabels } from './labels.js';

/** `tree`: the environment's other objects, which say which engines it relies on (exemptions). */
export function admissionPolicies(env: ResolvedEnvironment, tree: readonly K8sObject[]): K8sObject[] {
  const rules = policyRules({ allowedRegistries: env.allowedRegistries });
  const emit = env.platform.policies.engine === 'kyverno' ? kyvernoPolicies : validatingAdmissionPolicies;
  return emit(rules, admissionExemptions(env, tree), commonLabels(env));
}
