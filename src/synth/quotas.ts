/** ResourceQuota and LimitRange of a team namespace, both straight from the spec's numbers. */
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import type { Team } from '../spec/schema.js';
import { teamLabels } from './labels.js';

type Pair = { cpu?: string | number | undefined; memory?: string | number | undefined };

function pair(p: Pair): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (p.cpu !== undefined) out.cpu = String(p.cpu);
  if (p.memory !== undefined) out.memory = String(p.memory);
  return Object.keys(out).length > 0 ? out : undefined;
}

export function resourceQuota(env: ResolvedEnvironment, team: Team): K8sObject {
  const q = team.quota;
  const hard: Record<string, string> = {};
  if (q.requests.cpu !== undefined) hard['requests.cpu'] = String(q.requests.cpu);
  if (q.requests.memory !== undefined) hard['requests.memory'] = String(q.requests.memory);
  if (q.limits.cpu !== undefined) hard['limits.cpu'] = String(q.limits.cpu);
  if (q.limits.memory !== undefined) hard['limits.memory'] = String(q.limits.memory);
  // Always present: a quota of 0 GPUs is what keeps a team without GPU access off GPU nodes.
  hard['requests.nvidia.com/gpu'] = String(q.gpu);
  if (q.storage !== undefined) hard['requests.storage'] = String(q.storage);
  for (const key of Object.keys(q.objects).sort()) {
    hard[key] = String(q.objects[key as keyof typeof q.objects]);
  }
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: `${team.name}-quota`, namespace: team.name, labels: teamLabels(env, team) },
    spec: { hard },
  };
}

export function limitRange(env: ResolvedEnvironment, team: Team): K8sObject {
  const l = team.limits;
  const item: Record<string, unknown> = { type: 'Container' };
  const fields = [
    ['default', l.default],
    ['defaultRequest', l.defaultRequest],
    ['max', l.max],
    ['min', l.min],
  ] as const;
  for (const [key, value] of fields) {
    const rendered = pair(value);
    if (rendered) item[key] = rendered;
  }
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: `${team.name}-limits`, namespace: team.name, labels: teamLabels(env, team) },
    spec: { limits: [item] },
  };
}
