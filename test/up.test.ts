// `mlp up`: the embedded local platform starts, serves the demo model, stops cleanly, and reuses its state.

import { join } from 'node:path';
import { expect, it } from 'vitest';
import { upCommand } from '../src/cli/commands/up.js';
import { mlp, ROOT, tempDir, waitFor } from './helpers.js';

async function runUp(cwd: string, work: (servingUrl: string, registryUrl: string) => Promise<void>) {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t), cwd };
  const stop = new AbortController();
  const opts = { state: '.mlp', host: '127.0.0.1', registryPort: '0', port: '0', challengerPercent: '10' };
  const done = upCommand(opts, io, stop.signal);
  await waitFor(() => stdout.includes('model server'));
  const servingUrl = /model server\s+(\S+)/.exec(stdout)![1]!;
  const registryUrl = /model registry \(MLflow API\)\s+(\S+)\/api/.exec(stdout)![1]!;
  await work(servingUrl, registryUrl);
  stop.abort();
  const code = await done;
  return { code, stdout, stderr };
}

it('starts registry and server with the demo model, stops cleanly, and reuses the state', async () => {
  const dir = tempDir();
  const first = await runUp(dir, async (serving, registry) => {
    const r = await fetch(`${serving}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-model-version': 'challenger' },
      body: JSON.stringify({ text: 'not bad at all' }),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ label: 'positive', model_version: '2' });
    const info = await (await fetch(`${serving}/model/info`)).json();
    expect(info.traffic).toMatchObject({ champion: 90, challenger: 10 });
    const versions = await (
      await fetch(
        `${registry}/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent("name = 'sentiment'")}`,
      )
    ).json();
    expect(versions.model_versions).toHaveLength(2);

    // mlp model build / eval / push / alias against the running registry; the server follows.
    const file = join(dir, 'v2.onnx');
    expect((await mlp(['model', 'build', '2', '--out', file])).code).toBe(0);
    const evaluated = await mlp(['model', 'eval', file]);
    expect(evaluated.stdout).toMatch(/accuracy 8\d\.\d% on 60 examples/);
    const pushed = await mlp(['model', 'push', file, '--name', 'sentiment', '--registry', registry]);
    expect(pushed.stdout).toContain('registered sentiment version 3');
    expect((await mlp(['model', 'alias', 'sentiment', 'champion', '3', '--registry', registry])).code).toBe(
      0,
    );
    let served = '';
    await waitFor(
      async () => {
        const r = await fetch(`${serving}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-model-version': 'champion' },
          body: JSON.stringify({ text: 'ok' }),
        });
        served = r.headers.get('x-model-version') ?? '';
        return served === '3';
      },
      90_000,
      100,
    );
    expect(served).toBe('3');
    const missing = await mlp(['model', 'alias', 'sentiment', 'champion', '9', '--registry', registry]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('RESOURCE_DOES_NOT_EXIST');
  });
  expect(first.code).toBe(0);
  expect(first.stdout).toContain('curl -s -X POST');
  expect(first.stdout).toContain('champion=v1, challenger=v2');
  expect(first.stderr).toContain('registering the demo model');
  expect(first.stderr).toContain('stopped cleanly');

  const second = await runUp(dir, async (_serving, registry) => {
    const versions = await (
      await fetch(
        `${registry}/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent("name = 'sentiment'")}`,
      )
    ).json();
    expect(versions.model_versions).toHaveLength(3);
  });
  expect(second.code).toBe(0);
  expect(second.stderr).toContain('reusing model "sentiment"');
}, 120_000);

it('says which port is taken instead of crashing', async () => {
  const { createServer } = await import('node:net');
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const taken = String((blocker.address() as { port: number }).port);
  const r = await mlp(['up', '--port', taken, '--registry-port', '0', '--state', join(tempDir(), 'state')]);
  blocker.close();
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('another process uses that port');
}, 120_000);

it('stops cleanly on Ctrl-C (SIGINT) as a real process', async () => {
  const { spawn } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  // The bin runs the compiled CLI; `npm ci` builds it (prepare), `npm run build` after edits.
  expect(existsSync(join(ROOT, 'dist', 'cli', 'main.js')), 'dist/ is missing: run npm run build').toBe(true);
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'mlp.js'),
      'up',
      '--port',
      '0',
      '--registry-port',
      '0',
      '--state',
      join(tempDir(), 'state'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await waitFor(() => stdout.includes('model server') || child.exitCode !== null);
  const serving = /model server\s+(\S+)/.exec(stdout)?.[1];
  expect(serving, stderr).toBeDefined();
  expect((await fetch(`${serving}/ready`)).status).toBe(200);
  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(stderr).toContain('stopped cleanly');
}, 120_000);
