// `mlp up`: the embedded local platform starts, serves the demo model, stops cleanly, and reuses its state.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { upCommand } from '../src/cli/commands/up.js';
import { mlp, ROOT, tempDir, waitFor } from './helpers.js';
import { runUp } from './up-helpers.js';

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
    const token = readFileSync(join(dir, '.mlp', 'registry-token'), 'utf8').trim();
    expect((await mlp(['model', 'build', '2', '--out', file])).code).toBe(0);
    const evaluated = await mlp(['model', 'eval', file]);
    expect(evaluated.stdout).toMatch(/accuracy 8\d\.\d% on 60 examples/);
    // Without the token the registry refuses writes, and says how to pass it.
    const anonymous = await mlp(['model', 'push', file, '--name', 'sentiment', '--registry', registry]);
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toContain('UNAUTHENTICATED');
    expect(anonymous.stderr).toContain('MLP_REGISTRY_TOKEN');
    const pushed = await mlp([
      'model',
      'push',
      file,
      '--name',
      'sentiment',
      '--registry',
      registry,
      '--token',
      token,
    ]);
    expect(pushed.stdout).toContain('registered sentiment version 3');
    // The registry-token file in ./.mlp is found without --token.
    expect(
      (await mlp(['model', 'alias', 'sentiment', 'champion', '3', '--registry', registry], dir)).code,
    ).toBe(0);
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
    const missing = await mlp(['model', 'alias', 'sentiment', 'champion', '9', '--registry', registry], dir);
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

it('prints a sample command that works on a fresh clone, with the generated token (items 3, 5)', async () => {
  const { exec } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { statSync } = await import('node:fs');
  const dir = tempDir();
  const r = await runUp(dir, async () => {});
  const line = r.stdout.split('\n').find((l) => l.includes('model alias sentiment champion 2'))!;
  expect(line).toMatch(
    /MLP_REGISTRY_TOKEN=\$\(cat \.mlp\/registry-token\) MLFLOW_TRACKING_URI=\S+ \S*node \S+bin\/mlp\.js model alias/,
  );
  expect(line).not.toMatch(/ mlp model/);
  expect(statSync(join(dir, '.mlp', 'registry-token')).mode & 0o777).toBe(0o600);
  // Run what it printed, against a running platform on the same state.
  await runUp(dir, async (_serving, registry) => {
    const cmd = line.trim().replace(/MLFLOW_TRACKING_URI=\S+/, `MLFLOW_TRACKING_URI=${registry}`);
    let out = '';
    try {
      // Asynchronously: the registry answering it runs in this process.
      out = (await promisify(exec)(cmd, { cwd: dir, shell: '/bin/sh', encoding: 'utf8' })).stdout;
    } catch (err) {
      throw new Error(`${cmd}: ${(err as { stderr?: string }).stderr}`);
    }
    expect(out).toContain('sentiment@champion → version 2');
    const anonymous = await fetch(`${registry}/api/2.0/mlflow/registered-models/alias`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sentiment', alias: 'champion', version: '1' }),
    });
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error_code).toBe('UNAUTHENTICATED');
  });
}, 120_000);

it('sets model server tokens and a rate limit from flags (item 5)', async () => {
  const dir = tempDir();
  const r = await runUp(
    dir,
    async (serving) => {
      const send = (token?: string) =>
        fetch(`${serving}/predict`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify({ text: 'fine' }),
        }).then((res) => res.status);
      expect(await send()).toBe(401);
      expect([
        await send('ml-0123456789abcdef'),
        await send('ml-0123456789abcdef'),
        await send('ml-0123456789abcdef'),
      ]).toEqual([200, 200, 429]);
      expect(await send('app-0123456789abcdef')).toBe(200);
    },
    { token: ['ml=ml-0123456789abcdef', 'app=app-0123456789abcdef'], rateLimit: '2/1m' },
  );
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('inference needs a bearer token (2 configured)');
  const io = { stdout: () => {}, stderr: () => {}, cwd: dir };
  const base = { state: '.mlp', host: '127.0.0.1', registryPort: '0', port: '0', challengerPercent: '10' };
  await expect(upCommand({ ...base, rateLimit: 'lots' }, io)).rejects.toThrow(/--rate-limit: expected/);
  await expect(upCommand({ ...base, token: ['short'] }, io)).rejects.toThrow(/--token: a token needs/);
}, 120_000);

it('refuses a second mlp up on the same state folder, naming the first (item 9)', async () => {
  const dir = tempDir();
  await runUp(dir, async () => {
    const second = await mlp(['up', '--state', '.mlp', '--port', '0', '--registry-port', '0'], dir);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(
      new RegExp(`state folder \\.mlp is in use by pid ${process.pid} \\(started \\d{4}-\\d\\d-\\d\\dT`),
    );
  });
  // Released on stop: the next start takes it.
  const again = await runUp(dir, async () => {});
  expect(again.code).toBe(0);
}, 120_000);

it('takes over the lock of a process that died (item 9)', async () => {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { hostname } = await import('node:os');
  const dir = tempDir();
  mkdirSync(join(dir, '.mlp'), { recursive: true });
  // A pid that cannot be alive: above the kernel's pid_max.
  writeFileSync(
    join(dir, '.mlp', 'mlp.lock'),
    JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), started: new Date(0).toISOString() }),
  );
  expect((await runUp(dir, async () => {})).code).toBe(0);
}, 120_000);

it('removes uploads a crash left behind at start (item 14)', async () => {
  const { existsSync, mkdirSync, writeFileSync } = await import('node:fs');
  const dir = tempDir();
  const uploads = join(dir, '.mlp', 'artifacts', '.uploads');
  mkdirSync(uploads, { recursive: true });
  writeFileSync(join(uploads, 'cut-off-by-kill-9'), Buffer.alloc(1000));
  const r = await runUp(dir, async () => {
    expect(existsSync(join(uploads, 'cut-off-by-kill-9'))).toBe(false);
  });
  expect(r.stderr).toContain('removed 1 interrupted upload');
}, 120_000);

describe('npm start under a supervisor (item 10)', () => {
  const portFree = async (url: string) => {
    const { connect } = await import('node:net');
    const { hostname, port } = new URL(url);
    return new Promise<boolean>((resolve) => {
      const s = connect(Number(port), hostname);
      s.once('connect', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(true));
    });
  };

  it.each([
    ['SIGTERM', 'npm'],
    ['SIGHUP', 'npm'],
    ['SIGINT', 'npm'],
    ['SIGHUP', 'node'],
    ['SIGTERM', 'node'],
  ] as const)(
    '%s to %s: the platform drains, exits and frees its ports',
    async (sig, target) => {
      const { spawn } = await import('node:child_process');
      const { existsSync } = await import('node:fs');
      const state = join(tempDir(), 'state');
      const npm = spawn(
        'npm',
        ['run', 'start', '--', '--port', '0', '--registry-port', '0', '--state', state],
        {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      npm.stdout.on('data', (d) => (stdout += d));
      npm.stderr.on('data', (d) => (stderr += d));
      const npmExited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
      await waitFor(() => stdout.includes('model server') || npm.exitCode !== null);
      const serving = /model server\s+(\S+)/.exec(stdout)?.[1];
      const registry = /model registry \(MLflow API\)\s+(\S+)\/api/.exec(stdout)?.[1];
      expect(serving, stderr).toBeDefined();
      const nodePid = JSON.parse(readFileSync(join(state, 'mlp.lock'), 'utf8')).pid as number;
      process.kill(target === 'npm' ? npm.pid! : nodePid, sig);
      await npmExited;
      const alive = () => {
        try {
          process.kill(nodePid, 0);
          return true;
        } catch {
          return false;
        }
      };
      // On failure, say what the process tree looked like: who the node's parent is now.
      const parentOf = () => {
        try {
          return readFileSync(`/proc/${nodePid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1];
        } catch {
          return 'gone';
        }
      };
      expect(
        await waitFor(() => !alive()),
        `node ${nodePid} (npm ${npm.pid}, parent now ${parentOf()}) still runs after ${sig} to ${target}; its stderr:\n${stderr}`,
      ).toBe(true);
      expect(await portFree(serving!)).toBe(true);
      expect(await portFree(registry!)).toBe(true);
      expect(existsSync(join(state, 'mlp.lock'))).toBe(false);
    },
    120_000,
  );
});
