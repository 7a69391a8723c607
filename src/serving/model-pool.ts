/**
 * The models being served: the versions behind the registry aliases, loaded as ONNX sessions.
 * A refresh loads a version an alias moved to *before* switching to it, and a replaced session
 * is released only when the last request using it has finished, so moving an alias fails no
 * in-flight request.
 */
import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import type { RegistryClient } from '../registry/client.js';
import { CHALLENGER_PERCENT_TAG, parseChallengerPercent } from './weight.js';

export interface TensorInfo {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

export interface LoadedModel {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  readonly loadedAt: string;
  readonly session: ort.InferenceSession;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  refs: number;
  retired: boolean;
}

const ORT_TO_OIP: Record<string, string> = {
  float32: 'FP32',
  float64: 'FP64',
  float16: 'FP16',
  int64: 'INT64',
  int32: 'INT32',
  int16: 'INT16',
  int8: 'INT8',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  bool: 'BOOL',
  string: 'BYTES',
};

function tensorInfo(meta: readonly unknown[]): TensorInfo[] {
  return (meta as { name: string; type?: string; shape?: (number | string)[] }[]).map((m) => ({
    name: m.name,
    datatype: ORT_TO_OIP[m.type ?? ''] ?? String(m.type).toUpperCase(),
    // Symbolic dimensions are variable: -1 in the Open Inference Protocol.
    shape: (m.shape ?? []).map((d) => (typeof d === 'number' ? d : -1)),
  }));
}

/** Why the version an alias points at is not served. */
export interface LoadFailure {
  readonly version: string;
  readonly source: string;
  readonly error: string;
  readonly at: string;
  readonly attempts: number;
  /** Not retried before this time (ms since the epoch). */
  readonly retryAt: number;
}

export interface ModelPoolOptions {
  readonly client: RegistryClient;
  readonly model: string;
  readonly aliases: readonly string[];
  readonly log?: Logger;
  /** Called on every failed download or load (count it: model_load_failures_total). */
  readonly onLoadFailure?: (model: string, version: string, error: Error) => void;
  /** First wait before a failed version is tried again; doubles up to 10 minutes. @default 5000 */
  readonly retryMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Threads per inference; 1 keeps a server on one core. @default 1 */
  readonly threads?: number;
  /** Read the live challenger weight (registered-model tag `mlp.challenger_percent`). @default true */
  readonly liveWeight?: boolean;
}

/**
 * onnxruntime-node 1.30's native library has telemetry (strings in libonnxruntime.so: "telemetry
 * HTTPS uploads", a device id persisted under $XDG_CACHE_HOME or ~/.cache/Microsoft/
 * DeveloperTools/.onnxruntime). A model server must neither phone home nor write outside /tmp
 * (read-only root filesystem): ORT_DISABLE_TELEMETRY=1 turns it off, unless the operator set the
 * variable explicitly. It is read when the first session is created, so setting it here, before
 * any model is loaded, is enough (test/entrypoints.test.ts checks nothing is written). Every
 * ModelPool does it when constructed, so `mlp up` and `mlp serve` both run without it.
 */
export function disableOrtTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  env.ORT_DISABLE_TELEMETRY ??= '1';
}

export class ModelPool {
  private readonly byVersion = new Map<string, LoadedModel>();
  private aliasToVersion = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly failed = new Map<string, LoadFailure>();
  private everRefreshed = false;
  /** The weight tag as last read; undefined = no tag (the server's default applies). */
  private weight: number | undefined;
  private weightWarned: string | undefined;
  private readonly failureListeners = new Set<
    (failure: LoadFailure & { alias: string }, error: Error) => void
  >();

  constructor(private readonly opts: ModelPoolOptions) {
    disableOrtTelemetry();
  }

  get model(): string {
    return this.opts.model;
  }

  /** Version behind an alias, if loaded. */
  versionOf(alias: string): string | undefined {
    return this.aliasToVersion.get(alias);
  }

  aliases(): ReadonlyMap<string, string> {
    return this.aliasToVersion;
  }

  loaded(version: string): LoadedModel | undefined {
    const m = this.byVersion.get(version);
    return m && !m.retired ? m : undefined;
  }

  /** The challenger's share from the registry (tag `mlp.challenger_percent`), when set and valid. */
  challengerPercent(): number | undefined {
    return this.weight;
  }

  ready(): boolean {
    return this.aliasToVersion.size > 0;
  }

  /** Calls `listener` on every failed load (the server counts and logs them); returns an unsubscribe. */
  onLoadFailure(listener: (failure: LoadFailure & { alias: string }, error: Error) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /** Aliases whose current target failed to load, and why. */
  failures(): ReadonlyMap<string, LoadFailure> {
    return this.failed;
  }

  /** Why nothing is served, in one line; undefined when something is. */
  notReadyReason(): string | undefined {
    if (this.ready()) return undefined;
    if (this.failed.size > 0)
      return [...this.failed]
        .map(([alias, f]) => `${this.opts.model}@${alias} → version ${f.version} failed to load: ${f.error}`)
        .join('; ');
    if (!this.everRefreshed) return `no version of ${this.opts.model} is loaded yet`;
    return `no alias of ${this.opts.model} (${this.opts.aliases.join(', ')}) points at a version`;
  }

  /** Takes a reference on a loaded version for the duration of one request. */
  acquire(version: string): LoadedModel | undefined {
    const m = this.loaded(version);
    if (m) m.refs++;
    return m;
  }

  release(m: LoadedModel): void {
    m.refs--;
    if (m.retired && m.refs === 0) void m.session.release().catch(() => {});
  }

  /** Re-reads every alias; loads new versions; retires versions no alias points at. */
  refresh(): Promise<void> {
    // One refresh at a time: a slow load must not race the next poll.
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /**
   * Reads the weight tag. Unreachable registry: the weight stays (like the aliases). A tag that
   * is not a percentage is ignored (the default applies) and logged once per bad value.
   */
  private async readWeight(): Promise<number | undefined> {
    let tags: Map<string, string> | undefined;
    try {
      tags = await this.opts.client.modelTags(this.opts.model);
    } catch (err) {
      this.opts.log?.warn({ err }, 'registry unreachable; keeping the current challenger weight');
      return this.weight;
    }
    const raw = tags?.get(CHALLENGER_PERCENT_TAG);
    if (raw === undefined) return undefined;
    const parsed = parseChallengerPercent(raw);
    if ('error' in parsed) {
      if (this.weightWarned !== raw) this.opts.log?.warn(`${parsed.error}; using the default split`);
      this.weightWarned = raw;
      return undefined;
    }
    return parsed.percent;
  }

  private async doRefresh(): Promise<void> {
    const next = new Map<string, string>();
    const now = this.opts.now ?? Date.now;
    for (const alias of this.opts.aliases) {
      let target: Awaited<ReturnType<RegistryClient['versionByAlias']>>;
      const current = this.aliasToVersion.get(alias);
      try {
        target = await this.opts.client.versionByAlias(this.opts.model, alias);
      } catch (err) {
        this.opts.log?.warn({ err, alias }, 'registry unreachable; keeping the current version');
        if (current) next.set(alias, current);
        continue;
      }
      if (!target) {
        this.failed.delete(alias);
        continue;
      }
      if (!this.loaded(target.version)) {
        const before = this.failed.get(alias);
        const same = before?.version === target.version && before.source === target.source;
        // A version that failed is retried with backoff, not on every poll.
        if (same && now() < before.retryAt) {
          if (current) next.set(alias, current);
          continue;
        }
        try {
          await this.load(target.version, target.source);
        } catch (err) {
          const e = err as Error;
          const attempts = same ? before.attempts + 1 : 1;
          const base = this.opts.retryMs ?? 5000;
          const failure: LoadFailure = {
            version: target.version,
            source: target.source,
            error: e.message.split('\n')[0]!,
            at: new Date(now()).toISOString(),
            attempts,
            retryAt: now() + Math.min(base * 2 ** (attempts - 1), 600_000),
          };
          this.failed.set(alias, failure);
          this.opts.onLoadFailure?.(this.opts.model, target.version, e);
          for (const listener of this.failureListeners) listener({ ...failure, alias }, e);
          this.opts.log?.error(
            {
              err: e,
              model: this.opts.model,
              alias,
              version: target.version,
              source: target.source,
              attempts,
            },
            current
              ? `model ${this.opts.model} version ${target.version} (${alias}) failed to load; still serving version ${current}`
              : `model ${this.opts.model} version ${target.version} (${alias}) failed to load; nothing served for ${alias}`,
          );
          if (current) next.set(alias, current);
          continue;
        }
      }
      this.failed.delete(alias);
      next.set(alias, target.version);
    }
    // The weight is read AFTER the aliases and both are switched together below: `mlp model
    // rollout` writes the weight (0) before it points the challenger alias at a new version, so
    // a poll that saw the new alias also sees the new weight: never a new challenger at an old
    // weight.
    const weight = this.opts.liveWeight === false ? undefined : await this.readWeight();
    this.everRefreshed = true;
    this.aliasToVersion = next;
    this.weight = weight;
    const live = new Set(next.values());
    for (const [version, m] of this.byVersion) {
      if (live.has(version)) continue;
      m.retired = true;
      this.byVersion.delete(version);
      if (m.refs === 0) await m.session.release().catch(() => {});
    }
  }

  private async load(version: string, source: string): Promise<void> {
    const bytes = await this.opts.client.download(source);
    const threads = this.opts.threads ?? 1;
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
      });
    } catch (err) {
      throw new Error(`not an ONNX model onnxruntime can load (${(err as Error).message.split('\n')[0]})`);
    }
    this.byVersion.set(version, {
      name: this.opts.model,
      version,
      source,
      loadedAt: new Date().toISOString(),
      session,
      inputs: tensorInfo(session.inputMetadata),
      outputs: tensorInfo(session.outputMetadata),
      refs: 0,
      retired: false,
    });
    this.opts.log?.info({ version, source }, 'model loaded');
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
    for (const m of this.byVersion.values()) await m.session.release().catch(() => {});
    this.byVersion.clear();
    this.failed.clear();
    this.aliasToVersion = new Map();
  }
}
