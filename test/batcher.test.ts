import { expect, it } from 'vitest';
import { MicroBatcher } from '../src/serving/batcher.js';

it("shares one run among calls in the same turn, keeping each caller's results in order", async () => {
  const runs: number[][] = [];
  const b = new MicroBatcher<number, number>(async (xs) => {
    runs.push([...xs]);
    return xs.map((x) => x * 10);
  }, 100);
  const results = await Promise.all([b.run([1, 2]), b.run([3]), b.run([4, 5, 6])]);
  expect(results).toEqual([[10, 20], [30], [40, 50, 60]]);
  expect(runs).toEqual([[1, 2, 3, 4, 5, 6]]);
});

it('never puts more than maxItems into one run (a single larger call still runs alone)', async () => {
  const runs: number[] = [];
  const b = new MicroBatcher<number, number>(async (xs) => {
    runs.push(xs.length);
    return [...xs];
  }, 3);
  await Promise.all([b.run([1, 2]), b.run([3, 4]), b.run([5]), b.run([6, 7, 8, 9])]);
  expect(runs).toEqual([2, 3, 4]);
});

it('fails every caller of a failed run, and later runs are unaffected', async () => {
  let fail = true;
  const b = new MicroBatcher<number, number>(async (xs) => {
    if (fail) throw new Error('boom');
    return [...xs];
  }, 10);
  const settled = await Promise.allSettled([b.run([1]), b.run([2])]);
  expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
  fail = false;
  expect(await b.run([3])).toEqual([3]);
});

// Item 12: one client's largest batches must not monopolize the event loop.
it('serves a light call queued behind a heavy batch first, one bounded run per turn', async () => {
  const runs: string[][] = [];
  const b = new MicroBatcher<string, string>(
    async (xs) => {
      runs.push([...xs]);
      return [...xs];
    },
    { maxItems: 10, maxCost: 10 },
  );
  const heavy = Array.from({ length: 5 }, (_, i) => b.run([`h${i}`], { cost: 10, heavy: true }));
  const light = b.run(['small'], { cost: 1 });
  let lightDoneAfter = -1;
  void light.then(() => (lightDoneAfter = runs.length));
  await Promise.all([...heavy, light]);
  expect(runs[0]).toEqual(['small']);
  expect(lightDoneAfter).toBeLessThanOrEqual(2);
  // Each heavy chunk ran on its own: no run exceeded the budget.
  expect(runs.slice(1)).toEqual([['h0'], ['h1'], ['h2'], ['h3'], ['h4']]);
});

it('splits a batch of the largest texts into runs of bounded work, interleaving a small request', async () => {
  const { predictTexts, RUN_BUDGET_CHARS } = await import('../src/serving/inference.js');
  const runs: number[] = [];
  const model = {
    inputs: [{ name: 'tokens', datatype: 'INT64', shape: [-1, -1] }],
    outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
    session: {
      run: async (feeds: Record<string, { dims: readonly number[] }>) => {
        const [batch] = feeds.tokens!.dims as [number, number];
        runs.push(batch);
        return { probabilities: { data: new Float32Array(batch * 2).fill(0.5) } };
      },
    },
  } as unknown as Parameters<typeof predictTexts>[0];
  const word = 'good bad ';
  const big = Array.from({ length: 64 }, () => word.repeat(Math.floor(10_000 / word.length)));
  const order: string[] = [];
  const heavy = predictTexts(model, big).then(() => order.push('heavy'));
  const small = predictTexts(model, ['fine']).then(() => order.push('small'));
  await Promise.all([heavy, small]);
  expect(order).toEqual(['small', 'heavy']);
  // 64 texts of ~10,000 characters: no run featurizes more than the budget.
  expect(runs.length).toBeGreaterThanOrEqual(Math.ceil((64 * 9_999) / RUN_BUDGET_CHARS));
  expect(runs[0]).toBeLessThanOrEqual(2);
});
