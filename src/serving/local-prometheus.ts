/**
 * `mlp up --prometheus`: a real Prometheus beside the embedded platform, loading the very rule
 * file the tree renders for the environment (platform alerts, SLI recording rules, burn-rate
 * alerts) and scraping the local model server, so the SLO rules evaluate on real traffic on one
 * machine. Optional and outside the default path: `mlp up` without the flag needs no binary.
 *
 * Intervals are 5 s instead of a cluster's 30 s so a user sees the 5m SLI after two scrapes;
 * the rules themselves are unchanged (their windows are in the expressions).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { stringify } from 'yaml';

export const SCRAPE_INTERVAL = '5s';

export interface ScrapeTarget {
  readonly job: string;
  /** Base URL; Prometheus scrapes `<url>/metrics`. */
  readonly url: string;
}

export interface LocalPrometheusOptions {
  /** The `prometheus` executable (see `findPrometheus`). */
  readonly binary: string;
  /** Folder for the config, the rule file and the TSDB (created). */
  readonly dir: string;
  readonly host: string;
  readonly port: number;
  readonly targets: readonly ScrapeTarget[];
  /** A Prometheus rule file (`groups:`), as rendered for the environment. */
  readonly ruleFile: string;
  /** Labels every series gets, like the cluster's external labels. */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** How long to wait for `/-/ready`. @default 60 s (a loaded machine replays its WAL slowly) */
  readonly readyTimeoutMs?: number;
}

export interface LocalPrometheus {
  readonly url: string;
  stop(): Promise<void>;
}

export class PrometheusUnavailableError extends Error {}

/**
 * `$MLP_PROMETHEUS` if set, else the first executable `prometheus` on the PATH; a clear error
 * naming where it looked otherwise (Debian/Ubuntu: `apt-get install prometheus`).
 */
export function findPrometheus(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.MLP_PROMETHEUS;
  if (explicit) {
    if (!isAbsolute(explicit) || !isExecutable(explicit))
      throw new PrometheusUnavailableError(
        `MLP_PROMETHEUS=${explicit}: expected the absolute path of an executable prometheus`,
      );
    return explicit;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'prometheus');
    if (isExecutable(candidate)) return candidate;
  }
  throw new PrometheusUnavailableError(
    '--prometheus: no prometheus executable on the PATH (install it, e.g. `apt-get install prometheus`, or set MLP_PROMETHEUS=/path/to/prometheus); `mlp up` without --prometheus needs none',
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** prometheus.yml for the local targets: one job per target, static, plain HTTP. */
export function prometheusConfig(
  targets: readonly ScrapeTarget[],
  ruleFilePath: string,
  externalLabels: Readonly<Record<string, string>> = {},
): string {
  return stringify(
    {
      global: {
        scrape_interval: SCRAPE_INTERVAL,
        evaluation_interval: SCRAPE_INTERVAL,
        ...(Object.keys(externalLabels).length > 0 ? { external_labels: { ...externalLabels } } : {}),
      },
      rule_files: [ruleFilePath],
      scrape_configs: targets.map((t) => {
        const url = new URL(t.url);
        if (url.protocol !== 'http:') throw new Error(`${t.job}: expected an http:// URL, received ${t.url}`);
        return {
          job_name: t.job,
          metrics_path: `${url.pathname.replace(/\/$/, '')}/metrics`,
          static_configs: [{ targets: [url.host] }],
        };
      }),
    },
    { lineWidth: 0 },
  );
}

/** Writes config and rules, starts Prometheus, resolves when it reports ready. */
export async function startLocalPrometheus(opts: LocalPrometheusOptions): Promise<LocalPrometheus> {
  mkdirSync(join(opts.dir, 'data'), { recursive: true });
  const rulesPath = join(opts.dir, 'rules.yaml');
  const configPath = join(opts.dir, 'prometheus.yml');
  writeFileSync(rulesPath, opts.ruleFile);
  writeFileSync(configPath, prometheusConfig(opts.targets, rulesPath, opts.externalLabels));
  const listen = `${opts.host}:${opts.port}`;
  const child = spawn(
    opts.binary,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(opts.dir, 'data')}`,
      `--web.listen-address=${listen}`,
      // The SLO rules' longest window; the local TSDB need not keep more.
      '--storage.tsdb.retention.time=3d',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    // Keep the tail only: it is for the error message when start-up fails.
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;
  try {
    await waitReady(url, child, exited, opts.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await stopChild(child, exited);
    const tail = stderr.trim().split('\n').slice(-5).join('\n');
    throw new PrometheusUnavailableError(`${(err as Error).message}${tail ? `\n${tail}` : ''}`);
  }
  return { url, stop: () => stopChild(child, exited) };
}

async function waitReady(
  url: string,
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  while (Date.now() < deadline) {
    if (exitCode !== undefined || child.exitCode !== null)
      throw new Error(`prometheus exited (code ${exitCode ?? child.exitCode}) before it was ready`);
    try {
      const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`prometheus was not ready at ${url} within ${Math.round(timeoutMs / 1000)} s`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
