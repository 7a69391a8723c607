/**
 * `mlp apply -e ENV`: server-side apply of the environment's tree to the cluster of the current
 * kubeconfig context, wave by wave, with ApplySet pruning (src/cluster/apply.ts).
 */
import { Applier } from '../../cluster/apply.js';
import { parentRefFor } from '../../cluster/applyset.js';
import { Cluster, ClusterUnavailable, type ConnectOptions } from '../../cluster/connect.js';
import { Discovery } from '../../cluster/discovery.js';
import { parseDuration } from '../../cluster/order.js';
import { defaultProviderOf } from '../../cluster/providers.js';
import { synthesize } from '../../synth/platform.js';
import { environment, openSpec } from '../context.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { emit, type OutputFormat, table } from '../output.js';

export interface ClusterOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
}

export interface ApplyCommandOptions extends ClusterOptions {
  readonly file?: string;
  readonly env: string;
  readonly dryRun?: string;
  readonly prune?: boolean;
  readonly timeout: string;
  readonly output: OutputFormat;
}

/** Connects, turning "no cluster" into a one-line usage error (exit 2, no stack trace). */
export async function connectCluster(opts: ClusterOptions): Promise<Cluster> {
  const c: ConnectOptions = {
    ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
    ...(opts.context ? { context: opts.context } : {}),
  };
  return Cluster.connect(c);
}

/** Runs `body`; a cluster that becomes unreachable midway is also a one-line exit 2. */
export async function withCluster<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof ClusterUnavailable) throw new UsageError(err.message);
    throw err;
  }
}

export function timeoutOf(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`--timeout: expected a duration such as 5m, 90s or 300, received "${text}"`);
  return ms;
}

export async function applyCommand(opts: ApplyCommandOptions, io: Io): Promise<number> {
  if (opts.dryRun !== undefined && opts.dryRun !== 'server')
    throw new UsageError(
      `--dry-run: only "server" is supported (the API server judges), received "${opts.dryRun}"`,
    );
  const timeoutMs = timeoutOf(opts.timeout);
  const spec = openSpec(opts, io);
  const env = environment(spec, opts.env);
  const components = synthesize(env);
  return withCluster(async () => {
    const cluster = await connectCluster(opts);
    const started = Date.now();
    io.stderr(`mlp: applying ${env.environment} to ${cluster.server} (context ${cluster.context})\n`);
    const applier = new Applier(
      {
        cluster,
        discovery: new Discovery(cluster),
        providerOf: defaultProviderOf,
        log: (l) => io.stderr(`${l}\n`),
      },
      {
        parent: parentRefFor(env.platform.name, env.environment),
        dryRun: opts.dryRun === 'server',
        prune: !!opts.prune,
        timeoutMs,
      },
    );
    const report = await applier.run(components);
    const seconds = (Date.now() - started) / 1000;
    for (const n of report.notes) io.stderr(`note: ${n}\n`);
    const count = (a: string) => report.objects.filter((o) => o.action === a).length;
    io.stdout(
      emit(opts.output, { environment: env.environment, server: cluster.server, seconds, ...report }, () => {
        const rows = [...report.objects, ...report.pruned]
          .filter((o) => o.action !== 'unchanged')
          .map((o) => [o.wave === undefined ? '' : String(o.wave), o.ref, o.action, o.message ?? '']);
        const summary = `${report.objects.length} objects: ${count('created')} created, ${count('configured')} configured, ${count('unchanged')} unchanged, ${count('failed')} failed; ${report.pruned.length} pruned${report.dryRun ? ' (server dry run: nothing stored)' : ''}; ${seconds.toFixed(1)}s\n`;
        const stop =
          report.stoppedAtWave !== undefined
            ? `stopped at wave ${report.stoppedAtWave}: earlier waves are applied, later ones were not attempted\n`
            : '';
        return `${rows.length ? table(['wave', 'object', 'action', 'message'], rows) : ''}${summary}${stop}`;
      }),
    );
    return report.ok ? EXIT.ok : EXIT.failed;
  });
}
