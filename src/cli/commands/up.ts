/** `mlp up`: the embedded local platform — registry and model server — until Ctrl-C. */
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaultInjector, parseFault } from '../../serving/fault.js';
import { startLocalPlatform, TOKEN_FILE } from '../../serving/local-platform.js';
import { StateInUseError } from '../../serving/state-lock.js';
import { EXIT, type Io, UsageError } from '../io.js';

export interface UpOptions {
  readonly state: string;
  readonly host: string;
  readonly registryPort: string;
  readonly port: string;
  readonly challengerPercent: string;
  readonly verbose?: boolean;
  /** Token for registry writes. @default $MLP_REGISTRY_TOKEN, else generated into the state folder */
  readonly registryToken?: string;
  /** Model server bearer tokens, `[identity=]token`, repeatable. @default $MLP_TOKENS (comma-separated) */
  readonly token?: readonly string[];
  /** `<max>/<window>`, e.g. `100/1s`, per identity (or client address). @default $MLP_RATE_LIMIT */
  readonly rateLimit?: string;
  /** Extra origins model sources may be fetched from. */
  readonly allowSource?: readonly string[];
  /** Faults per version, `version=N,errors=R,latencyMs=MS` (local demos and tests only). */
  readonly inject?: readonly string[];
  /** Stop when the parent process (npm) goes away, whatever killed it. */
  readonly exitWithParent?: boolean;
  /** Also run a local Prometheus with the environment's rendered rules. */
  readonly prometheus?: boolean;
  /** @default '9090' */
  readonly prometheusPort?: string;
  /** Spec whose rules `--prometheus` loads. @default ./platform.yaml, else the bundled example */
  readonly file?: string;
  /** Environment whose rules `--prometheus` loads. @default 'local' */
  readonly env?: string;
}

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new UsageError(`${flag}: expected a port 0-65535, received "${value}"`);
  return n;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `100/1s`, `600/1m`, `5/500ms` → max requests per window. */
export function parseRateLimit(value: string): { max: number; timeWindowMs: number } {
  const m = /^(\d+)\/(\d+)?(ms|s|m|h)$/.exec(value.trim());
  const max = Number(m?.[1]);
  const windowMs = Number(m?.[2] ?? 1) * (UNITS[m?.[3] ?? ''] ?? Number.NaN);
  if (!m || !(max >= 1) || !(windowMs >= 1))
    throw new UsageError(
      `--rate-limit: expected <requests>/<window> such as 100/1s or 600/1m, received "${value}"`,
    );
  return { max, timeWindowMs: windowMs };
}

/** `team=token` or a bare token (its identity is then `token-N`). */
export function parseTokens(values: readonly string[]): Map<string, string> {
  const tokens = new Map<string, string>();
  values.forEach((v, i) => {
    const eq = v.indexOf('=');
    const [identity, token] = eq > 0 ? [v.slice(0, eq), v.slice(eq + 1)] : [`token-${i + 1}`, v];
    if (!/^[\x21-\x7e]{16,}$/.test(token))
      throw new UsageError(
        `--token: a token needs at least 16 printable characters and no spaces, received one of ${token.length} (give it as team=token)`,
      );
    tokens.set(token, identity);
  });
  return tokens;
}

/**
 * Who may call a model server and from where it may fetch models — the flags `mlp up` and
 * `mlp serve` share: bearer tokens (`--token`, else $MLP_TOKENS), a rate limit (`--rate-limit`,
 * else $MLP_RATE_LIMIT) and extra model-source origins (`--allow-source`).
 */
export function servingAccess(opts: {
  readonly token?: readonly string[];
  readonly rateLimit?: string;
  readonly allowSource?: readonly string[];
}): {
  tokens: Map<string, string>;
  rateLimit: { max: number; timeWindowMs: number } | undefined;
  allowSource: readonly string[];
} {
  const tokenValues = opts.token?.length
    ? opts.token
    : (process.env.MLP_TOKENS ?? '')
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
  const rate = opts.rateLimit ?? process.env.MLP_RATE_LIMIT;
  const allowSource = opts.allowSource ?? [];
  for (const o of allowSource)
    if (!/^https?:\/\/[^/]+\/?$/.test(o))
      throw new UsageError(
        `--allow-source: expected an origin such as https://models.example.com, received "${o}"`,
      );
  return {
    tokens: parseTokens(tokenValues),
    rateLimit: rate ? parseRateLimit(rate) : undefined,
    allowSource,
  };
}

/**
 * How to run this CLI from `cwd`: a command that works on a fresh clone, not a `mlp` that is not
 * installed. Inside the clone `npx mlp` runs on the project's pinned Node 22 whatever the system
 * Node is; elsewhere, the very Node running now.
 */
function cliCommand(cwd: string): string {
  const bin = fileURLToPath(new URL('../../../bin/mlp.js', import.meta.url));
  const rel = relative(cwd, bin);
  return rel.startsWith('..') || rel === '' ? `${process.execPath} ${bin}` : 'npx mlp';
}

/** Resolves once the platform has stopped after SIGINT/SIGTERM/SIGHUP (or `signal` aborts). */
export async function upCommand(opts: UpOptions, io: Io, signal?: AbortSignal): Promise<number> {
  // Taken before the slow start-up: a parent that dies while we start must still stop us.
  const parentAtStart = process.ppid;
  const percent = Number(opts.challengerPercent);
  if (!(percent >= 0 && percent <= 100))
    throw new UsageError(`--challenger-percent: expected 0-100, received "${opts.challengerPercent}"`);
  const { tokens: servingTokens, rateLimit, allowSource } = servingAccess(opts);
  const registryToken = opts.registryToken ?? process.env.MLP_REGISTRY_TOKEN;
  if (registryToken !== undefined && registryToken.length < 16)
    throw new UsageError('--registry-token: expected at least 16 characters');
  let faults: FaultInjector;
  try {
    faults = new FaultInjector((opts.inject ?? []).map(parseFault));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const registryPort = port(opts.registryPort, '--registry-port');
  const servingPort = port(opts.port, '--port');
  // Refused before anything starts: no binary or a bad spec leaves nothing running.
  const prom = opts.prometheus ? await import('./up-prometheus.js') : undefined;
  const prometheusPort = prom ? port(opts.prometheusPort ?? '9090', '--prometheus-port') : 0;
  const prometheusPlan = prom?.planPrometheus(
    { ...(opts.file ? { file: opts.file } : {}), env: opts.env ?? 'local' },
    io,
  );
  let platform: Awaited<ReturnType<typeof startLocalPlatform>>;
  try {
    platform = await startLocalPlatform({
      stateDir: resolve(io.cwd, opts.state),
      stateLabel: opts.state,
      ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
      ...(process.env.MLP_ARTIFACTS_URI ? { artifactsUri: process.env.MLP_ARTIFACTS_URI } : {}),
      ...(process.env.MLP_S3_ENDPOINT ? { s3Endpoint: process.env.MLP_S3_ENDPOINT } : {}),
      host: opts.host,
      registryPort,
      servingPort,
      challengerPercent: percent,
      pollMs: 2000,
      ...(faults.size > 0 ? { faults } : {}),
      logger: opts.verbose ?? false,
      progress: (line) => io.stderr(`${line}\n`),
      ...(registryToken ? { registryToken } : {}),
      ...(servingTokens.size > 0 ? { servingTokens } : {}),
      ...(rateLimit ? { rateLimit } : {}),
      ...(allowSource.length > 0 ? { allowedSourceOrigins: allowSource } : {}),
    });
  } catch (err) {
    if (err instanceof StateInUseError) throw new UsageError(err.message);
    const e = err as NodeJS.ErrnoException & { port?: number };
    if (e.code === 'EADDRINUSE') {
      throw new UsageError(
        `${e.message.replace(/^listen /, '')}: another process uses that port; choose others with --port and --registry-port`,
      );
    }
    throw err;
  }
  let prometheus: Awaited<ReturnType<NonNullable<typeof prom>['startPrometheus']>> | undefined;
  if (prom && prometheusPlan) {
    io.stderr(`starting prometheus (${prometheusPlan.ruleCount} rules of ${prometheusPlan.environment})…\n`);
    try {
      prometheus = await prom.startPrometheus(
        prometheusPlan,
        {
          stateDir: resolve(io.cwd, opts.state),
          host: opts.host,
          port: prometheusPort,
          servingUrl: platform.servingUrl,
        },
        io,
      );
    } catch (err) {
      await platform.stop();
      throw err;
    }
  }
  const versions = [...platform.aliases].map(([a, v]) => `${a}=v${v}`).join(', ');
  const mlp = cliCommand(io.cwd);
  const tokenEnv = platform.tokenFile ? `MLP_REGISTRY_TOKEN=$(cat ${join(opts.state, TOKEN_FILE)}) ` : '';
  const auth = servingTokens.size > 0 ? ` -H 'authorization: Bearer <token>'` : '';
  io.stdout(
    [
      '',
      `  model registry (MLflow API)  ${platform.registryUrl}/api/2.0/mlflow/`,
      `  model server                 ${platform.servingUrl}`,
      `  serving "sentiment": ${versions}; challenger gets ${percent}% of traffic (until the registry tag mlp.challenger_percent says otherwise)`,
      ...(faults.size > 0 ? [`  INJECTED FAULTS: ${faults.describe()}`] : []),
      `  registry writes need a token: ${platform.tokenFile ? `${join(opts.state, TOKEN_FILE)} (0600)` : 'the one you set'}; reads are open`,
      ...(servingTokens.size > 0
        ? [`  inference needs a bearer token (${servingTokens.size} configured)`]
        : []),
      ...(rateLimit
        ? [`  rate limit: ${rateLimit.max} requests per ${rateLimit.timeWindowMs} ms per client`]
        : []),
      ...(prometheus && prometheusPlan
        ? [
            `  prometheus                   ${prometheus.url} (${prometheusPlan.ruleCount} rules of ${prometheusPlan.environment}, scraping the model server every 5s)`,
          ]
        : []),
      '',
      '  try:',
      `    curl -s -X POST ${platform.servingUrl}/predict -H 'content-type: application/json'${auth} -d '{"text":"not bad at all"}'`,
      `    curl -s -X POST ${platform.servingUrl}/v2/models/sentiment/infer -H 'content-type: application/json'${auth} \\`,
      `      -d '{"inputs":[{"name":"text","datatype":"BYTES","shape":[1],"data":["great service"]}]}'`,
      `    curl -s ${platform.servingUrl}/metrics | grep inference_requests_total`,
      ...(prometheus
        ? [`    curl -s '${prometheus.url}/api/v1/query' --data-urlencode 'query={__name__=~"slo:.+"}'`]
        : []),
      `    ${tokenEnv}MLFLOW_TRACKING_URI=${platform.registryUrl} ${mlp} model alias sentiment champion 2`,
      '',
      '  Ctrl-C stops both; state is kept for the next run.',
      '',
    ].join('\n'),
  );
  let why = '';
  await new Promise<void>((done) => {
    const stop = (reason: string) => () => {
      why = reason;
      done();
    };
    // Whatever a supervisor sends: Ctrl-C, SIGTERM, or the hang-up of a closed terminal.
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, stop(sig));
    signal?.addEventListener('abort', stop('abort'), { once: true });
    if (opts.exitWithParent) {
      // npm does not forward SIGHUP, and a SIGKILLed npm forwards nothing: when the parent is
      // gone we are orphaned (re-parented), so drain and exit rather than hold the ports.
      const orphaned = () => process.ppid !== parentAtStart;
      if (orphaned()) stop('parent exited during start-up')();
      const timer = setInterval(() => {
        if (orphaned()) {
          clearInterval(timer);
          stop('parent exited')();
        }
      }, 250);
      timer.unref();
    }
  });
  io.stderr(`stopping (${why})…\n`);
  await prometheus?.stop();
  await platform.stop();
  io.stderr('stopped cleanly\n');
  return EXIT.ok;
}
