/**
 * Argo CD's app-of-apps for one environment (`gitops/<env>/argocd/`): the root Application,
 * one child Application per component, and the AppProjects (`platform` and one per team).
 *
 * Without `gitops` in the spec there is no repository to point at: the AppProjects still
 * render, the root and the children do not (and `mlp check` warns).
 */
import { ARGOCD_NAMESPACE } from '../engines/argo-cd.js';
import type { K8sObject } from '../k8s/object.js';
import type { ResolvedEnvironment } from '../spec/model.js';
import { PLATFORM_PROJECT } from '../spec/reserved.js';

export { PLATFORM_PROJECT };

import { projectRoles } from '../engines/argo-cd-rbac.js';
import type { Team } from '../spec/schema.js';
import type { Component } from './component.js';
import { commonLabels } from './labels.js';

/** The app-of-apps component's folder. */
export const ARGOCD_COMPONENT = 'argocd';
export const IN_CLUSTER = 'https://kubernetes.default.svc';
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** Name of the child Application of a component (prefixed: engine Applications take the bare name). */
export const childName = (component: string) => `mlp-${component}`;
export const ROOT_NAME = 'mlp-root';

/**
 * Automated sync everywhere with self-heal (drift is reverted); prune where the spec says so
 * (default: local and dev only, so a mistaken commit cannot delete production objects).
 * ServerSideApply: large CRDs and objects we share fields of; CreateNamespace=false: namespaces
 * are our own objects, with their labels. Retry with exponential backoff: a wave whose CRDs are
 * not Established yet succeeds on a later attempt.
 */
export function syncPolicy(env: ResolvedEnvironment): Record<string, unknown> {
  return {
    automated: { prune: env.prune, selfHeal: true },
    syncOptions: ['ServerSideApply=true', 'CreateNamespace=false'],
    retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
  };
}

function application(
  env: ResolvedEnvironment,
  name: string,
  source: Record<string, unknown>,
  annotations?: Record<string, string>,
  destinationNamespace?: string,
): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      namespace: ARGOCD_NAMESPACE,
      labels: commonLabels(env),
      ...(annotations ? { annotations } : {}),
    },
    spec: {
      project: PLATFORM_PROJECT,
      source,
      destination: {
        server: IN_CLUSTER,
        ...(destinationNamespace ? { namespace: destinationNamespace } : {}),
      },
      syncPolicy: syncPolicy(env),
    },
  };
}

/** Keys sorted at every level, so values render the same whatever order the code built them in. */
export function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortedDeep((value as Record<string, unknown>)[k]);
  return out;
}

/** An Application installing a Helm chart at a pinned version (the engines'). */
export function helmApplication(
  env: ResolvedEnvironment,
  name: string,
  namespace: string,
  chart: { repoURL: string; chart: string; version: string },
  values: Record<string, unknown>,
): K8sObject {
  return application(
    env,
    name,
    {
      repoURL: chart.repoURL,
      chart: chart.chart,
      targetRevision: chart.version,
      helm: { releaseName: name, valuesObject: sortedDeep(values) },
    },
    undefined,
    namespace,
  );
}

const folder = (env: ResolvedEnvironment, component: string) =>
  `${env.gitops!.path}/${env.environment}/${component}`;

/**
 * The root syncs the argocd folder itself (children and projects). Its source is the plain
 * folder: Argo CD finds the kustomization.yaml there and builds it; that kustomization sets no
 * sync-wave of its own, so each child keeps its component's wave.
 */
export function rootApplication(env: ResolvedEnvironment): K8sObject {
  const g = env.gitops!;
  return application(env, ROOT_NAME, {
    repoURL: g.repoURL,
    targetRevision: g.revision,
    path: folder(env, ARGOCD_COMPONENT),
  });
}

export function childApplications(env: ResolvedEnvironment, components: readonly Component[]): K8sObject[] {
  const g = env.gitops!;
  return components
    .filter((c) => c.applied !== false && c.name !== ARGOCD_COMPONENT)
    .map((c) =>
      application(
        env,
        childName(c.name),
        { repoURL: g.repoURL, targetRevision: g.revision, path: folder(env, c.name) },
        { [SYNC_WAVE]: String(c.wave) },
      ),
    )
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
}

/**
 * `platform`: every component of the tree (cluster-scoped objects, every namespace), from the
 * gitops repository and the engines' chart repositories only.
 */
export function platformProject(env: ResolvedEnvironment, chartRepos: readonly string[]): K8sObject {
  const repos = [...new Set([...(env.gitops ? [env.gitops.repoURL] : []), ...chartRepos])].sort();
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: PLATFORM_PROJECT, namespace: ARGOCD_NAMESPACE, labels: commonLabels(env) },
    spec: {
      description: `The ${env.platform.name} platform itself: engines and every component of gitops/${env.environment}`,
      sourceRepos: repos,
      destinations: [{ server: IN_CLUSTER, namespace: '*' }],
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
    },
  };
}

/**
 * A team's project: its own repositories, its namespace only, no cluster-scoped objects, and
 * its members' roles. An empty sourceRepos lets nothing be deployed, which is the point when a
 * team declares no repository.
 */
export function teamProject(env: ResolvedEnvironment, team: Team): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: team.name, namespace: ARGOCD_NAMESPACE, labels: commonLabels(env) },
    spec: {
      description: team.description || `Applications of ${team.name}`,
      sourceRepos: [...new Set(team.repos)].sort(),
      destinations: [{ server: IN_CLUSTER, namespace: team.name }],
      clusterResourceWhitelist: [],
      roles: projectRoles(team),
    },
  };
}

/** The argocd component: projects always, root and children when the spec names a repository. */
export function argocdComponent(
  env: ResolvedEnvironment,
  components: readonly Component[],
  chartRepos: readonly string[],
  wave: number,
): Component {
  const teams = [...env.teams].sort((a, b) => (a.name < b.name ? -1 : 1));
  // The kustomization stamps no wave here (the children carry theirs): the root and the
  // projects carry the component's own, so every object of the tree has one.
  const stamp = (o: K8sObject): K8sObject => ({
    ...o,
    metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [SYNC_WAVE]: String(wave) } },
  });
  const files = [
    ...(env.gitops
      ? [
          { name: 'applications.yaml', objects: childApplications(env, components) },
          { name: 'root.yaml', objects: [stamp(rootApplication(env))] },
        ]
      : []),
    {
      name: 'projects.yaml',
      objects: [platformProject(env, chartRepos), ...teams.map((t) => teamProject(env, t))].map(stamp),
    },
  ].sort((a, b) => (a.name < b.name ? -1 : 1));
  return { name: ARGOCD_COMPONENT, wave, files, ownWaves: true };
}
