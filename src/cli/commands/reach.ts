/** `mlp reach FROM TO [--port 8080/TCP]`: can a pod in FROM open a connection to TO? */

import { systemNamespaces } from '../../check/namespaces.js';
import { describePorts } from '../../check/network/ports.js';
import { NetworkModel, parseEndpoint } from '../../check/network/reach.js';
import { isPortName, PORT_PATTERN, type Protocol } from '../../core/ports.js';
import { environment, objectsOf, openSpec } from '../context.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { emit, type OutputFormat } from '../output.js';

export interface ReachOptions {
  readonly file?: string;
  readonly env: string;
  readonly port?: string;
  readonly output: OutputFormat;
}

function parsePortQuery(text: string): { protocol: Protocol; port: number | string } {
  const m = /^([^/]+)(?:\/(TCP|UDP|SCTP))?$/i.exec(text);
  if (!m)
    throw new UsageError(`--port: expected PORT[/PROTOCOL] such as 8080/TCP or 53/UDP, received "${text}"`);
  const protocol = (m[2]?.toUpperCase() ?? 'TCP') as Protocol;
  if (/^\d+$/.test(m[1]!)) {
    const port = Number(m[1]);
    if (port < 1 || port > 65535 || !new RegExp(PORT_PATTERN).test(`${port}/${protocol}`)) {
      throw new UsageError(`--port: ${port} is not a port number (1-65535)`);
    }
    return { protocol, port };
  }
  if (!isPortName(m[1]!)) {
    throw new UsageError(
      `--port: "${m[1]}" is neither a port number (1-65535) nor a port name (IANA_SVC_NAME: at most 15 lowercase letters, digits and "-", with a letter, e.g. metrics)`,
    );
  }
  return { protocol, port: m[1]! };
}

export function reachCommand(from: string, to: string, opts: ReachOptions, io: Io): number {
  const spec = openSpec(opts, io);
  const env = environment(spec, opts.env);
  const model = new NetworkModel(objectsOf(env), systemNamespaces(env));
  const ends = [from, to].map((text) => {
    let e: ReturnType<typeof parseEndpoint>;
    try {
      e = parseEndpoint(text);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (e.kind === 'pod' && !model.namespaces.has(e.namespace)) {
      throw new UsageError(
        `unknown namespace "${e.namespace}"; known: ${[...model.namespaces.keys()].sort().join(', ')}`,
      );
    }
    return e;
  });
  const port = opts.port ? parsePortQuery(opts.port) : undefined;
  const verdict = model.reach(ends[0]!, ends[1]!, port);
  const data = {
    environment: env.environment,
    from: ends[0],
    to: ends[1],
    port: port ?? 'any',
    allowed: verdict.allowed,
    reason: verdict.reason,
    ...(verdict.egress ? { egress: { ...verdict.egress, ports: describePorts(verdict.egress.ports) } } : {}),
    ...(verdict.ingress
      ? { ingress: { ...verdict.ingress, ports: describePorts(verdict.ingress.ports) } }
      : {}),
  };
  io.stdout(emit(opts.output, data, () => `${verdict.allowed ? 'allowed' : 'denied'}: ${verdict.reason}\n`));
  return verdict.allowed ? EXIT.ok : EXIT.failed;
}
