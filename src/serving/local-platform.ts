/**
 * The embedded local platform behind `mlp up`: the registry (PGlite + filesystem under the
 * state folder, or PostgreSQL) and the model server, with the demo model registered on first
 * start (v1 champion, v2 challenger). A second start reuses the state; a second *concurrent*
 * start on the same folder is refused (one owner per state folder).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { demoModelOnnx, MODEL_NAME } from '../model/sentiment.js';
import { RegistryClient } from '../registry/client.js';
import { openRegistry, type Registry } from '../registry/service.js';
import { buildServingApp } from './app.js';
import type { FaultInjector } from './fault.js';
import { createMetrics } from './metrics.js';
import { ModelPool } from './model-pool.js';
import { lockStateDir } from './state-lock.js';
import { liveSplit } from './weight.js';

export const TOKEN_FILE = 'registry-token';

export interface LocalPlatformOptions {
  readonly stateDir: string;
  /** How the state folder is named in messages. @default stateDir */
  readonly stateLabel?: string;
  readonly databaseUrl?: string;
  /** s3://bucket/prefix to keep artifacts in S3 or MinIO instead of `${stateDir}/artifacts`. */
  readonly artifactsUri?: string;
  readonly s3Endpoint?: string;
  readonly host: string;
  readonly registryPort: number;
  readonly servingPort: number;
  /** The challenger's share while the registry has no `mlp.challenger_percent` tag. */
  readonly challengerPercent: number;
  readonly pollMs: number;
  /** Injected errors and latency per version (`mlp up --inject`); local only. */
  readonly faults?: FaultInjector;
  /** Request logs (info) when true; warnings and errors are always logged. */
  readonly logger: boolean;
  readonly progress: (line: string) => void;
  /** Token for registry writes. @default the state folder's registry-token, generated on first start */
  readonly registryToken?: string;
  /** Model server bearer tokens (token → identity); none means inference is open. */
  readonly servingTokens?: ReadonlyMap<string, string>;
  readonly rateLimit?: { readonly max: number; readonly timeWindowMs: number };
  /** Extra http(s) origins model sources may point at (besides the registry's artifact store). */
  readonly allowedSourceOrigins?: readonly string[];
  /** Where logs go. @default process.stderr */
  readonly logStream?: { write(line: string): unknown };
}

export interface LocalPlatform {
  readonly registryUrl: string;
  readonly servingUrl: string;
  readonly seeded: boolean;
  readonly aliases: ReadonlyMap<string, string>;
  /** Where the generated registry token is kept, when it was not given. */
  readonly tokenFile?: string;
  readonly registryToken: string;
  stop(): Promise<void>;
}

/** The state folder's registry token: read, or generated (0600) on first start. */
function stateToken(stateDir: string): { token: string; created: boolean } {
  const path = join(stateDir, TOKEN_FILE);
  try {
    const token = readFileSync(path, 'utf8').trim();
    if (token) return { token, created: false };
  } catch {}
  const token = randomBytes(32).toString('base64url');
  const fd = openSync(path, 'w', 0o600);
  writeSync(fd, `${token}\n`);
  closeSync(fd);
  return { token, created: true };
}

export async function startLocalPlatform(opts: LocalPlatformOptions): Promise<LocalPlatform> {
  const release = lockStateDir(opts.stateDir, opts.stateLabel ?? opts.stateDir);
  const logger = {
    level: opts.logger ? 'info' : 'warn',
    stream: opts.logStream ?? process.stderr,
  };
  let registry: Registry | undefined;
  let server: FastifyInstance | undefined;
  try {
    const given = opts.registryToken;
    const { token, created } = given ? { token: given, created: false } : stateToken(opts.stateDir);
    opts.progress(
      `starting the registry (${opts.databaseUrl ? 'PostgreSQL' : `PGlite in ${opts.stateLabel ?? opts.stateDir}`})…`,
    );
    registry = await openRegistry({
      stateDir: opts.stateDir,
      ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
      ...(opts.artifactsUri ? { artifactRoot: opts.artifactsUri } : {}),
      ...(opts.s3Endpoint ? { s3Endpoint: opts.s3Endpoint } : {}),
      logger,
      writeToken: token,
    });
    // We own the folder: whatever is in the upload staging area was cut off by a crash.
    const swept = (await registry.artifacts.sweepUploads?.()) ?? 0;
    if (swept > 0) opts.progress(`removed ${swept} interrupted upload${swept === 1 ? '' : 's'}`);
    if (created)
      opts.progress(
        `generated a registry token for writes in ${join(opts.stateLabel ?? opts.stateDir, TOKEN_FILE)}`,
      );
    const registryUrl = await registry.app.listen({ port: opts.registryPort, host: opts.host });
    const client = new RegistryClient(registryUrl, {
      token,
      ...(opts.allowedSourceOrigins ? { allowedSourceOrigins: opts.allowedSourceOrigins } : {}),
    });
    const seeded = await seedDemoModel(registry, client, opts.progress);
    const pool = new ModelPool({
      client,
      model: MODEL_NAME,
      aliases: ['champion', 'challenger'],
      // Its warnings (registry unreachable, a weight tag that is not a percentage) in the same stream.
      log: pino(
        { level: logger.level, base: { component: 'model-pool' } },
        logger.stream as pino.DestinationStream,
      ),
    });
    // Built before the first load, so a version that fails to load is logged and counted.
    server = buildServingApp({
      pool,
      // Live: the registry's weight tag when set (mlp model rollout), else the flag's default.
      split: liveSplit(pool, opts.challengerPercent),
      ...(opts.faults && opts.faults.size > 0 ? { fault: opts.faults } : {}),
      logger,
      metrics: createMetrics(),
      ...(opts.servingTokens && opts.servingTokens.size > 0 ? { tokens: opts.servingTokens } : {}),
      ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
    });
    opts.progress('loading the champion and challenger models…');
    await pool.refresh();
    pool.start(opts.pollMs);
    const servingUrl = await server.listen({ port: opts.servingPort, host: opts.host });
    const serving = server;
    const reg = registry;
    return {
      registryUrl,
      servingUrl,
      seeded,
      aliases: pool.aliases(),
      registryToken: token,
      ...(given ? {} : { tokenFile: join(opts.stateDir, TOKEN_FILE) }),
      async stop() {
        // The model server first (it drains its requests), then the registry and its database.
        try {
          await serving.close();
          await reg.close();
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    await server?.close().catch(() => {});
    await registry?.close().catch(() => {});
    release();
    throw err;
  }
}

async function seedDemoModel(
  registry: Registry,
  client: RegistryClient,
  progress: (line: string) => void,
): Promise<boolean> {
  const existing = await registry.store.searchModelVersions({
    filter: `name = '${MODEL_NAME}'`,
    maxResults: 1,
  });
  if (existing.model_versions.length > 0) {
    progress(`reusing model "${MODEL_NAME}" from the registry`);
    return false;
  }
  progress(`registering the demo model "${MODEL_NAME}" (v1 champion, v2 challenger)…`);
  const v1 = await client.push(MODEL_NAME, demoModelOnnx('1'), {
    description: 'AFINN lexicon; negation ignored',
    tags: { demo: 'true' },
  });
  const v2 = await client.push(MODEL_NAME, demoModelOnnx('2'), {
    description: 'AFINN lexicon with negation and contrast',
    tags: { demo: 'true' },
  });
  await client.setAlias(MODEL_NAME, 'champion', v1.version);
  await client.setAlias(MODEL_NAME, 'challenger', v2.version);
  return true;
}
