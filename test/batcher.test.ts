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
