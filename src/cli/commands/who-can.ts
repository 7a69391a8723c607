/** `mlp who-can VERB RESOURCE [NAME] -n NS`: which subjects may do it, and through what. */
import { RbacAuthorizer } from '../../check/rbac/evaluate.js';
import { whoCan } from '../../check/rbac/who-can.js';
import { environment, objectsOf, openSpec } from '../context.js';
import { EXIT, type Io } from '../io.js';
import { emit, type OutputFormat, table } from '../output.js';
import { requestFor } from './can-i.js';

export interface WhoCanOptions {
  readonly file?: string;
  readonly env: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly subresource?: string;
  readonly effective?: boolean;
  readonly output: OutputFormat;
}

export function whoCanCommand(
  verb: string,
  target: string,
  name: string | undefined,
  opts: WhoCanOptions,
  io: Io,
): number {
  const request = requestFor(verb, target, name, opts);
  const spec = openSpec(opts, io);
  const env = environment(spec, opts.env);
  const objects = objectsOf(env);
  const subjects = whoCan(new RbacAuthorizer(objects), objects, request, !!opts.effective);
  io.stdout(
    emit(opts.output, { environment: env.environment, request, effective: !!opts.effective, subjects }, () =>
      subjects.length === 0
        ? 'no subject may do this\n'
        : table(
            ['KIND', 'NAME', 'NAMESPACE', opts.effective ? 'VIA / PATH' : 'VIA'],
            subjects.map((s) => [
              s.kind,
              s.name,
              s.namespace ?? '',
              `${s.path ? s.path.join(' → ') : s.via}${s.builtin ? ' (built-in)' : ''}`,
            ]),
          ),
    ),
  );
  return EXIT.ok;
}
