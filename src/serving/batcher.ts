/**
 * Micro-batching: requests that arrive in the same turn of the event loop share one model run.
 * Each run has a fixed cost (a hop through setImmediate, tensor setup, the native call) that
 * batching pays once instead of once per request. Order is kept; a failed run fails its batch.
 *
 * Fairness: featurization and onnxruntime's run both execute on the event loop, so one run's
 * work is one uninterrupted stretch of it. A run is bounded (items and cost, e.g. characters),
 * one run is started per turn of the loop, and calls marked `heavy` (a large batch, split by
 * the caller into bounded chunks) queue in a lane of their own that gets only what the light
 * lane leaves: a client posting the largest batches delays others by one bounded run, not by
 * its whole batch.
 */

interface Pending<I, O> {
  readonly items: readonly I[];
  readonly cost: number;
  readonly resolve: (out: O[]) => void;
  readonly reject: (err: unknown) => void;
}

export interface BatcherLimits {
  /** Upper bound of items per run (the model's batch limit). */
  readonly maxItems: number;
  /** Upper bound of summed cost per run. @default Infinity */
  readonly maxCost?: number;
}

export class MicroBatcher<I, O> {
  private light: Pending<I, O>[] = [];
  private heavy: Pending<I, O>[] = [];
  private scheduled = false;
  private readonly maxItems: number;
  private readonly maxCost: number;

  constructor(
    private readonly runMany: (items: readonly I[]) => Promise<O[]>,
    limits: number | BatcherLimits,
  ) {
    const l = typeof limits === 'number' ? { maxItems: limits } : limits;
    this.maxItems = l.maxItems;
    this.maxCost = l.maxCost ?? Number.POSITIVE_INFINITY;
  }

  /** @param cost this call's share of a run's budget (e.g. its characters). */
  run(items: readonly I[], opts: { cost?: number; heavy?: boolean } = {}): Promise<O[]> {
    return new Promise<O[]>((resolve, reject) => {
      (opts.heavy ? this.heavy : this.light).push({ items, cost: opts.cost ?? 0, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Starts one bounded run: light calls first, then heavy ones while the budget lasts. */
  private flush(): void {
    this.scheduled = false;
    const batch: Pending<I, O>[] = [];
    let count = 0;
    let cost = 0;
    for (const lane of [this.light, this.heavy]) {
      while (lane.length > 0) {
        const next = lane[0]!;
        const fits = count + next.items.length <= this.maxItems && cost + next.cost <= this.maxCost;
        if (batch.length > 0 && !fits) break;
        lane.shift();
        batch.push(next);
        count += next.items.length;
        cost += next.cost;
      }
      if (lane.length > 0) break;
    }
    // The rest waits for the next turn, after whatever I/O arrived meanwhile.
    if (this.light.length > 0 || this.heavy.length > 0) this.schedule();
    if (batch.length === 0) return;
    let all: I[];
    let pending: Promise<O[]>;
    try {
      all = batch.flatMap((p) => p.items);
      pending = this.runMany(all);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (out) => {
        let offset = 0;
        for (const p of batch) {
          p.resolve(out.slice(offset, offset + p.items.length));
          offset += p.items.length;
        }
      },
      (err) => {
        for (const p of batch) p.reject(err);
      },
    );
  }
}
