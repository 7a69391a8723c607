/** Admission policies of an environment, from the rules defined once in src/policy. */
import type { K8sObject } from '../k8s/object.js';
import { kyvernoPolicies, validatingAdmissionPolicies } from '../policy/emit.js';
import { policyRules } from '../policy/rules.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { commonLabels } from './labels.js';

export function admissionPolicies(env: ResolvedEnvironment): K8sObject[] {
  const rules = policyRules({ allowedRegistries: env.allowedRegistries });
  const { engine, exemptNamespaces } = env.platform.policies;
  const emit = engine === 'kyverno' ? kyvernoPolicies : validatingAdmissionPolicies;
  return emit(rules, exemptNamespaces, commonLabels(env));
}
