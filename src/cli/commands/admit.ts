/** `mlp admit pod.yaml -n NS`: would LimitRange and ResourceQuota admit this pod, and why not. */
import { resolve } from 'node:path';
import { admitPod, podSpecOf } from '../../check/quota/admit.js';
import { formatResource } from '../../check/quota/resources.js';
import { systemNamespaces } from '../../check/run.js';
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
  const notPod = out.find((o) => !podSpecOf(o));
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
  // The tree's namespaces, and those every cluster has (default, kube-system…) or the spec
  // declares pre-installed: admission there sees only what the tree puts there.
  const namespaces = new Set([
    ...objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name),
    ...systemNamespaces(env),
  ]);
  const results = pods.map((pod) => {
    const ns = opts.namespace ?? pod.metadata?.namespace ?? 'default';
    if (!namespaces.has(ns))
      throw new UsageError(
        `unknown namespace "${ns}": neither the ${env.environment} tree nor the cluster creates it; known: ${[...namespaces].sort().join(', ')}`,
      );
    return { pod: pod.metadata?.name ?? '(unnamed)', namespace: ns, ...admitPod(pod, ns, objects) };
  });
  io.stdout(
    emit(opts.output, { environment: env.environment, results }, () =>
      results
        .map((r) => {
          const head = `${r.admitted ? 'admitted' : 'rejected'}: pod ${r.pod} in ${r.namespace}`;
          const usage = Object.entries(r.usage)
            .map(([k, v]) => `${k}=${formatResource(k, v)}`)
            .join(' ');
          return `${head}\n${r.reasons.map((x) => `  - ${x}\n`).join('')}${usage ? `  usage: ${usage}\n` : ''}`;
        })
        .join(''),
    ),
  );
  return results.every((r) => r.admitted) ? EXIT.ok : EXIT.failed;
}
