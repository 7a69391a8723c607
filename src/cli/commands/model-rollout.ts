/**
 * `mlp model rollout MODEL VERSION`: the canary loop against a running model server (`mlp up`
 * locally, or one `mlp serve`): VERSION becomes the challenger at weight 0, then walks the steps
 * as challenger weight with an analysis of the server's live metrics after each (the same
 * `runAnalysis` and thresholds as `mlp rollout simulate` and the cluster's AnalysisTemplates).
 * Exit 0 promoted (VERSION is champion), 1 rolled back, 2 refused before anything changed.
 * Ctrl-C rolls back.
 */
import {
  type LiveRolloutResult,
  RolloutRefused,
  runLiveRollout,
  type ServerView,
} from '../../rollout/live-rollout.js';
import { MAX_EXPOSITION_BYTES } from '../../rollout/prom-text.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { emit, type OutputFormat, table } from '../output.js';
import { call, client, registryToken, registryUrl } from './model.js';
import { DEFAULT_WEIGHTS, type RolloutSimulateOptions, thresholdsFromFlags } from './rollout.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface ModelRolloutOptions {
  readonly registry?: string;
  readonly token?: string;
  readonly server?: string;
  readonly steps?: string;
  readonly interval: string;
  readonly maxErrorRatio: string;
  readonly maxP95: string;
  readonly maxP99?: string;
  readonly minRequests: string;
  readonly count: string;
  readonly failureLimit: string;
  readonly inconclusiveLimit?: string;
  readonly consecutiveErrorLimit?: string;
  readonly settleTimeout: string;
  readonly output: OutputFormat;
}

/** `10,25,50,100` → weights; each an integer 1..100. */
export function parseWeights(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.length > 20 || parts.some((p) => !/^\d{1,3}$/.test(p)))
    throw new UsageError(
      `--steps: expected up to 20 weights such as 10,25,50,100, received "${text.slice(0, 100)}"`,
    );
  const weights = parts.map(Number);
  if (weights.some((w) => w < 1 || w > 100))
    throw new UsageError(`--steps: each weight is a percentage 1-100, received "${text.slice(0, 100)}"`);
  return weights;
}

function serverUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--server: not a URL: "${value.slice(0, 200)}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password)
    throw new UsageError(
      `--server: expected http(s)://host:port without credentials, received "${value.slice(0, 200)}"`,
    );
  return url.origin;
}

function durationMs(flag: string, text: string, min: number): number {
  const m = /^(\d{1,7})(ms|s|m)$/.exec(text);
  const ms = m ? Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000) : Number.NaN;
  if (!(ms >= min && ms <= 3_600_000))
    throw new UsageError(
      `${flag}: expected a duration such as 500ms, 5s or 1m (at least ${min} ms), received "${text}"`,
    );
  return ms;
}

async function getText(url: string, what: string): Promise<string> {
  const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(10_000) });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`${what} answered ${res.status}`);
  }
  if (Number(res.headers.get('content-length') ?? 0) > MAX_EXPOSITION_BYTES) {
    await res.body?.cancel();
    throw new Error(`${what} is larger than ${MAX_EXPOSITION_BYTES} bytes`);
  }
  return res.text();
}

/** /model/info → what the rollout checks; anything unexpected is an error, never a guess. */
export function parseServerView(json: unknown): ServerView {
  const o = json as {
    versions?: { alias?: unknown; version?: unknown }[];
    traffic?: { challenger?: unknown };
    load_failures?: { alias?: unknown; version?: unknown; error?: unknown }[];
  };
  const challenger = o?.traffic?.challenger;
  if (typeof challenger !== 'number' || !Array.isArray(o.versions))
    throw new Error('/model/info: not a model server answer (no versions or traffic.challenger)');
  const versions = new Map<string, string>();
  for (const v of o.versions) if (typeof v?.alias === 'string') versions.set(v.alias, String(v.version));
  const loadFailures = (Array.isArray(o.load_failures) ? o.load_failures : []).map((f) => ({
    alias: String(f?.alias),
    version: String(f?.version),
    error: String(f?.error),
  }));
  return { versions, challengerPercent: challenger, loadFailures };
}

function render(r: LiveRolloutResult): string {
  const rows = r.steps.map((s) => {
    const last = s.samples.at(-1);
    const seen =
      last && 'requests' in last
        ? `${last.requests} requests, ${last.errors} errors`
        : last
          ? 'query error'
          : '';
    return [`${s.weight}%`, s.phase, String(s.samples.length), seen, s.message];
  });
  const head =
    r.status === 'promoted'
      ? `${r.model} v${r.version} promoted: champion is v${r.champion}\n`
      : `${r.model} v${r.version} rolled back (champion stays v${r.champion}): ${r.reason}\n`;
  return `${table(['weight', 'analysis', 'intervals', 'last interval', 'message'], rows)}${head}`;
}

export async function modelRolloutCommand(
  model: string,
  version: string,
  opts: ModelRolloutOptions,
  io: Io,
  signal?: AbortSignal,
): Promise<number> {
  if (!/^[1-9]\d{0,9}$/.test(version))
    throw new UsageError(`version: expected a version number, received "${version.slice(0, 64)}"`);
  if (!/^[^\p{Cc}]{1,256}$/u.test(model)) throw new UsageError('model: expected a registered model name');
  const weights = opts.steps === undefined ? [...DEFAULT_WEIGHTS] : parseWeights(opts.steps);
  const intervalMs = durationMs('--interval', opts.interval, 100);
  const settleMs = durationMs('--settle-timeout', opts.settleTimeout, 1000);
  const thresholds = thresholdsFromFlags({
    ...opts,
    file: '',
    interval: opts.interval,
  } as RolloutSimulateOptions);
  const url = registryUrl(opts.registry);
  const registry = client(url, registryToken(opts.token, io.cwd));
  const server = serverUrl(opts.server ?? DEFAULT_SERVER);
  // Ctrl-C during a rollout rolls back rather than leaving a half-weighted challenger behind.
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  signal?.addEventListener('abort', onSignal, { once: true });
  let result: LiveRolloutResult;
  try {
    result = await call(
      () =>
        runLiveRollout({
          model,
          version,
          weights,
          thresholds,
          intervalMs,
          settleMs,
          registry,
          scrape: () => getText(`${server}/metrics`, `${server}/metrics`),
          view: async () =>
            parseServerView(JSON.parse(await getText(`${server}/model/info`, `${server}/model/info`))),
          progress: (line) => io.stderr(`${line}\n`),
          signal: interrupt.signal,
        }),
      url,
    );
  } catch (err) {
    if (err instanceof RolloutRefused) throw new UsageError(err.message);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
  }
  io.stdout(emit(opts.output, result, () => render(result)));
  return result.status === 'promoted' ? EXIT.ok : EXIT.failed;
}
