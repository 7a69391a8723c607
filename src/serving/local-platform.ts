/**
 * The embedded local platform behind `mlp up`: the registry (PGlite + filesystem under the
 * state folder, or PostgreSQL) and the model server, with the demo model registered on first
 * start (v1 champion, v2 challenger). A second start reuses the state.
 */
import type { FastifyInstance } from 'fastify';
import { demoModelOnnx, MODEL_NAME } from '../model/sentiment.js';
import { RegistryClient } from '../registry/client.js';
import { openRegistry, type Registry } from '../registry/service.js';
import { buildServingApp } from './app.js';
import { ModelPool } from './model-pool.js';

export interface LocalPlatformOptions {
  readonly stateDir: string;
  readonly databaseUrl?: string;
  /** s3://bucket/prefix to keep artifacts in S3 or MinIO instead of `${stateDir}/artifacts`. */
  readonly artifactsUri?: string;
  readonly s3Endpoint?: string;
  readonly host: string;
  readonly registryPort: number;
  readonly servingPort: number;
  readonly challengerPercent: number;
  readonly pollMs: number;
  readonly logger: boolean;
  readonly progress: (line: string) => void;
}

export interface LocalPlatform {
  readonly registryUrl: string;
  readonly servingUrl: string;
  readonly seeded: boolean;
  readonly aliases: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

export async function startLocalPlatform(opts: LocalPlatformOptions): Promise<LocalPlatform> {
  opts.progress(`starting the registry (${opts.databaseUrl ? 'PostgreSQL' : `PGlite in ${opts.stateDir}`})…`);
  const registry: Registry = await openRegistry({
    stateDir: opts.stateDir,
    ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
    ...(opts.artifactsUri ? { artifactRoot: opts.artifactsUri } : {}),
    ...(opts.s3Endpoint ? { s3Endpoint: opts.s3Endpoint } : {}),
    logger: opts.logger,
  });
  let server: FastifyInstance | undefined;
  try {
    const registryUrl = await registry.app.listen({ port: opts.registryPort, host: opts.host });
    const client = new RegistryClient(registryUrl);
    const seeded = await seedDemoModel(registry, client, opts.progress);
    const pool = new ModelPool({ client, model: MODEL_NAME, aliases: ['champion', 'challenger'] });
    opts.progress('loading the champion and challenger models…');
    await pool.refresh();
    pool.start(opts.pollMs);
    server = buildServingApp({
      pool,
      split: { challengerPercent: opts.challengerPercent },
      logger: opts.logger,
    });
    const servingUrl = await server.listen({ port: opts.servingPort, host: opts.host });
    const serving = server;
    return {
      registryUrl,
      servingUrl,
      seeded,
      aliases: pool.aliases(),
      async stop() {
        // The model server first (it drains its requests), then the registry and its database.
        await serving.close();
        await registry.close();
      },
    };
  } catch (err) {
    await server?.close().catch(() => {});
    await registry.close().catch(() => {});
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
