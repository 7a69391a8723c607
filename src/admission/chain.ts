/**
 * One offline admission path, in the API server's order, shared by `mlp admit`, `mlp policy
 * check` and `mlp check`:
 *
 *   1. defaulting (a limit without a request requests the limit; a bare volume is an emptyDir)
 *   2. LimitRanger, mutating: LimitRange defaults fill missing limits and requests
 *   3. validation: the pod's fields (names, images, ports, env); requests within limits,
 *      extended resources whole and request == limit
 *   4. LimitRanger, validating: min, max, maxLimitRequestRatio
 *   5. Pod Security, at the namespace's enforce level and version
 *   6. ValidatingAdmissionPolicies (rules.ts): on the object itself and on every object its
 *      controllers create from its template (ReplicaSet, Job, Pod), which the bindings match too
 *   7. ResourceQuota: replicas × one pod against each quota of the namespace
 *
 * LimitRanger and Pod Security act on Pods only; a workload passes them itself and its Pods are
 * refused later, so a workload is judged by the Pod its template makes, reported on the workload
 * at the path inside its template. The server stops at the first refusal; offline every stage
 * reports, so one run lists everything to fix.
 */
import type { Finding } from '../check/finding.js';
import { podSpecProblems } from '../check/pod-validation.js';
import { workloadProblems } from '../check/schema.js';
import { type K8sObject, objectRef } from '../k8s/object.js';
import { evaluateRules } from '../policy/evaluate.js';
import type { PolicyRule } from '../policy/rules.js';
import { defaultPod } from './defaults.js';
import { applyLimitRangeDefaults, limitItems, limitRangeViolations } from './limit-ranger.js';
import { denialMessage, enforcePolicy, evaluatePodSecurity } from './pod-security/evaluate.js';
import { rec, shapeErrors } from './pod-security/pod.js';
import { isScoped, podUsage, quotaViolations } from './quota.js';
import {
  type Milli,
  type PodContainer,
  podContainers,
  podLimits,
  podRequests,
  toMilli,
} from './resources.js';
import { resourceViolations } from './validate.js';
import { createdBy, isWorkloadRefRollout, runningPods, surgePods, WORKLOAD_TEMPLATE } from './workload.js';

export interface AdmissionEnv {
  /** The environment's objects: Namespaces (Pod Security labels), LimitRanges, ResourceQuotas. */
  readonly objects: readonly K8sObject[];
  readonly rules: readonly PolicyRule[];
  /** Namespaces the policy bindings exempt (Pod Security and quota still apply there). */
  readonly exemptNamespaces: readonly string[];
  /** The target Kubernetes minor (1.x), where the API server's validation differs by version. */
  readonly kubernetesMinor?: number;
}

export interface AdmissionResult {
  readonly resource: string;
  readonly namespace: string;
  readonly admitted: boolean;
  readonly findings: readonly Finding[];
  /** The enforce policy of the namespace, `restricted:v1.31`. */
  readonly podSecurity: string;
  /** Pods of the template running at once (1 for a Pod). */
  readonly replicas: number;
  /** Each container after defaulting and LimitRanger, in milli-units. */
  readonly containers: readonly (PodContainer & { readonly requests: Milli; readonly limits: Milli })[];
  /** What one pod adds to each quota key, in milli-units. */
  readonly usage: Readonly<Milli>;
}

export const isAdmissible = (o: K8sObject): boolean =>
  o.kind === 'Pod' || (o.kind in WORKLOAD_TEMPLATE && !isWorkloadRefRollout(o));

const prefixOf = (kind: string): string => (kind === 'Pod' ? '' : `${WORKLOAD_TEMPLATE[kind]}.`);

/** Admission of one Pod or workload into `namespace` (default: its own, else `default`). */
export function admitObject(object: K8sObject, env: AdmissionEnv, namespace?: string): AdmissionResult {
  const ns = namespace ?? object.metadata?.namespace ?? 'default';
  const placed: K8sObject = {
    ...object,
    metadata: {
      name: '(unnamed)',
      ...(rec(object.metadata) ?? {}),
      namespace: ns,
    } as K8sObject['metadata'],
  };
  const resource = objectRef(placed);
  const findings: Finding[] = [];
  const add = (f: Omit<Finding, 'resource'>) => findings.push({ resource, ...f });
  const isPod = object.kind === 'Pod';
  const prefix = prefixOf(object.kind);
  const where = (path: string) =>
    path.startsWith('spec') || path.startsWith('metadata') ? prefix + path : path;
  const onPods = isPod ? '' : 'its Pods: ';

  // The pod as the API server will receive it: the Pod itself, or the one the template makes.
  const created = createdBy(placed);
  const pod = isPod ? placed : created.find((c) => c.object.kind === 'Pod')?.object;
  const running = isPod ? { count: 1 } : runningPods(placed, env.objects);
  if (running.error)
    add({
      ruleId: 'admission.input',
      status: 'error',
      path: running.error.split(':')[0]!,
      message: running.error,
    });
  const podSpec = rec(pod?.spec);
  if (!pod || !podSpec || !Array.isArray(podSpec.containers) || podSpec.containers.length === 0) {
    add({
      ruleId: 'admission.input',
      status: 'error',
      path: where('spec.containers'),
      message: `${onPods}the pod has no containers`,
    });
    return result(resource, ns, findings, '', running.count, [], {});
  }
  // A pod the API server cannot decode (wrong types, values that are not quantities) is
  // refused before any admission plugin runs: report why, and judge nothing further on a guess.
  const inputErrors = [...shapeErrors(pod)];
  podContainers(podSpec, inputErrors);
  toMilli(podSpec.overhead, 'spec.overhead', inputErrors);
  for (const e of inputErrors)
    add({
      ruleId: 'admission.input',
      status: 'error',
      path: where(e.split(':')[0]!),
      message: `${onPods}${e}`,
    });
  if (inputErrors.length > 0) return result(resource, ns, findings, '', running.count, [], {});

  // 1–2. Defaulting, then LimitRanger's defaults.
  const admitted = defaultPod(pod);
  const spec = rec(admitted.spec)!;
  const items = limitItems(env.objects, ns);
  applyLimitRangeDefaults(spec, items);

  // 3–4. Validation of the resources, then LimitRanger's limits.
  const lrErrors: string[] = [];
  const containers = podContainers(spec, lrErrors);
  const overhead = toMilli(spec.overhead, 'spec.overhead', lrErrors);
  // Values that came from a LimitRange (not the pod) and are not quantities.
  for (const e of lrErrors)
    add({
      ruleId: 'admission.limitrange',
      status: 'error',
      path: where(e.split(':')[0]!),
      message: `${onPods}LimitRange default ${e}`,
    });
  const requests = podRequests(containers, overhead);
  const limits = podLimits(containers, overhead);
  const stage = (ruleId: string, list: { path: string; message: string }[], pass: string) => {
    for (const v of list)
      add({ ruleId, status: 'fail', path: where(v.path), message: `${onPods}${v.message}` });
    if (list.length === 0) add({ ruleId, status: 'pass', path: where('spec'), message: pass });
  };
  // The workload's own validation (a selector that selects its template), at the workload.
  for (const v of isPod ? [] : workloadProblems(placed))
    add({ ruleId: 'admission.validation', status: 'fail', path: v.path, message: `${v.path}: ${v.message}` });
  // The API server's field validation of the pod (container names unique and DNS-1123 labels,
  // images, ports, env names): a pod it refuses is never admitted. Requests vs limits are
  // judged by the next stage, after LimitRanger's defaults.
  stage(
    'admission.validation',
    podSpecProblems(spec, 'spec', env.kubernetesMinor)
      .filter((p) => !p.path.includes('.resources.'))
      .map((p) => ({ path: p.path, message: `${p.path}: ${p.message}` })),
    'valid pod fields (names, images, ports, env)',
  );
  stage(
    'admission.resources',
    resourceViolations(containers),
    'requests within limits; extended resources requested at their limit',
  );
  stage(
    'admission.limitrange',
    limitRangeViolations(containers, { requests, limits }, items),
    'within the LimitRange',
  );

  // 5. Pod Security for the namespace's enforce level and version.
  const nsObject = env.objects.find((o) => o.kind === 'Namespace' && o.metadata?.name === ns);
  const policy = enforcePolicy(nsObject?.metadata?.labels);
  for (const e of policy.errors)
    findings.push({
      ruleId: 'pod-security.labels',
      status: 'warn',
      resource: `Namespace/${ns}`,
      path: 'metadata.labels',
      message: `${e}; the API server enforces ${policy.label}`,
    });
  const violations = evaluatePodSecurity(policy.level, policy.minor, admitted);
  for (const v of violations)
    add({
      ruleId: `pod-security.${v.check}`,
      status: 'fail',
      path: where(v.paths[0] ?? 'spec'),
      message: `${onPods}${denialMessage(policy, [v])}`,
      fix: `make the pod meet Pod Security ${policy.level} (https://kubernetes.io/docs/concepts/security/pod-security-standards/)`,
    });
  if (violations.length === 0)
    add({
      ruleId: 'pod-security',
      status: 'pass',
      path: where('spec'),
      message: `admitted by PodSecurity "${policy.label}"`,
    });

  // 6. The policies, on the object and on what its controllers create (Pods after mutation).
  if (!env.exemptNamespaces.includes(ns)) {
    const judged: { object: K8sObject; prefix: string; metadataAt: string; what: string }[] = [
      { object: isPod ? { ...admitted } : placed, prefix: '', metadataAt: 'metadata', what: '' },
      ...created.map((c) => (c.object.kind === 'Pod' ? { ...c, object: admitted } : c)),
    ];
    const byRule = new Map<string, Finding>();
    for (const j of judged) {
      for (const f of evaluateRules(j.object, env.rules)) {
        const mapped: Finding = {
          ...f,
          resource,
          // A created object's metadata comes from the workload's template: point there.
          path: f.path.startsWith('metadata')
            ? j.metadataAt + f.path.slice('metadata'.length)
            : j.prefix + f.path,
          message: j.what ? `${j.what}: ${f.message}` : f.message,
          ...(j.what && f.fix && f.path.startsWith('metadata') ? { fix: `${f.fix} in ${j.metadataAt}` } : {}),
        };
        const seen = byRule.get(f.ruleId);
        // One verdict per rule: its first failure, a pass only if it passes on every object.
        if (!seen || (seen.status === 'pass' && f.status !== 'pass')) byRule.set(f.ruleId, mapped);
      }
    }
    findings.push(...byRule.values());
  }

  // 7. ResourceQuota: every pod the workload keeps running.
  const usage = podUsage(requests, limits);
  const quotas = env.objects.filter((o) => o.kind === 'ResourceQuota' && o.metadata?.namespace === ns);
  for (const q of quotas.filter(isScoped))
    add({
      ruleId: 'admission.quota',
      status: 'warn',
      path: where('spec'),
      message: `ResourceQuota ${q.metadata?.name ?? '?'} has scopes; which pods it tracks is not evaluated offline`,
    });
  if (quotas.some((q) => !isScoped(q))) {
    const over = quotaViolations(quotas, containers, usage, running.count);
    stage(
      'admission.quota',
      over.map((q) => ({ path: 'spec', message: q.message })),
      running.count === 1 ? 'within the ResourceQuota' : `${running.count} pods within the ResourceQuota`,
    );
    // A rolling update runs the surge pods beside the old ones: the quota must hold them too, or
    // the rollout stalls with the new ReplicaSet unable to create its pods.
    const surge = surgePods(placed, running.count);
    if (over.length === 0 && surge > 0) {
      const during = quotaViolations(quotas, containers, usage, running.count + surge);
      for (const q of during)
        add({
          ruleId: 'admission.quota',
          status: 'warn',
          path: 'spec.strategy.rollingUpdate.maxSurge',
          message: `a rolling update runs ${running.count + surge} pods (maxSurge ${surge}): ${q.message}`,
          fix: 'lower maxSurge (maxUnavailable > 0) or raise the quota',
        });
    }
  }
  return result(resource, ns, findings, policy.label, running.count, containers, usage);
}

function result(
  resource: string,
  namespace: string,
  findings: Finding[],
  podSecurity: string,
  replicas: number,
  containers: readonly PodContainer[],
  usage: Milli,
): AdmissionResult {
  const admitted = !findings.some((f) => f.status === 'fail' || f.status === 'error');
  return { resource, namespace, admitted, findings, podSecurity, replicas, containers, usage };
}
