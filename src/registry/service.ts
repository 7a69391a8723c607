/** Opens a ready-to-serve registry: database (migrated), artifact store and HTTP app. */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildRegistryApp } from './app.js';
import { type ArtifactStore, FsArtifactStore } from './artifacts.js';
import { type Db, openDb } from './db.js';
import { migrate } from './migrations.js';
import { S3ArtifactStore } from './s3-artifacts.js';
import { RegistryStore } from './store.js';

export interface RegistryOptions {
  /** PostgreSQL URL; PGlite under `${stateDir}/registry-db` when absent. */
  readonly databaseUrl?: string;
  /** Where embedded state lives. @default .mlp */
  readonly stateDir?: string;
  /**
   * A folder, or `s3://bucket/prefix` for S3 and S3-compatible stores (set `s3Endpoint` for
   * MinIO). @default `${stateDir}/artifacts`
   */
  readonly artifactRoot?: string;
  readonly s3Endpoint?: string;
  readonly schema?: string;
  readonly logger?: boolean | Record<string, unknown>;
  /** Bearer token required for writes; reads stay open. Without one, writes are anonymous. */
  readonly writeToken?: string;
}

export interface Registry {
  readonly app: FastifyInstance;
  readonly store: RegistryStore;
  readonly artifacts: ArtifactStore;
  readonly db: Db;
  close(): Promise<void>;
}

export async function openRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  const stateDir = opts.stateDir ?? '.mlp';
  const db = await openDb({
    ...(opts.databaseUrl ? { url: opts.databaseUrl } : { dataDir: join(stateDir, 'registry-db') }),
    ...(opts.schema ? { schema: opts.schema } : {}),
  });
  await migrate(db);
  const store = new RegistryStore(db);
  const root = opts.artifactRoot ?? join(stateDir, 'artifacts');
  const artifacts = root.startsWith('s3://')
    ? new S3ArtifactStore({ uri: root, ...(opts.s3Endpoint ? { endpoint: opts.s3Endpoint } : {}) })
    : new FsArtifactStore(root);
  const app = buildRegistryApp({
    store,
    artifacts,
    ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    ...(opts.writeToken ? { writeToken: opts.writeToken } : {}),
  });
  return {
    app,
    store,
    artifacts,
    db,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
