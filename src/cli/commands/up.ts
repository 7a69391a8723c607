/** `mlp up`: the embedded local platform — registry and model server — until Ctrl-C. */
import { resolve } from 'node:path';
import { startLocalPlatform } from '../../serving/local-platform.js';
import { EXIT, type Io, UsageError } from '../io.js';

export interface UpOptions {
  readonly state: string;
  readonly host: string;
  readonly registryPort: string;
  readonly port: string;
  readonly challengerPercent: string;
  readonly verbose?: boolean;
}

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`${flag}: expected a port 0-65535, received "${value}"`);
  return n;
}

/** Resolves once the platform has stopped after SIGINT/SIGTERM (or `signal` aborts). */
export async function upCommand(opts: UpOptions, io: Io, signal?: AbortSignal): Promise<number> {
  const percent = Number(opts.challengerPercent);
  if (!(percent >= 0 && percent <= 100))
    throw new UsageError(`--challenger-percent: expected 0-100, received "${opts.challengerPercent}"`);
  let platform: Awaited<ReturnType<typeof startLocalPlatform>>;
  try {
    platform = await startLocalPlatform({
      stateDir: resolve(io.cwd, opts.state),
      ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
      ...(process.env.MLP_ARTIFACTS_URI ? { artifactsUri: process.env.MLP_ARTIFACTS_URI } : {}),
      ...(process.env.MLP_S3_ENDPOINT ? { s3Endpoint: process.env.MLP_S3_ENDPOINT } : {}),
      host: opts.host,
      registryPort: port(opts.registryPort, '--registry-port'),
      servingPort: port(opts.port, '--port'),
      challengerPercent: percent,
      pollMs: 2000,
      logger: opts.verbose ?? false,
      progress: (line) => io.stderr(`${line}\n`),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { port?: number };
    if (e.code === 'EADDRINUSE') {
      throw new UsageError(
        `${e.message.replace(/^listen /, '')}: another process uses that port; choose others with --port and --registry-port`,
      );
    }
    throw err;
  }
  const versions = [...platform.aliases].map(([a, v]) => `${a}=v${v}`).join(', ');
  io.stdout(
    [
      '',
      `  model registry (MLflow API)  ${platform.registryUrl}/api/2.0/mlflow/`,
      `  model server                 ${platform.servingUrl}`,
      `  serving "sentiment": ${versions}; challenger gets ${percent}% of traffic`,
      '',
      '  try:',
      `    curl -s -X POST ${platform.servingUrl}/predict -H 'content-type: application/json' -d '{"text":"not bad at all"}'`,
      `    curl -s -X POST ${platform.servingUrl}/v2/models/sentiment/infer -H 'content-type: application/json' \\`,
      `      -d '{"inputs":[{"name":"text","datatype":"BYTES","shape":[1],"data":["great service"]}]}'`,
      `    curl -s ${platform.servingUrl}/metrics | grep inference_requests_total`,
      `    MLFLOW_TRACKING_URI=${platform.registryUrl} mlp model alias sentiment champion 2`,
      '',
      '  Ctrl-C stops both; state is kept for the next run.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop, { once: true });
  });
  io.stderr('stopping…\n');
  await platform.stop();
  io.stderr('stopped cleanly\n');
  return EXIT.ok;
}
