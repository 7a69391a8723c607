/**
 * The models being served: the versions behind the registry aliases, loaded as ONNX sessions.
 * A refresh loads a version an alias moved to *before* switching to it, and a replaced session
 * is released only when the last request using it has finished, so moving an alias fails no
 * in-flight request.
 */
import * as ort from 'onnxruntime-node';
import type { Logger } from 'pino';
import type { RegistryClient } from '../registry/client.js';

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

export interface ModelPoolOptions {
  readonly client: RegistryClient;
  readonly model: string;
  readonly aliases: readonly string[];
  readonly log?: Logger;
  readonly onLoadFailure?: (model: string, version: string, error: Error) => void;
  /** Threads per inference; 1 keeps a server on one core. @default 1 */
  readonly threads?: number;
}

export class ModelPool {
  private readonly byVersion = new Map<string, LoadedModel>();
  private aliasToVersion = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly opts: ModelPoolOptions) {}

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

  ready(): boolean {
    return this.aliasToVersion.size > 0;
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

  private async doRefresh(): Promise<void> {
    const next = new Map<string, string>();
    for (const alias of this.opts.aliases) {
      let target: Awaited<ReturnType<RegistryClient['versionByAlias']>>;
      try {
        target = await this.opts.client.versionByAlias(this.opts.model, alias);
      } catch (err) {
        this.opts.log?.warn({ err, alias }, 'registry unreachable; keeping the current version');
        const current = this.aliasToVersion.get(alias);
        if (current) next.set(alias, current);
        continue;
      }
      if (!target) continue;
      if (!this.loaded(target.version)) {
        try {
          await this.load(target.version, target.source);
        } catch (err) {
          this.opts.onLoadFailure?.(this.opts.model, target.version, err as Error);
          this.opts.log?.error(
            { err, alias, version: target.version },
            'model load failed; keeping the current version',
          );
          const current = this.aliasToVersion.get(alias);
          if (current) next.set(alias, current);
          continue;
        }
      }
      next.set(alias, target.version);
    }
    this.aliasToVersion = next;
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
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
    });
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
    this.aliasToVersion = new Map();
  }
}
