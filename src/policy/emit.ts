/**
 * The cluster side of the rules: one ValidatingAdmissionPolicy and binding per rule
 * (Kubernetes-native, GA since 1.30), or one Kyverno ClusterPolicy per rule using Kyverno's CEL
 * validation. Both carry the expressions of rules.ts unchanged.
 */
import type { K8sObject } from '../k8s/object.js';
import type { Exemption } from './exemptions.js';
import { POLICY_VARIABLES, type PolicyRule, ruleExpression, type WorkloadKind } from './rules.js';

const RESOURCES: Record<WorkloadKind, { group: string; resource: string }> = {
  Pod: { group: '', resource: 'pods' },
  Deployment: { group: 'apps', resource: 'deployments' },
  StatefulSet: { group: 'apps', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', resource: 'daemonsets' },
  ReplicaSet: { group: 'apps', resource: 'replicasets' },
  Job: { group: 'batch', resource: 'jobs' },
  CronJob: { group: 'batch', resource: 'cronjobs' },
};

function resourceRules(kinds: readonly WorkloadKind[]) {
  const byGroup = new Map<string, string[]>();
  for (const k of kinds) {
    const { group, resource } = RESOURCES[k];
    byGroup.set(group, [...(byGroup.get(group) ?? []), resource]);
  }
  return [...byGroup].map(([group, resources]) => ({
    apiGroups: [group],
    apiVersions: ['v1'],
    operations: ['CREATE', 'UPDATE'],
    resources,
  }));
}

/** The exemptions, one `namespace: reason` per line, for the objects that apply them. */
function exemptionAnnotation(exemptions: readonly Exemption[]): Record<string, string> {
  if (exemptions.length === 0) return {};
  return {
    'mlp.dev/exemptions': exemptions.map((e) => `${e.namespace}: ${e.reason} (${e.source})`).join('\n'),
  };
}

export function validatingAdmissionPolicies(
  rules: readonly PolicyRule[],
  exemptions: readonly Exemption[],
  labels: Record<string, string>,
): K8sObject[] {
  const exempt = exemptions.map((e) => e.namespace);
  return rules.flatMap((rule) => {
    const name = `mlp-${rule.id}`;
    return [
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: {
          name,
          labels,
          annotations: { 'mlp.dev/title': rule.title, 'mlp.dev/severity': rule.severity },
        },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: { resourceRules: resourceRules(rule.kinds) },
          variables: POLICY_VARIABLES.map((v) => ({ name: v.name, expression: v.expression })),
          validations: [
            { expression: ruleExpression(rule), message: `${rule.message} (${rule.id})`, reason: 'Invalid' },
          ],
        },
      },
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: {
          name,
          labels,
          ...(exemptions.length > 0 ? { annotations: exemptionAnnotation(exemptions) } : {}),
        },
        spec: {
          policyName: name,
          validationActions: ['Deny'],
          ...(exempt.length > 0
            ? {
                matchResources: {
                  namespaceSelector: {
                    matchExpressions: [
                      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...exempt] },
                    ],
                  },
                },
              }
            : {}),
        },
      },
    ];
  });
}

export function kyvernoPolicies(
  rules: readonly PolicyRule[],
  exemptions: readonly Exemption[],
  labels: Record<string, string>,
): K8sObject[] {
  const exempt = exemptions.map((e) => e.namespace);
  return rules.map((rule) => ({
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: {
      name: `mlp-${rule.id}`,
      labels,
      annotations: {
        'policies.kyverno.io/title': rule.title,
        'policies.kyverno.io/severity': rule.severity,
        ...exemptionAnnotation(exemptions),
      },
    },
    spec: {
      validationFailureAction: 'Enforce',
      background: true,
      rules: [
        {
          name: rule.id,
          match: { any: [{ resources: { kinds: [...rule.kinds] } }] },
          ...(exempt.length > 0 ? { exclude: { any: [{ resources: { namespaces: [...exempt] } }] } } : {}),
          validate: {
            cel: {
              variables: POLICY_VARIABLES.map((v) => ({ name: v.name, expression: v.expression })),
              expressions: [{ expression: ruleExpression(rule), message: `${rule.message} (${rule.id})` }],
            },
          },
        },
      ],
    },
  }));
}
