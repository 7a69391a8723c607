/** `mlp admit pod.yaml -n NS`: would LimitRange and ResourceQuota admit this pod, and why not. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { admitPod, podSpecOf } from '../../check/quota/admit.js';
import { formatResource } from '../../check/quota/resources.js';
import type { K8sObject } from '../../k8s/object.js';
import { environment, objectsOf, openSpec } from '../context.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { emit, type OutputFormat } from '../output.js';

export interface AdmitOptions {
  readonly file?: string;
  readonly env: string;
  readonly namespace?: string;
  readonly output: OutputFormat;
}

function readPods(path: string): K8sObject[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${path}`);
  }
  const docs = parseAllDocuments(text);
  const out: K8sObject[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      throw new UsageError(
        `${path}:${pos?.line ?? 1}:${pos?.col ?? 1}: invalid YAML: ${err.message.split('\n')[0]}`,
      );
    }
    const o = doc.toJS() as K8sObject | null;
    if (!o) continue;
    if (typeof o !== 'object' || !o.kind || !podSpecOf(o)) {
      throw new UsageError(
        `${path}: expected a Pod (or a workload with a pod template), received ${o?.kind ?? 'no kind'}`,
      );
    }
    out.push(o);
  }
  if (out.length === 0) throw new UsageError(`${path}: no pod in the file`);
  return out;
}

export function admitCommand(podFile: string, opts: AdmitOptions, io: Io): number {
  const pods = readPods(resolve(io.cwd, podFile));
  const spec = openSpec(opts, io);
  const env = environment(spec, opts.env);
  const objects = objectsOf(env);
  const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const results = pods.map((pod) => {
    const ns = opts.namespace ?? pod.metadata?.namespace ?? 'default';
    if (!namespaces.has(ns))
      throw new UsageError(
        `unknown namespace "${ns}"; the ${env.environment} tree has: ${[...namespaces].sort().join(', ')}`,
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
