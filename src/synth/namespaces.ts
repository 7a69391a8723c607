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

export function teamNamespace(env: ResolvedEnvironment, team: Team): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: team.name,
      labels: {
        ...teamLabels(env, team),
        'kubernetes.io/metadata.name': team.name,
        ...podSecurityLabels(team.podSecurity, env.platform.kubernetesVersion),
      },
      ...(team.description ? { annotations: { 'mlp.dev/description': team.description } } : {}),
    },
  };
}

export function sharedNamespace(env: ResolvedEnvironment, name: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        ...commonLabels(env),
        'kubernetes.io/metadata.name': name,
        'mlp.dev/shared-services': 'true',
        ...podSecurityLabels('restricted', env.platform.kubernetesVersion),
      },
    },
  };
}
