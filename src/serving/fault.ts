/**
 * Fault injection for demos and tests of the canary loop, on the LOCAL platform only: `mlp up
 * --inject 'version=3,errors=0.2,latencyMs=300'`. It is configured when the process starts and
 * never from a request (no header, no route turns it on), and `mlp serve` (the in-cluster
 * entrypoint) has no such option at all.
 *
 * Errors are deterministic, not random: with `errors=0.2` exactly every fifth request served by
 * that version fails (request n fails when floor(n·rate) steps up), so a test knows how many
 * failures to expect and a short demo shows the configured rate, not a lucky draw.
 */
import { ServingError } from './errors.js';

export interface Fault {
  readonly version: string;
  /** Share of the version's requests answered with a 500, 0..1. */
  readonly errors: number;
  /** Added to each of the version's requests, in milliseconds. */
  readonly latencyMs: number;
}

/** The marker in an injected failure's message; clients can tell it from a real one. */
export const INJECTED = 'injected fault';

const KEYS = new Set(['version', 'errors', 'latencyMs']);

/** `version=3,errors=0.2,latencyMs=300` → a Fault; throws a message naming the bad part. */
export function parseFault(text: string): Fault {
  const where = `--inject "${text.slice(0, 200)}"`;
  const seen = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq <= 0 || !KEYS.has(key))
      throw new Error(
        `${where}: expected version=N,errors=0..1,latencyMs=N; "${part.slice(0, 64)}" is not one of them`,
      );
    if (seen.has(key)) throw new Error(`${where}: ${key} given twice`);
    seen.set(key, value);
  }
  const version = seen.get('version');
  if (!version || !/^[1-9][0-9]{0,9}$/.test(version))
    throw new Error(`${where}: version: expected a version number such as 2`);
  const errorsText = seen.get('errors') ?? '0';
  if (!/^(?:0(?:\.[0-9]{1,6})?|1(?:\.0{1,6})?|\.[0-9]{1,6})$/.test(errorsText))
    throw new Error(
      `${where}: errors: expected a share 0..1 such as 0.05, received "${errorsText.slice(0, 32)}"`,
    );
  const latencyText = seen.get('latencyMs') ?? '0';
  if (!/^[0-9]{1,5}$/.test(latencyText) || Number(latencyText) > 60_000)
    throw new Error(`${where}: latencyMs: expected 0..60000, received "${latencyText.slice(0, 32)}"`);
  const fault = { version, errors: Number(errorsText), latencyMs: Number(latencyText) };
  if (fault.errors === 0 && fault.latencyMs === 0) throw new Error(`${where}: give errors and/or latencyMs`);
  return fault;
}

/** Applies the faults per version and counts what it injected (tests compare with what clients saw). */
export class FaultInjector {
  private readonly byVersion = new Map<string, Fault>();
  private readonly served = new Map<string, number>();
  private readonly failed = new Map<string, number>();

  constructor(faults: readonly Fault[]) {
    for (const f of faults) {
      if (this.byVersion.has(f.version)) throw new Error(`--inject: version ${f.version} given twice`);
      this.byVersion.set(f.version, f);
    }
  }

  get size(): number {
    return this.byVersion.size;
  }

  /** Failures injected so far for a version (all versions when none is given). */
  injected(version?: string): number {
    if (version !== undefined) return this.failed.get(version) ?? 0;
    let n = 0;
    for (const c of this.failed.values()) n += c;
    return n;
  }

  /** Runs before a request of `version` is answered: waits, then maybe throws a 500. */
  async before(version: string): Promise<void> {
    const f = this.byVersion.get(version);
    if (!f) return;
    if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
    const n = (this.served.get(version) ?? 0) + 1;
    this.served.set(version, n);
    if (Math.floor(n * f.errors) > Math.floor((n - 1) * f.errors)) {
      this.failed.set(version, (this.failed.get(version) ?? 0) + 1);
      throw new ServingError(
        'MLP_INTERNAL',
        `${INJECTED}: version ${version} fails ${f.errors * 100}% of requests (mlp up --inject)`,
      );
    }
  }

  describe(): string {
    return [...this.byVersion.values()]
      .map((f) => `v${f.version}: ${f.errors * 100}% errors, +${f.latencyMs} ms`)
      .join('; ');
  }
}
