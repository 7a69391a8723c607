/** `mlp can-i VERB RESOURCE [NAME]`: kubectl auth can-i, answered from the rendered RBAC. */
import { EscalationAnalyzer } from '../../check/rbac/escalation.js';
import { type AccessRequest, RbacAuthorizer } from '../../check/rbac/evaluate.js';
import { resolveResource } from '../../k8s/resources.js';
import { environment, objectsOf, openSpec } from '../context.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { emit, type OutputFormat } from '../output.js';
import { argoCanI, argoRequestOf } from './can-i-argocd.js';

export interface CanIOptions {
  readonly file?: string;
  readonly env: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly subresource?: string;
  readonly as: string;
  readonly asGroup: string[];
  readonly effective?: boolean;
  /** Ask Argo CD's RBAC (policy.csv + AppProject roles) instead of Kubernetes'. */
  readonly argocd?: boolean;
  readonly output: OutputFormat;
}

export type RequestTarget = Omit<AccessRequest, 'user' | 'groups'>;

/**
 * VERB and RESOURCE[.GROUP][/SUBRESOURCE] (or a non-resource URL) as an authorization request.
 * Like kubectl: namespaced resources default to "default"; -A or cluster-scoped ask
 * cluster-wide. Any namespace may be asked about: one the tree does not create is answered
 * from the built-in state (bootstrap ClusterRoleBindings) and the tree's ClusterRoleBindings.
 */
export function requestFor(
  verb: string,
  target: string,
  name: string | undefined,
  opts: { namespace?: string; allNamespaces?: boolean; subresource?: string },
): RequestTarget {
  if (target.startsWith('/')) {
    if (opts.subresource) throw new UsageError('--subresource applies to resources, not to URLs');
    return { verb, nonResourceURL: target };
  }
  const slash = target.indexOf('/');
  const typed = slash < 0 ? target : target.slice(0, slash);
  const inline = slash < 0 ? undefined : target.slice(slash + 1);
  if (inline && opts.subresource && inline !== opts.subresource)
    throw new UsageError(
      `subresource given twice: "${inline}" in ${target} and --subresource ${opts.subresource}`,
    );
  const sub = inline || opts.subresource || undefined;
  const info = resolveResource(typed);
  const namespace = opts.allNamespaces || !info.namespaced ? undefined : (opts.namespace ?? 'default');
  return {
    verb,
    resource: info.resource,
    apiGroup: info.group,
    ...(sub ? { subresource: sub } : {}),
    ...(name ? { name } : {}),
    ...(namespace ? { namespace } : {}),
  };
}

export function canICommand(
  verb: string,
  target: string,
  name: string | undefined,
  opts: CanIOptions,
  io: Io,
): number {
  if (!opts.as)
    throw new UsageError('--as USER is required (groups are not implied: add --as-group for each)');
  if (opts.argocd) {
    const argoRequest = argoRequestOf(verb, target, name, opts);
    const argoEnv = environment(openSpec(opts, io), opts.env);
    return argoCanI(objectsOf(argoEnv), argoEnv.environment, argoRequest, opts, io);
  }
  const request: AccessRequest = {
    user: opts.as,
    groups: opts.asGroup,
    ...requestFor(verb, target, name, opts),
  };
  const spec = openSpec(opts, io);
  const env = environment(spec, opts.env);
  const objects = objectsOf(env);
  const rbac = new RbacAuthorizer(objects);
  const decision = opts.effective
    ? new EscalationAnalyzer(rbac, objects).authorize({ user: opts.as, groups: opts.asGroup }, request)
    : rbac.authorize(request);
  io.stdout(
    emit(
      opts.output,
      { environment: env.environment, request, effective: !!opts.effective, ...decision },
      () => `${decision.allowed ? 'yes' : 'no'}\n`,
    ),
  );
  if (opts.output === 'table') io.stderr(`${decision.reason}\n`);
  return decision.allowed ? EXIT.ok : EXIT.failed;
}
