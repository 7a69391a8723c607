/**
 * What a workload will create. Controllers create their objects from templates, and admission
 * judges those objects as they are created: the ReplicaSet of a Deployment, the Job of a
 * CronJob, and in the end the Pods. Each carries the template's metadata and the namespace.
 */
import type { K8sObject } from '../k8s/object.js';
import { rec } from './pod-security/pod.js';

export const WORKLOAD_TEMPLATE: Readonly<Record<string, string>> = {
  Deployment: 'spec.template',
  StatefulSet: 'spec.template',
  DaemonSet: 'spec.template',
  ReplicaSet: 'spec.template',
  Job: 'spec.template',
  CronJob: 'spec.jobTemplate.spec.template',
  // Argo Rollouts (argoproj.io/v1alpha1): a Rollout makes ReplicaSets from its pod template
  // exactly as a Deployment does (rollout/replicaset.go). A `workloadRef` Rollout has no
  // template of its own: the Deployment it references is judged instead (isAdmissible).
  Rollout: 'spec.template',
};

/** A Rollout that takes its pod template from a Deployment (`spec.workloadRef`). */
export function isWorkloadRefRollout(o: K8sObject): boolean {
  const spec = rec(o.spec);
  return o.kind === 'Rollout' && rec(spec?.workloadRef) !== undefined && rec(spec?.template) === undefined;
}

/** An object the workload's controllers create, and where its fields sit in the workload. */
export interface Created {
  readonly object: K8sObject;
  /** Prefix that maps a path in `object` back into the workload (`spec.template.` for a Pod). */
  readonly prefix: string;
  /** Where its metadata comes from in the workload (`spec.template.metadata`). */
  readonly metadataAt: string;
  /** How to name it in messages: `the Pods it creates`. */
  readonly what: string;
}

const meta = (template: Record<string, unknown> | undefined) => rec(template?.metadata) ?? {};

function podFrom(
  template: Record<string, unknown> | undefined,
  namespace: string | undefined,
  owner: { kind: string; name: string },
): K8sObject {
  const m = meta(template);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${owner.name}-pod`,
      ...(namespace ? { namespace } : {}),
      ...(rec(m.labels) ? { labels: rec(m.labels) as Record<string, string> } : {}),
      ...(rec(m.annotations) ? { annotations: rec(m.annotations) as Record<string, string> } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, controller: true }],
    } as K8sObject['metadata'],
    spec: rec(template?.spec) ?? {},
  };
}

/** The objects a workload's controllers will create, down to its Pods; none for a Pod. */
export function createdBy(workload: K8sObject): Created[] {
  const spec = rec(workload.spec);
  const ns = workload.metadata?.namespace;
  const name = workload.metadata?.name ?? 'workload';
  switch (workload.kind) {
    case 'Rollout':
    case 'Deployment': {
      const template = rec(spec?.template);
      // The ReplicaSet carries the template's labels (plus pod-template-hash) and the template.
      const rs: K8sObject = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${name}-rs`,
          ...(ns ? { namespace: ns } : {}),
          labels: { ...((rec(meta(template).labels) as Record<string, string>) ?? {}) },
        },
        spec: { selector: spec?.selector, template },
      };
      return [
        { object: rs, prefix: '', metadataAt: 'spec.template.metadata', what: 'the ReplicaSets it creates' },
        {
          object: podFrom(template, ns, { kind: 'ReplicaSet', name }),
          prefix: 'spec.template.',
          metadataAt: 'spec.template.metadata',
          what: 'the Pods it creates',
        },
      ];
    }
    case 'CronJob': {
      const jobTemplate = rec(spec?.jobTemplate);
      const job: K8sObject = {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: `${name}-job`,
          ...(ns ? { namespace: ns } : {}),
          ...(rec(meta(jobTemplate).labels)
            ? { labels: rec(meta(jobTemplate).labels) as Record<string, string> }
            : {}),
        },
        spec: rec(jobTemplate?.spec) ?? {},
      };
      return [
        {
          object: job,
          prefix: 'spec.jobTemplate.',
          metadataAt: 'spec.jobTemplate.metadata',
          what: 'the Jobs it creates',
        },
        {
          object: podFrom(rec(rec(jobTemplate?.spec)?.template), ns, { kind: 'Job', name }),
          prefix: 'spec.jobTemplate.spec.template.',
          metadataAt: 'spec.jobTemplate.spec.template.metadata',
          what: 'the Pods it creates',
        },
      ];
    }
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return [
        {
          object: podFrom(rec(spec?.template), ns, { kind: workload.kind, name }),
          prefix: 'spec.template.',
          metadataAt: 'spec.template.metadata',
          what: 'the Pods it creates',
        },
      ];
    default:
      return [];
  }
}

/**
 * How many pods of the template run at once: replicas (default 1); a Job's parallelism, at most
 * its completions; a DaemonSet one per node, which offline is at least one.
 */
export function runningPods(
  workload: K8sObject,
  objects: readonly K8sObject[] = [],
): { count: number; error?: string } {
  const spec = rec(workload.spec) ?? {};
  // Under an HPA (and without replicas of its own) the workload may run maxReplicas pods: what
  // the quota must hold. With replicas set too, rollout.replicas-fight reports the conflict.
  const scaled = spec.replicas === undefined ? autoscaledMax(workload, objects) : undefined;
  if (scaled !== undefined) return { count: scaled };
  const int = (v: unknown, field: string, dflt: number): { count: number; error?: string } => {
    if (v === undefined || v === null) return { count: dflt };
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > 2 ** 31 - 1)
      return { count: dflt, error: `${field}: ${JSON.stringify(v)} is not a non-negative 32-bit integer` };
    return { count: v };
  };
  switch (workload.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
    // A Rollout without replicas runs 1 (the CRD's default) until an HPA scales it.
    case 'Rollout':
      return int(spec.replicas, 'spec.replicas', 1);
    case 'Job':
    case 'CronJob': {
      const job = workload.kind === 'Job' ? spec : (rec(rec(spec.jobTemplate)?.spec) ?? {});
      const base = workload.kind === 'Job' ? 'spec' : 'spec.jobTemplate.spec';
      const p = int(job.parallelism, `${base}.parallelism`, 1);
      const c = int(job.completions, `${base}.completions`, p.count);
      return {
        count: Math.min(p.count, c.count),
        ...(p.error || c.error ? { error: p.error ?? c.error } : {}),
      };
    }
    default:
      return { count: 1 };
  }
}

/**
 * Extra pods a Deployment runs during a rolling update: maxSurge (default 25%, rounded up, as
 * the deployment controller resolves percentages). 0 for other kinds and for Recreate.
 */
export function surgePods(workload: K8sObject, replicas: number): number {
  if (workload.kind === 'Rollout') return rolloutSurge(workload, replicas);
  if (workload.kind !== 'Deployment') return 0;
  const strategy = rec(rec(workload.spec)?.strategy);
  if (strategy?.type === 'Recreate') return 0;
  const raw = rec(strategy?.rollingUpdate)?.maxSurge ?? '25%';
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw > 0 ? raw : 0;
  const m = typeof raw === 'string' ? /^(\d{1,9})%$/.exec(raw) : null;
  return m ? Math.ceil((replicas * Number(m[1])) / 100) : 0;
}

/**
 * Extra pods of a Rollout's update. A canary with traffic routing scales the canary ReplicaSet
 * to its weight while the stable one stays whole (Argo Rollouts' default, dynamicStableScale
 * false), so at the last weight before promotion it runs up to `replicas` more pods. Without
 * traffic routing the canary replaces pods under maxSurge (default 25%, rounded up); blueGreen
 * runs a whole preview ReplicaSet beside the active one.
 */
function rolloutSurge(workload: K8sObject, replicas: number): number {
  const strategy = rec(rec(workload.spec)?.strategy);
  const canary = rec(strategy?.canary);
  if (!canary) return rec(strategy?.blueGreen) ? replicas : 0;
  if (rec(canary.trafficRouting)) return replicas;
  const raw = canary.maxSurge ?? '25%';
  if (typeof raw === 'number') return Number.isSafeInteger(raw) && raw > 0 ? raw : 0;
  const m = typeof raw === 'string' ? /^(\d{1,9})%$/.exec(raw) : null;
  return m ? Math.ceil((replicas * Number(m[1])) / 100) : 0;
}

/** maxReplicas of an HPA in the workload's namespace whose scaleTargetRef names it. */
function autoscaledMax(workload: K8sObject, objects: readonly K8sObject[]): number | undefined {
  const ns = workload.metadata?.namespace;
  const group = (v: unknown) => (typeof v === 'string' && v.includes('/') ? v.slice(0, v.indexOf('/')) : '');
  for (const o of objects) {
    if (o.kind !== 'HorizontalPodAutoscaler' || o.metadata?.namespace !== ns) continue;
    const spec = rec(o.spec);
    const ref = rec(spec?.scaleTargetRef);
    if (ref?.kind !== workload.kind || ref?.name !== workload.metadata?.name) continue;
    if (group(ref?.apiVersion) !== group(workload.apiVersion)) continue;
    const max = spec?.maxReplicas;
    if (typeof max === 'number' && Number.isSafeInteger(max) && max > 0 && max <= 2 ** 31 - 1) return max;
  }
  return undefined;
}
