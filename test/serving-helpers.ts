import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { FastifyInstance } from 'fastify';
import { demoModelOnnx } from '../src/model/sentiment.js';
import { RegistryClient } from '../src/registry/client.js';
import { openRegistry, type Registry } from '../src/registry/service.js';
import { buildServingApp, type ServingOptions } from '../src/serving/app.js';
import { ModelPool } from '../src/serving/model-pool.js';
import { createTracing } from '../src/serving/tracing.js';
import { tempDir } from './helpers.js';

/** Deterministic PRNG for the traffic split. */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Platform {
  registry: Registry;
  registryUrl: string;
  client: RegistryClient;
  close(): Promise<void>;
}

/** A registry on PGlite with demo v1 (champion) and v2 (challenger). */
export async function startPlatform(): Promise<Platform> {
  const registry = await openRegistry({ stateDir: tempDir() });
  const registryUrl = await registry.app.listen({ port: 0, host: '127.0.0.1' });
  const client = new RegistryClient(registryUrl);
  for (const v of ['1', '2'] as const) await client.push('sentiment', demoModelOnnx(v));
  await client.setAlias('sentiment', 'champion', '1');
  await client.setAlias('sentiment', 'challenger', '2');
  return { registry, registryUrl, client, close: () => registry.close() };
}

export async function startServer(
  platform: Platform,
  opts: Partial<ServingOptions> = {},
  load = true,
): Promise<{ app: FastifyInstance; pool: ModelPool; spans: InMemorySpanExporter }> {
  const pool = new ModelPool({
    client: platform.client,
    model: 'sentiment',
    aliases: ['champion', 'challenger'],
  });
  if (load) await pool.refresh();
  const spans = new InMemorySpanExporter();
  const app = buildServingApp({
    pool,
    split: { challengerPercent: 10 },
    random: mulberry32(42),
    tracing: createTracing({ exporter: spans }),
    ...opts,
  });
  return { app, pool, spans };
}
