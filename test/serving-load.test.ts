// Over real sockets: moving an alias under continuous load fails no request; shutdown drains.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from './helpers.js';
import { type Platform, startPlatform, startServer } from './serving-helpers.js';

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform.close();
});

it('moves the champion alias under continuous load with zero failed requests', async () => {
  const { app, pool } = await startServer(platform, { split: { challengerPercent: 0 } });
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/predict`;
  const results: { status: number; version: string | null; started: number }[] = [];
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const started = performance.now();
      try {
        const r = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: 'not bad, quite good' }),
        });
        await r.arrayBuffer();
        results.push({ status: r.status, version: r.headers.get('x-model-version'), started });
      } catch {
        results.push({ status: 0, version: null, started });
      }
    }
  };
  const workers = Array.from({ length: 8 }, worker);
  // Move the alias after some answered requests, stop after some more: counts, not clock time,
  // so a loaded machine only makes the test slower.
  await waitFor(() => results.length >= 100);
  await platform.client.setAlias('sentiment', 'champion', '2');
  await pool.refresh();
  const moved = performance.now();
  await waitFor(() => results.filter((r) => r.started > moved).length >= 100);
  stop = true;
  await Promise.all(workers);
  await platform.client.setAlias('sentiment', 'champion', '1');
  await app.close();

  expect(results.length).toBeGreaterThan(100);
  expect(results.filter((r) => r.status !== 200)).toEqual([]);
  expect(results.some((r) => r.version === '1')).toBe(true);
  const after = results.filter((r) => r.started > moved);
  expect(after.length).toBeGreaterThan(10);
  expect(after.every((r) => r.version === '2')).toBe(true);
});

it('drains in-flight requests on shutdown', async () => {
  const { app } = await startServer(platform);
  let started = 0;
  let closing: Promise<undefined> | undefined;
  app.addHook('onRequest', async () => {
    started++;
    // Shut down while several requests are being handled.
    if (started === 5) closing = app.close();
  });
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/predict/batch`;
  const texts = Array.from({ length: 64 }, (_, i) => `request ${i} is great but not perfect `.repeat(20));
  const inFlight = Array.from({ length: 40 }, () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ texts }),
    }).then(
      (r) => r.status,
      () => 0,
    ),
  );
  const statuses = await Promise.all(inFlight);
  await closing;
  // Every request the server had begun to handle completes; connections it had not read a
  // request from yet are closed, which a load balancer avoids by draining readiness first.
  expect(statuses.filter((s) => s === 200).length).toBe(started);
  expect(started).toBeGreaterThanOrEqual(5);
}, 120_000);
