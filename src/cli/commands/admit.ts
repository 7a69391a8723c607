/**
 * `mlp admit pod.yaml -n NS`: would the API server admit this Pod, or the Pods a workload's
 * template makes, into NS, and why not. The whole admission chain (src/admission/chain.ts):
 * defaulting, LimitRanger, validation, Pod Security, the policies, ResourceQuota.
 */
import { resolve } from 'node:path';
import { admitObject, isAdmissible } from '../../admission/chain.js';
import { admissionEnv } from '../../admission/env.js';
import { systemNamespaces } from '../../check/namespaces.js';
import { formatResource } from '../../check/quota/resources.js';
import type { K8sObject } from '../../k8s/object.js';
import { environment, objectsOf, openSpec } from '../context.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { readManifests } from '../manifests.js';
import { emit, type OutputFormat } from '../output.js';

export interface AdmitOptions {
  readonly file?: string;
  readonly env: string;
  readonly namespace?: string;
  readonly output: OutputFormat;
}

function readPods(path: string): K8sObject[] {
  const out = readManifests(path);
  const notPod = out.find((o) => !isAdmissible(o));
  if (notPod)
    throw new UsageError(
      `${path}: expected a Pod (or a workload with a pod template), received ${notPod.kind}`,
    );
  if (out.length === 0) throw new UsageError(`${path}: no pod in the file`);
  return out;
}

export function admitCommand(podFile: string, opts: AdmitOptions, io: Io): number {
  const pods = readPods(resolve(io.cwd, podFile));
  const spec = openSpec(opts, io);
  const env = environment(spec, opts.env);
  const objects = objectsOf(env);
  const context = admissionEnv(env, objects);
  // The tree's namespaces, and those every cluster has (default, kube-system…) or the spec
  // declares pre-installed: admission there sees only what the tree puts there.
  const namespaces = new Set([
    ...objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name),
    ...systemNamespaces(env),
  ]);
  const results = pods.map((pod) => {
    const own = pod.metadata?.namespace;
    // As kubectl: a namespace flag that contradicts the object's own is an error, not an override.
    if (opts.namespace && own && own !== opts.namespace)
      throw new UsageError(
        `the namespace of ${pod.kind ?? 'the object'} "${pod.metadata?.name ?? '(unnamed)'}" (${own}) does not match -n ${opts.namespace}`,
      );
    const ns = opts.namespace ?? own ?? 'default';
    if (!namespaces.has(ns))
      throw new UsageError(
        `unknown namespace "${ns}": neither the ${env.environment} tree nor the cluster creates it; known: ${[...namespaces].sort().join(', ')}`,
      );
    const r = admitObject(pod, context, ns);
    const reasons = r.findings
      .filter((f) => f.status === 'fail' || f.status === 'error')
      .map((f) => `${f.message} [${f.ruleId} at ${f.path}]`);
    return {
      kind: pod.kind,
      pod: pod.metadata?.name ?? '(unnamed)',
      namespace: ns,
      admitted: r.admitted,
      podSecurity: r.podSecurity,
      replicas: r.replicas,
      reasons,
      findings: r.findings,
      containers: r.containers,
      usage: r.usage,
    };
  });
  io.stdout(
    emit(opts.output, { environment: env.environment, results }, () =>
      results
        .map((r) => {
          const what = r.kind === 'Pod' ? 'pod' : `${r.kind.toLowerCase()}`;
          const pods = r.kind === 'Pod' ? '' : ` (${r.replicas} ${r.replicas === 1 ? 'pod' : 'pods'})`;
          const head = `${r.admitted ? 'admitted' : 'rejected'}: ${what} ${r.pod} in ${r.namespace}${pods}`;
          const usage = Object.entries(r.usage)
            .filter(([k]) => k !== 'count/pods')
            .map(([k, v]) => `${k}=${formatResource(k, v)}`)
            .join(' ');
          return `${head}\n${r.reasons.map((x) => `  - ${x}\n`).join('')}  pod security: ${r.podSecurity || 'n/a'}\n${usage ? `  usage per pod: ${usage}\n` : ''}`;
        })
        .join(''),
    ),
  );
  return results.every((r) => r.admitted) ? EXIT.ok : EXIT.failed;
}
