/**
 * `mlp serve --model NAME --registry URL`: the model server alone, the in-cluster image's
 * entrypoint (the Rollout renders it). It follows the registry exactly as `mlp up` does: the
 * versions behind the aliases champion and challenger, and the challenger's live weight (tag
 * `mlp.challenger_percent`), re-read every poll. It listens before the first model is loaded, so
 * `/health` answers at once and `/ready` says 503 (with the reason) until a version is served.
 *
 * SIGTERM (or SIGINT) drains: after `--shutdown-delay` (time for endpoints to drop the pod), the
 * server stops accepting connections, finishes the requests in flight and exits 0.
 */
import { pino } from 'pino';
import { RegistryClient } from '../../registry/client.js';
import { buildServingApp } from '../../serving/app.js';
import { createMetrics } from '../../serving/metrics.js';
import { disableOrtTelemetry, ModelPool } from '../../serving/model-pool.js';
import { liveSplit } from '../../serving/weight.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { servingAccess } from './up.js';

export interface ServeOptions {
  readonly model: string;
  readonly registry?: string;
  readonly host: string;
  readonly port: string;
  readonly challengerPercent: string;
  readonly pollInterval: string;
  readonly shutdownDelay: string;
  readonly token?: readonly string[];
  readonly rateLimit?: string;
  readonly allowSource?: readonly string[];
  readonly verbose?: boolean;
}

export function parsePort(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535)
    throw new UsageError(`${flag}: expected a port 0-65535, received "${value}"`);
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** `500ms`, `2s`, `1m` (or a bare number of seconds) → milliseconds, within [min, max]. */
export function parseDurationMs(value: string, flag: string, min: number, max: number): number {
  const m = /^(\d{1,7})(ms|s|m)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 's']! : Number.NaN;
  if (!(ms >= min && ms <= max))
    throw new UsageError(
      `${flag}: expected a duration such as 500ms, 5s or 1m (${min} ms to ${max / 1000} s), received "${value}"`,
    );
  return ms;
}

export function parseRegistryUrl(value: string | undefined, flag: string): string {
  if (!value) throw new UsageError(`${flag}: give the registry URL (or set MLFLOW_TRACKING_URI)`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag}: not a URL: "${value.slice(0, 200)}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${flag}: expected an http(s) URL, received "${value.slice(0, 200)}"`);
  if (url.username || url.password)
    throw new UsageError(`${flag}: no credentials in the URL (registry reads need none)`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** Resolves with the reason once SIGTERM, SIGINT or SIGHUP arrives (or `signal` aborts). */
export function untilStopped(signal?: AbortSignal): Promise<string> {
  return new Promise((done) => {
    const handlers: [NodeJS.Signals, () => void][] = [];
    const stop = (reason: string) => {
      for (const [sig, h] of handlers) process.off(sig, h);
      done(reason);
    };
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      const h = () => stop(sig);
      handlers.push([sig, h]);
      process.once(sig, h);
    }
    if (signal?.aborted) stop('abort');
    signal?.addEventListener('abort', () => stop('abort'), { once: true });
  });
}

/** Waits `delayMs` (endpoints drop the pod meanwhile), then closes: in-flight requests finish. */
export async function drain(
  server: { close(): Promise<unknown> },
  delayMs: number,
  why: string,
  io: Io,
  what: string,
): Promise<void> {
  io.stderr(`${what}: ${why}: draining${delayMs > 0 ? ` after ${delayMs} ms` : ''}…\n`);
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  await server.close();
  io.stderr(`${what}: stopped cleanly\n`);
}

const MODEL_NAME = /^[^\p{Cc}\p{Cf}]{1,256}$/u;

export async function serveCommand(opts: ServeOptions, io: Io, signal?: AbortSignal): Promise<number> {
  disableOrtTelemetry();
  if (!MODEL_NAME.test(opts.model))
    throw new UsageError('--model: expected a registered model name (1-256 printable characters)');
  const registry = parseRegistryUrl(opts.registry ?? process.env.MLFLOW_TRACKING_URI, '--registry');
  const percent = Number(opts.challengerPercent);
  if (!/^\d{1,3}(\.\d{1,6})?$/.test(opts.challengerPercent) || percent > 100)
    throw new UsageError(`--challenger-percent: expected 0-100, received "${opts.challengerPercent}"`);
  const pollMs = parseDurationMs(opts.pollInterval, '--poll-interval', 100, 600_000);
  const delayMs = parseDurationMs(opts.shutdownDelay, '--shutdown-delay', 0, 600_000);
  const port = parsePort(opts.port, '--port');
  const { tokens, rateLimit, allowSource } = servingAccess(opts);

  const logger = { level: opts.verbose ? 'info' : 'warn', stream: process.stderr };
  // Reads need no token: the registry keeps reads open; this server never writes.
  const client = new RegistryClient(
    registry,
    allowSource.length > 0 ? { allowedSourceOrigins: allowSource } : {},
  );
  // The pool's own warnings (registry unreachable, a weight tag that is not a percentage).
  const log = pino({ level: logger.level, base: { component: 'model-pool' } }, process.stderr);
  const pool = new ModelPool({ client, model: opts.model, aliases: ['champion', 'challenger'], log });
  const app = buildServingApp({
    pool,
    split: liveSplit(pool, percent),
    logger,
    metrics: createMetrics(),
    ...(tokens.size > 0 ? { tokens } : {}),
    ...(rateLimit ? { rateLimit } : {}),
  });
  let url: string;
  try {
    url = await app.listen({ port, host: opts.host });
  } catch (err) {
    await app.close().catch(() => {});
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL')
      throw new UsageError(`cannot listen on ${opts.host}:${port}: ${e.code}`);
    throw err;
  }
  io.stdout(`model server for "${opts.model}" listening on ${url}, following the registry at ${registry}\n`);
  // Loaded after listen: /health answers while the first download runs; /ready waits for it.
  let stopping = false;
  void pool.refresh().then(() => {
    if (!stopping) pool.start(pollMs);
  });
  const why = await untilStopped(signal);
  stopping = true;
  await drain(app, delayMs, why, io, 'mlp serve');
  return EXIT.ok;
}
