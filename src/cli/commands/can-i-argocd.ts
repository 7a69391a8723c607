/**
 * `mlp can-i ACTION RESOURCE OBJECT --argocd`: Argo CD's answer (API server RBAC: argocd-rbac-cm
 * + AppProject roles), evaluated offline from the tree of one environment.
 */
import { ArgoRbac, ArgoRbacError, type ArgoRequest, type ArgoSubject } from '../../argocd/rbac.js';
import { argoRequestProblem, resolveArgoResource } from '../../argocd/request.js';
import { argoRbacOfTree } from '../../argocd/tree.js';
import type { K8sObject } from '../../k8s/object.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { emit, type OutputFormat } from '../output.js';

export interface ArgoCanIOptions {
  readonly as: string;
  readonly asGroup: readonly string[];
  readonly output: OutputFormat;
}

/**
 * The answer from a tree's objects (what `can-i --argocd` calls after synthesizing `env`).
 * The user given with --as is the token's `sub`; when it looks like an email address it is
 * also the `email` claim, which Argo CD consults only when `scopes` lists `email`.
 */
export function argoCanI(
  objects: readonly K8sObject[],
  env: string,
  request: ArgoRequest,
  opts: ArgoCanIOptions,
  io: Io,
): number {
  let rbac: ArgoRbac;
  try {
    const settings = argoRbacOfTree(objects);
    if (!settings)
      throw new UsageError(`the tree of ${env} renders no Argo CD RBAC (argo-cd engine Application)`);
    rbac = new ArgoRbac(settings);
  } catch (e) {
    if (e instanceof ArgoRbacError) throw new UsageError(`the tree of ${env}: ${e.message}`);
    throw e;
  }
  const subject: ArgoSubject = {
    user: opts.as,
    ...(opts.as.includes('@') ? { email: opts.as } : {}),
    groups: opts.asGroup,
  };
  const problem = argoRequestProblem(request.resource, request.action);
  const evaluated = rbac.evaluate(subject, request);
  const decision = problem
    ? {
        ...evaluated,
        warnings: [`argocd admin settings rbac can --strict: ${problem}`, ...evaluated.warnings],
      }
    : evaluated;
  io.stdout(
    emit(
      opts.output,
      { environment: env, argocd: true, request, subject, ...decision },
      () => `${decision.allowed ? 'yes' : 'no'}\n`,
    ),
  );
  if (opts.output === 'table') {
    io.stderr(`${decision.reason}\n`);
    for (const w of decision.warnings) io.stderr(`warning: ${w}\n`);
  }
  return decision.allowed ? EXIT.ok : EXIT.failed;
}

/** Flags of the Kubernetes form that mean nothing to Argo CD: refused rather than ignored. */
export function argoRequestOf(
  action: string,
  resource: string,
  object: string | undefined,
  opts: { namespace?: string; allNamespaces?: boolean; subresource?: string; effective?: boolean },
): ArgoRequest {
  for (const [flag, set] of [
    ['-n/--namespace', opts.namespace !== undefined],
    ['-A/--all-namespaces', !!opts.allNamespaces],
    ['--subresource', opts.subresource !== undefined],
    ['--effective', !!opts.effective],
  ] as const)
    if (set)
      throw new UsageError(`${flag} does not apply with --argocd (Argo CD objects are <project>/<app>)`);
  if (!object)
    throw new UsageError(
      'with --argocd: ACTION RESOURCE OBJECT, e.g. mlp can-i sync applications ml-team/my-app --argocd',
    );
  return { action, resource: resolveArgoResource(resource), object };
}
