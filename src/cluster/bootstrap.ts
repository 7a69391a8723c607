/**
 * `mlp bootstrap`: Argo CD from its upstream install manifest at the pinned release, then the
 * tree's AppProjects and root Application — after which Argo CD delivers everything else.
 */
import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { argoCd } from '../engines/argo-cd.js';
import { groupOf, type K8sObject } from '../k8s/object.js';
import { resourceForKind } from '../k8s/resources.js';
import type { Component } from '../synth/component.js';

/**
 * Argo CD release installed by bootstrap: the one the argo-cd engine's pinned chart ships, so
 * when the engine's Application takes Argo CD over, it manages the same version it found.
 */
export const ARGOCD_VERSION = argoCd.chart.appVersion.replace(/^v/, '');
export const ARGOCD_NAMESPACE = 'argocd';
export const argocdManifestUrl = (version: string) =>
  `https://raw.githubusercontent.com/argoproj/argo-cd/v${version}/manifests/install.yaml`;

/**
 * SHA-256 of `manifests/install.yaml` at each tag, computed here from the blob of that tag in a
 * snapshot of github.com/argoproj/argo-cd (raw.githubusercontent.com serves blob bytes
 * unchanged): v3.3.9 1,883,448 bytes, v3.5.1 1,917,766 bytes. A version without an entry is
 * installed "unpinned" (said on stderr): add its digest when the argo-cd engine is bumped.
 */
export const ARGOCD_INSTALL_SHA256: Readonly<Record<string, string>> = {
  '3.3.9': '0e12d46216952eb872dc2bd216da5ac834edae60647f4fe8852405bbc39ad6b5',
  '3.5.1': '795a3a972224da6a7f9d32c3e946445f062b60fb46028476715affeb688236e3',
};

/** Larger than any Argo CD install manifest (1.9 MB in 3.5) by far, small enough to refuse junk. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Multi-document YAML → objects; every document must be a Kubernetes object. */
export function parseManifest(text: string, source: string): K8sObject[] {
  const out: K8sObject[] = [];
  const docs = parseAllDocuments(text);
  docs.forEach((doc, i) => {
    if (doc.errors.length > 0)
      throw new ManifestError(`${source}: document ${i + 1}: ${doc.errors[0]!.message}`);
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) return;
    const o = value as Partial<K8sObject>;
    if (
      typeof o !== 'object' ||
      Array.isArray(o) ||
      typeof o.apiVersion !== 'string' ||
      typeof o.kind !== 'string' ||
      typeof o.metadata?.name !== 'string'
    )
      throw new ManifestError(
        `${source}: document ${i + 1} is not a Kubernetes object (apiVersion, kind, metadata.name)`,
      );
    out.push(o as K8sObject);
  });
  if (out.length === 0) throw new ManifestError(`${source}: no objects`);
  return out;
}

/**
 * `kubectl apply -n argocd -f install.yaml`: namespaced objects without a namespace go to
 * argocd. Scope comes from the built-in table, or from the manifest's own CRDs.
 */
export function placeInNamespace(objects: readonly K8sObject[], namespace: string): K8sObject[] {
  const crdScope = new Map<string, string>();
  for (const o of objects)
    if (o.kind === 'CustomResourceDefinition') {
      const spec = o.spec as { group?: string; names?: { kind?: string }; scope?: string } | undefined;
      if (spec?.group && spec.names?.kind)
        crdScope.set(`${spec.group}/${spec.names.kind}`, spec.scope ?? 'Namespaced');
    }
  return objects.map((o) => {
    if (o.metadata.namespace) return o;
    const group = groupOf(o.apiVersion);
    const builtin =
      group === '' || !group.includes('.') || group.endsWith('.k8s.io') ? resourceForKind(o.kind) : undefined;
    const namespaced = builtin ? builtin.namespaced : crdScope.get(`${group}/${o.kind}`) !== 'Cluster';
    return namespaced ? { ...o, metadata: { ...o.metadata, namespace } } : o;
  });
}

export interface TreeArgo {
  readonly projects: K8sObject[];
  readonly root: K8sObject[];
  /** The sync wave of the component holding the projects and the root. */
  readonly wave: number;
  /** The tree's own Namespace argocd (labels, Pod Security) and its wave, when it renders one. */
  readonly namespace?: { readonly object: K8sObject; readonly wave: number };
}

/** The tree's Argo CD objects bootstrap applies: every AppProject, the root Application, the namespace. */
export function treeArgoObjects(components: readonly Component[], namespace = ARGOCD_NAMESPACE): TreeArgo {
  const argo = components.filter((c) => c.name === 'argocd' && c.applied !== false);
  const objects = argo.flatMap((c) => c.files.flatMap((f) => f.objects.map((o) => ({ o, file: f.name }))));
  const ns = components
    .filter((c) => c.applied !== false)
    .flatMap((c) => c.files.flatMap((f) => f.objects.map((o) => ({ o, wave: c.wave }))))
    .find(({ o }) => o.apiVersion === 'v1' && o.kind === 'Namespace' && o.metadata.name === namespace);
  return {
    projects: objects
      .filter(({ o }) => o.kind === 'AppProject' && o.apiVersion.startsWith('argoproj.io/'))
      .map(({ o }) => o),
    root: objects
      .filter(
        ({ o, file }) =>
          o.kind === 'Application' && o.apiVersion.startsWith('argoproj.io/') && file === 'root.yaml',
      )
      .map(({ o }) => o),
    wave: argo[0]?.wave ?? 0,
    ...(ns ? { namespace: { object: ns.o, wave: ns.wave } } : {}),
  };
}

export interface ManifestSource {
  readonly bytes: Uint8Array;
  readonly source: string;
  readonly sha256: string;
  /** `verified` against the pinned digest, `mismatch`, or `unpinned` (no digest known for it). */
  readonly digest: 'verified' | 'mismatch' | 'unpinned';
}

export function checkDigest(bytes: Uint8Array, source: string, version: string): ManifestSource {
  const got = sha256(bytes);
  const want = Object.hasOwn(ARGOCD_INSTALL_SHA256, version) ? ARGOCD_INSTALL_SHA256[version] : undefined;
  return { bytes, source, sha256: got, digest: !want ? 'unpinned' : want === got ? 'verified' : 'mismatch' };
}

/** Reads at most MAX_MANIFEST_BYTES from an https URL. */
export async function download(url: string): Promise<Uint8Array> {
  const u = new URL(url);
  if (u.protocol !== 'https:') throw new ManifestError(`${url}: only https URLs are fetched`);
  let res: Response;
  try {
    res = await fetch(u, { redirect: 'follow', signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ManifestError(
      `cannot fetch ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`,
    );
  }
  if (!res.ok) throw new ManifestError(`cannot fetch ${url}: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_MANIFEST_BYTES)
    throw new ManifestError(`${url}: ${declared} bytes is more than ${MAX_MANIFEST_BYTES}`);
  const reader = res.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_MANIFEST_BYTES) {
      await reader.cancel();
      throw new ManifestError(`${url}: more than ${MAX_MANIFEST_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
