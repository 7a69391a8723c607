/**
 * Delivery order, proven offline. Argo CD applies a lower sync wave first and waits for it to be
 * healthy; an object whose kind comes from an engine's CRD must therefore sit in a later wave
 * than the engine's component, or its first sync fails with "no matches for kind" (and a
 * server-side apply of the whole tree does the same). Plain data in: the components as
 * `{name, wave, objects}`, the engines as data from src/engines.
 */
import { ENGINES, type Engine } from '../engines/index.js';
import { groupOf, type K8sObject, objectRef } from '../k8s/object.js';
import type { Finding } from './finding.js';

export interface LayoutComponent {
  readonly name: string;
  readonly wave: number;
  readonly objects: readonly K8sObject[];
}

/** `delivery.crd-wave`: every custom object after the engine that provides its kind. */
export function checkCrdWaves(
  layout: readonly LayoutComponent[],
  engines: readonly Engine[] = ENGINES,
): Finding[] {
  // By group, or by group/kind where an engine names its kinds (argoproj.io is Argo CD's and
  // Argo Rollouts'): the kind-level entry wins.
  const providerOf = new Map<string, Engine>();
  for (const e of engines)
    for (const g of e.crdGroups)
      if (e.crdKinds) for (const k of e.crdKinds) providerOf.set(`${g}/${k}`, e);
      else providerOf.set(g, e);
  const components = new Map(layout.map((c) => [c.name, c]));
  const findings: Finding[] = [];
  let checked = 0;
  for (const c of layout) {
    for (const o of c.objects) {
      const group = groupOf(String(o.apiVersion ?? ''));
      const engine = providerOf.get(`${group}/${String(o.kind)}`) ?? providerOf.get(group);
      if (!engine) continue;
      checked++;
      const home = components.get(engine.name);
      const what = `${objectRef(o)} (${group}, component ${c.name}, wave ${c.wave})`;
      if (!home) {
        findings.push({
          ruleId: 'delivery.crd-wave',
          status: 'fail',
          resource: objectRef(o),
          path: 'apiVersion',
          message: `${what} needs the CRDs of engine ${engine.name}, which this tree does not install`,
          fix: `install ${engine.name} (its component gitops/<env>/${engine.name}) or remove the object`,
        });
        continue;
      }
      // An engine installed before the tree (Argo CD by mlp bootstrap) may share its own wave.
      const late = engine.bootstrapped ? c.wave >= home.wave : c.wave > home.wave;
      if (!late) {
        findings.push({
          ruleId: 'delivery.crd-wave',
          status: 'fail',
          resource: objectRef(o),
          path: 'metadata.annotations["argocd.argoproj.io/sync-wave"]',
          message: `${what} would sync before its CRDs exist: engine ${engine.name} is in wave ${home.wave}; expected a wave ${engine.bootstrapped ? 'of at least' : 'after'} ${home.wave}`,
          fix: `move component ${c.name} to a wave ${engine.bootstrapped ? '≥' : '>'} ${home.wave}`,
        });
      }
    }
  }
  if (findings.length === 0)
    findings.push({
      ruleId: 'delivery.crd-wave',
      status: 'pass',
      resource: 'tree',
      path: '',
      message: `${checked} custom objects come after the engine that provides their kind`,
    });
  return findings;
}

/** `delivery.gitops`: without a repository, Argo CD has nothing to follow. */
export function checkGitopsSource(hasGitops: boolean, environment: string): Finding[] {
  if (hasGitops) return [];
  return [
    {
      ruleId: 'delivery.gitops',
      status: 'warn',
      resource: `environment/${environment}`,
      path: 'gitops',
      message:
        'the spec names no gitops repository, so no root or child Argo CD Applications are rendered: Argo CD will not deliver this tree (engines and AppProjects still render; mlp apply can deliver it)',
      fix: 'add gitops: {repoURL: https://github.com/acme/platform-gitops.git} to platform.yaml',
    },
  ];
}
