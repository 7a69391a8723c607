/** Reads Kubernetes manifests a user hands a command: multi-document YAML, located errors. */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../k8s/object.js';
import { UsageError } from './io.js';

export function readManifests(path: string): K8sObject[] {
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
    if (o === null || o === undefined) continue;
    if (typeof o !== 'object' || !o.kind)
      throw new UsageError(
        `${path}: expected Kubernetes objects (with a kind), received ${JSON.stringify(o).slice(0, 40)}`,
      );
    out.push(o);
  }
  return out;
}
