/** `mlp can-i VERB RESOURCE [NAME]`: kubectl auth can-i, answered from the rendered RBAC. */
import { RbacAuthorizer } from '../../check/rbac/evaluate.js';
import { resolveResource } from '../../k8s/resources.js';
import { environment, objectsOf, openSpec } from '../context.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { emit, type OutputFormat } from '../output.js';

export interface CanIOptions {
  readonly file?: string;
  readonly env: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly as: string;
  readonly asGroup: string[];
  readonly output: OutputFormat;
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
  const spec = openSpec(opts, io);
  const env = environment(spec, opts.env);
  const rbac = new RbacAuthorizer(objectsOf(env));
  let request: Parameters<RbacAuthorizer['authorize']>[0];
  if (target.startsWith('/')) {
    request = { user: opts.as, groups: opts.asGroup, verb, nonResourceURL: target };
  } else {
    const slash = target.indexOf('/');
    const typed = slash < 0 ? target : target.slice(0, slash);
    const sub = slash < 0 ? undefined : target.slice(slash + 1);
    const info = resolveResource(typed);
    // Like kubectl: namespaced resources default to "default"; -A or cluster-scoped ask cluster-wide.
    const namespace = opts.allNamespaces || !info.namespaced ? undefined : (opts.namespace ?? 'default');
    request = {
      user: opts.as,
      groups: opts.asGroup,
      verb,
      resource: info.resource,
      apiGroup: info.group,
      ...(sub ? { subresource: sub } : {}),
      ...(name ? { name } : {}),
      ...(namespace ? { namespace } : {}),
    };
  }
  const decision = rbac.authorize(request);
  io.stdout(
    emit(
      opts.output,
      { environment: env.environment, request, ...decision },
      () => `${decision.allowed ? 'yes' : 'no'}\n`,
    ),
  );
  if (opts.output === 'table') io.stderr(`${decision.reason}\n`);
  return decision.allowed ? EXIT.ok : EXIT.failed;
}
