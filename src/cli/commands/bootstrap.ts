/**
 * `mlp bootstrap -e ENV`: install Argo CD (upstream manifest, pinned release, digest checked),
 * then the tree's AppProjects and root Application; `--print` writes them instead.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Applier } from '../../cluster/apply.js';
import { parentRefFor } from '../../cluster/applyset.js';
import {
  ARGOCD_NAMESPACE,
  ARGOCD_VERSION,
  argocdManifestUrl,
  checkDigest,
  download,
  MAX_MANIFEST_BYTES,
  ManifestError,
  parseManifest,
  placeInNamespace,
  treeArgoObjects,
} from '../../cluster/bootstrap.js';
import { Discovery } from '../../cluster/discovery.js';
import { defaultProviderOf } from '../../cluster/providers.js';
import { renderObjects } from '../../gitops/render.js';
import type { K8sObject } from '../../k8s/object.js';
import type { Component } from '../../synth/component.js';
import { synthesize } from '../../synth/platform.js';
import { environment, openSpec } from '../context.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { emit, type OutputFormat } from '../output.js';
import { type ClusterOptions, connectCluster, timeoutOf, withCluster } from './apply.js';

export interface BootstrapOptions extends ClusterOptions {
  readonly file?: string;
  readonly env: string;
  readonly print?: boolean;
  readonly argocdManifest?: string;
  readonly timeout: string;
  readonly output: OutputFormat;
}

async function readSource(opts: BootstrapOptions, io: Io) {
  const given = opts.argocdManifest;
  const source = given ?? argocdManifestUrl(ARGOCD_VERSION);
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source))
      return checkDigest(await download(source), source, ARGOCD_VERSION);
    const path = resolve(io.cwd, source);
    if (!existsSync(path)) throw new ManifestError(`--argocd-manifest: ${path} does not exist`);
    const st = statSync(path);
    if (!st.isFile()) throw new ManifestError(`--argocd-manifest: ${path} is not a file`);
    if (st.size > MAX_MANIFEST_BYTES)
      throw new ManifestError(`--argocd-manifest: ${path} is larger than ${MAX_MANIFEST_BYTES} bytes`);
    return checkDigest(readFileSync(path), source, ARGOCD_VERSION);
  } catch (err) {
    if (err instanceof ManifestError) throw new UsageError(err.message);
    throw err;
  }
}

export async function bootstrapCommand(opts: BootstrapOptions, io: Io): Promise<number> {
  const timeoutMs = timeoutOf(opts.timeout);
  const spec = openSpec(opts, io);
  const env = environment(spec, opts.env);
  const tree = treeArgoObjects(synthesize(env));
  const { projects, root } = tree;
  const manifest = await readSource(opts, io);
  if (manifest.digest === 'mismatch') {
    const msg = `${manifest.source}: sha256 ${manifest.sha256} is not the digest of Argo CD v${ARGOCD_VERSION}'s install.yaml`;
    // The pinned URL must give the pinned bytes; a file or mirror the user names is theirs to vouch for.
    if (!opts.argocdManifest) throw new UsageError(`${msg}; refusing to install it`);
    io.stderr(`mlp: warning: ${msg}; installing it as given\n`);
  } else if (manifest.digest === 'verified') {
    io.stderr(`mlp: ${manifest.source}: sha256 verified (Argo CD v${ARGOCD_VERSION})\n`);
  }
  let install: K8sObject[];
  try {
    install = placeInNamespace(
      parseManifest(Buffer.from(manifest.bytes).toString('utf8'), manifest.source),
      ARGOCD_NAMESPACE,
    );
  } catch (err) {
    if (err instanceof ManifestError) throw new UsageError(err.message);
    throw err;
  }
  // The tree's own Namespace when it renders one (its Pod Security labels matter), else a bare one.
  const namespace: K8sObject = tree.namespace?.object ?? {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ARGOCD_NAMESPACE },
  };
  const installNoNs = install.filter(
    (o) => !(o.kind === 'Namespace' && o.metadata.name === ARGOCD_NAMESPACE),
  );
  const treePart = [...projects, ...root];
  const noRoot = root.length === 0;
  const missing = `the ${env.environment} tree has no Argo CD root Application (gitops/${env.environment}/argocd/root.yaml): Argo CD ${noRoot && opts.print ? 'would be' : 'is'} installed, but nothing tells it what to deliver; use mlp apply -e ${env.environment} meanwhile`;

  if (opts.print) {
    const all = [namespace, ...installNoNs, ...treePart];
    io.stdout(
      opts.output === 'table'
        ? renderObjects(all)
        : emit(
            opts.output,
            {
              environment: env.environment,
              argocdVersion: ARGOCD_VERSION,
              sha256: manifest.sha256,
              digest: manifest.digest,
              objects: all,
            },
            () => '',
          ),
    );
    if (noRoot) {
      io.stderr(`mlp: ${missing}\n`);
      return EXIT.usage;
    }
    return EXIT.ok;
  }

  // Namespace first, then Argo CD's own objects (CRDs before what uses them, by kind order),
  // then the projects and the root, which need Argo CD's CRDs established. Objects `mlp apply`
  // also applies (the Namespace, the AppProjects) join the environment's ApplySet with their own
  // sync wave, exactly as apply labels them (so neither command undoes the other). Argo CD's
  // install objects and the root Application — which apply leaves out, the app-of-apps being
  // bootstrap's — form an ApplySet of their own, which `mlp apply --prune` never touches.
  const envParent = parentRefFor(env.platform.name, env.environment);
  const installParent = parentRefFor(env.platform.name, `${env.environment}-argocd`);
  const one = (name: string, wave: number, objects: K8sObject[]): Component[] =>
    objects.length ? [{ name, wave, files: [{ name: `${name}.yaml`, objects }] }] : [];
  const steps: { parent: typeof envParent; components: Component[] }[] = [
    {
      parent: tree.namespace ? envParent : installParent,
      components: one('namespace', tree.namespace?.wave ?? 0, [namespace]),
    },
    { parent: installParent, components: one('argocd-install', 0, installNoNs) },
    { parent: envParent, components: one('argocd-projects', tree.wave, projects) },
    { parent: installParent, components: one('argocd-root', tree.wave, root) },
  ];
  return withCluster(async () => {
    const cluster = await connectCluster(opts);
    io.stderr(
      `mlp: installing Argo CD v${ARGOCD_VERSION} into ${cluster.server} (context ${cluster.context})\n`,
    );
    const deps = {
      cluster,
      discovery: new Discovery(cluster),
      providerOf: defaultProviderOf,
      log: (l: string) => io.stderr(`${l}\n`),
    };
    const reports = [];
    for (const step of steps) {
      if (step.components.length === 0) continue;
      const r = await new Applier(deps, { parent: step.parent, dryRun: false, prune: false, timeoutMs }).run(
        step.components,
      );
      reports.push(r);
      if (!r.ok) break;
    }
    const report = {
      objects: reports.flatMap((r) => r.objects),
      notes: [...new Set(reports.flatMap((r) => r.notes))],
      ok: reports.every((r) => r.ok),
    };
    const count = (a: string) => report.objects.filter((o) => o.action === a).length;
    io.stdout(
      emit(
        opts.output,
        {
          environment: env.environment,
          argocdVersion: ARGOCD_VERSION,
          sha256: manifest.sha256,
          digest: manifest.digest,
          ...report,
          rootApplication: !noRoot,
        },
        () =>
          `${report.objects.length} objects: ${count('created')} created, ${count('configured')} configured, ${count('unchanged')} unchanged, ${count('failed')} failed\n${report.objects
            .filter((o) => o.action === 'failed')
            .map((o) => `failed: ${o.ref}: ${o.message}\n`)
            .join('')}`,
      ),
    );
    if (!report.ok) return EXIT.failed;
    if (noRoot) {
      io.stderr(`mlp: ${missing}\n`);
      return EXIT.usage;
    }
    return EXIT.ok;
  });
}
