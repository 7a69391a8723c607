/** One Namespace per team, labelled for cost and ownership and enforcing Pod Security Admission. */
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import type { Team } from '../spec/schema.js';
import { commonLabels, teamLabels } from './labels.js';

type Level = Team['podSecurity'];

export function podSecurityLabels(level: Level, k8sVersion: string): Record<string, string> {
  // Pinning the policy version to the target cluster keeps an upgrade from silently tightening it.
  const version = `v${k8sVersion}`;
  return {
    'pod-security.kubernetes.io/enforce': level,
    'pod-security.kubernetes.io/enforce-version': version,
    'pod-security.kubernetes.io/audit': level,
    'pod-security.kubernetes.io/audit-version': version,
    'pod-security.kubernetes.io/warn': level,
    'pod-security.kubernetes.io/warn-version': version,
  };
}

/**
 * A Namespace as every kind of namespace here renders it: the given labels, the
 * `kubernetes.io/metadata.name` label NetworkPolicies select on, and Pod Security at `level`.
 */
export function namespaceObject(
  env: ResolvedEnvironment,
  name: string,
  level: Level,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        ...labels,
        'kubernetes.io/metadata.name': name,
        ...podSecurityLabels(level, env.platform.kubernetesVersion),
      },
      ...(annotations ? { annotations } : {}),
    },
  };
}

export function teamNamespace(env: ResolvedEnvironment, team: Team): K8sObject {
  return namespaceObject(
    env,
    team.name,
    team.podSecurity,
    teamLabels(env, team),
    team.description ? { 'mlp.dev/description': team.description } : undefined,
  );
}

export function sharedNamespace(env: ResolvedEnvironment, name: string): K8sObject {
  return namespaceObject(env, name, 'restricted', {
    ...commonLabels(env),
    'mlp.dev/shared-services': 'true',
  });
}
