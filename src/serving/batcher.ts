/**
 * Micro-batching: requests that arrive in the same turn of the event loop share one model run.
 * Each run has a fixed cost (a hop through setImmediate, tensor setup, the native call) that
 * batching pays once instead of once per request. Order is kept; a failed run fails its batch.
 */

interface Pending<I, O> {
  readonly items: readonly I[];
  readonly resolve: (out: O[]) => void;
  readonly reject: (err: unknown) => void;
}

export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;

  /** @param maxItems upper bound of items per run (the model's batch limit). */
  constructor(
    private readonly runMany: (items: readonly I[]) => Promise<O[]>,
    private readonly maxItems: number,
  ) {}

  run(items: readonly I[]): Promise<O[]> {
    return new Promise<O[]>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch: Pending<I, O>[] = [];
      let count = 0;
      while (
        this.queue.length > 0 &&
        (batch.length === 0 || count + this.queue[0]!.items.length <= this.maxItems)
      ) {
        const next = this.queue.shift()!;
        batch.push(next);
        count += next.items.length;
      }
      const all = batch.flatMap((p) => p.items);
      this.runMany(all).then(
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
}
