/**
 * `mlp registry serve`: the registry alone (MLflow Model Registry REST API + artifact proxy), the
 * in-cluster image's other entrypoint. Configured by the environment, as a Deployment passes it
 * from Secrets, never by flags (argv is visible to every process on the node):
 *
 * - DATABASE_URL          postgres://… (required unless `--state DIR` runs embedded PGlite)
 * - MLP_ARTIFACTS_URI     s3://bucket/prefix (required unless `--state DIR` keeps files there)
 * - MLP_S3_ENDPOINT       for MinIO and other S3-compatible stores
 * - AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION: read by the AWS SDK's default chain
 * - MLP_REGISTRY_TOKEN    bearer token every write needs (or MLP_REGISTRY_TOKEN_FILE, a mounted
 *                         Secret file). Without one the registry refuses to start, unless
 *                         `--insecure-open-writes` says anonymous writes are intended.
 *
 * SIGTERM drains like the model server: stop accepting, finish in-flight requests, close the
 * database pool, exit 0.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openRegistry, type Registry } from '../../registry/service.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { drain, parseDurationMs, parsePort, untilStopped } from './serve.js';

export interface RegistryServeOptions {
  readonly host: string;
  readonly port: string;
  readonly state?: string;
  readonly insecureOpenWrites?: boolean;
  readonly shutdownDelay: string;
  readonly verbose?: boolean;
}

/** The write token from MLP_REGISTRY_TOKEN or the file MLP_REGISTRY_TOKEN_FILE names. */
function writeToken(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  let token = env.MLP_REGISTRY_TOKEN;
  const file = env.MLP_REGISTRY_TOKEN_FILE;
  if (token && file) throw new UsageError('set MLP_REGISTRY_TOKEN or MLP_REGISTRY_TOKEN_FILE, not both');
  if (file) {
    try {
      token = readFileSync(resolve(cwd, file), 'utf8').trim();
    } catch (err) {
      throw new UsageError(
        `MLP_REGISTRY_TOKEN_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code})`,
      );
    }
  }
  if (token === undefined || token === '') return undefined;
  if (!/^[\x21-\x7e]{16,4096}$/.test(token))
    throw new UsageError(
      'MLP_REGISTRY_TOKEN: expected 16-4096 printable characters without spaces (generate one with: openssl rand -base64 32)',
    );
  return token;
}

export async function registryServeCommand(
  opts: RegistryServeOptions,
  io: Io,
  signal?: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const port = parsePort(opts.port, '--port');
  const delayMs = parseDurationMs(opts.shutdownDelay, '--shutdown-delay', 0, 600_000);
  const databaseUrl = env.DATABASE_URL || undefined;
  const artifactsUri = env.MLP_ARTIFACTS_URI || undefined;
  const stateDir = opts.state ? resolve(io.cwd, opts.state) : undefined;
  if (!databaseUrl && !stateDir)
    throw new UsageError('set DATABASE_URL (postgres://…), or give --state DIR for an embedded database');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new UsageError('DATABASE_URL: expected postgres://user:password@host:5432/database');
  if (!artifactsUri && !stateDir)
    throw new UsageError(
      'set MLP_ARTIFACTS_URI (s3://bucket/prefix), or give --state DIR to keep artifacts there',
    );
  if (artifactsUri && !/^s3:\/\/[^/]+/.test(artifactsUri) && !stateDir)
    throw new UsageError(
      `MLP_ARTIFACTS_URI: expected s3://bucket[/prefix], received "${artifactsUri.slice(0, 200)}"`,
    );
  const s3Endpoint = env.MLP_S3_ENDPOINT || undefined;
  if (s3Endpoint && !/^https?:\/\/[^/\s]+\/?$/.test(s3Endpoint))
    throw new UsageError(
      `MLP_S3_ENDPOINT: expected http(s)://host[:port], received "${s3Endpoint.slice(0, 200)}"`,
    );
  const token = writeToken(env, io.cwd);
  if (!token && !opts.insecureOpenWrites)
    throw new UsageError(
      'no write token: set MLP_REGISTRY_TOKEN (or MLP_REGISTRY_TOKEN_FILE); to accept anonymous writes on purpose, pass --insecure-open-writes',
    );

  let registry: Registry;
  try {
    registry = await openRegistry({
      ...(stateDir ? { stateDir } : {}),
      ...(databaseUrl ? { databaseUrl } : {}),
      ...(artifactsUri ? { artifactRoot: artifactsUri } : {}),
      ...(s3Endpoint ? { s3Endpoint } : {}),
      ...(token ? { writeToken: token } : {}),
      logger: { level: opts.verbose ? 'info' : 'warn', stream: process.stderr },
    });
  } catch (err) {
    // Never echo DATABASE_URL: it carries the password.
    throw new UsageError(`cannot open the registry database: ${(err as Error).message.split('\n')[0]}`);
  }
  let url: string;
  try {
    url = await registry.app.listen({ port, host: opts.host });
  } catch (err) {
    await registry.close().catch(() => {});
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL')
      throw new UsageError(`cannot listen on ${opts.host}:${port}: ${e.code}`);
    throw err;
  }
  const db = databaseUrl ? 'PostgreSQL' : 'embedded PGlite';
  const store = artifactsUri ?? 'the state folder';
  io.stdout(
    `model registry listening on ${url} (${db}, artifacts in ${store}; writes ${token ? 'need the token' : 'OPEN: --insecure-open-writes'})\n`,
  );
  const why = await untilStopped(signal);
  // The HTTP server drains first, then the database pool closes.
  await drain(registry, delayMs, why, io, 'mlp registry serve');
  return EXIT.ok;
}
