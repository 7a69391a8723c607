/**
 * Renders components into the files of `gitops/<env>/`: pure, so the same input gives the same
 * bytes. Every level has a kustomization.yaml, so `kubectl apply -k gitops/<env>` works.
 */
import { stringify } from 'yaml';
import type { K8sObject } from '../k8s/object.js';
import type { Component } from '../synth/component.js';

const FIRST_KEYS = ['apiVersion', 'kind', 'metadata'];
const META_KEYS = ['name', 'namespace', 'labels', 'annotations'];

function sortLabels(map: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(map).sort()) out[k] = map[k]!;
  return out;
}

/** apiVersion, kind, metadata first; label and annotation keys sorted; undefined dropped. */
export function normalizeObject(o: K8sObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const meta: Record<string, unknown> = {};
  for (const k of META_KEYS) {
    const v = (o.metadata as unknown as Record<string, unknown>)[k];
    if (v === undefined) continue;
    meta[k] = k === 'labels' || k === 'annotations' ? sortLabels(v as Record<string, string>) : v;
  }
  for (const k of FIRST_KEYS) {
    if (k === 'metadata') out.metadata = meta;
    else if (o[k] !== undefined) out[k] = o[k];
  }
  for (const [k, v] of Object.entries(o)) if (!FIRST_KEYS.includes(k) && v !== undefined) out[k] = v;
  return out;
}

export function renderYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
}

export function renderObjects(objects: readonly K8sObject[]): string {
  return objects.map((o) => renderYaml(normalizeObject(o))).join('---\n');
}

function kustomization(resources: readonly string[], annotations?: Record<string, string>): string {
  return renderYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    ...(annotations ? { commonAnnotations: annotations } : {}),
    resources,
  });
}

/** Relative path → file content, in a stable order. */
export function renderTree(components: readonly Component[]): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    'kustomization.yaml',
    kustomization(components.filter((c) => c.applied !== false).map((c) => c.name)),
  );
  for (const c of components) {
    if (c.applied === false) {
      for (const f of c.files)
        files.set(
          `${c.name}/${f.name}`,
          f.text !== undefined ? f.text : f.raw !== undefined ? renderYaml(f.raw) : renderObjects(f.objects),
        );
      continue;
    }
    // Argo CD applies lower waves first: namespaces before the objects that live in them.
    files.set(
      `${c.name}/kustomization.yaml`,
      kustomization(
        c.files.map((f) => f.name),
        c.ownWaves ? undefined : { 'argocd.argoproj.io/sync-wave': String(c.wave) },
      ),
    );
    for (const f of c.files) files.set(`${c.name}/${f.name}`, renderObjects(f.objects));
  }
  return files;
}
