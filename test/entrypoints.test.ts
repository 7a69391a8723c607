// The in-cluster image's entrypoints as child processes, configured the way the rendered
// manifests configure them: `mlp registry serve` on a real PostgreSQL database and an S3 bucket
// (s3rver: MinIO cannot run here) from environment variables only, and `mlp serve` following it.
// Both start on free ports, answer their probes, follow the registry's aliases and live weight,
// write nothing into their working folder, and drain on SIGTERM with exit code 0.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryServeCommand } from '../src/cli/commands/registry-serve.js';
import { demoModelOnnx } from '../src/model/sentiment.js';
import { RegistryClient } from '../src/registry/client.js';
import { parsePromText } from '../src/rollout/prom-text.js';
import { CHALLENGER_PERCENT_TAG } from '../src/serving/weight.js';
import { mlp, POSTGRES_URL, ROOT, tempDir, waitFor } from './helpers.js';
import { startS3rver } from './s3rver.js';

const TOKEN = 'entrypoint-test-token-0123456789';

interface Child {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly output: () => { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
}

/** Starts `mlp ARGS` from bin/ (the compiled CLI, as in the image) and waits for its URL. */
async function start(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Child> {
  expect(existsSync(join(ROOT, 'dist', 'cli', 'main.js')), 'dist/ is missing: run npm run build').toBe(true);
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'mlp.js'), ...args], {
    cwd,
    // Only what a container would have: no inherited DATABASE_URL, tokens or AWS keys.
    env: { PATH: process.env.PATH, HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  await waitFor(() => / listening on \S+/.test(stdout) || proc.exitCode !== null);
  const url = / listening on (http:\/\/[^\s,]+)/.exec(stdout)?.[1];
  expect(url, `${args.join(' ')} did not start:\n${stderr}`).toBeDefined();
  return { proc, url: url!, output: () => ({ stdout, stderr }), exited };
}

let s3: S3rver;
let s3Endpoint: string;
const database = `mlp_entry_${randomUUID().slice(0, 8)}`;
let databaseUrl: string;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  ({ server: s3, endpoint: s3Endpoint } = await startS3rver());
  await admin((c) => c.query(`create database "${database}"`));
  const u = new URL(POSTGRES_URL);
  u.pathname = `/${database}`;
  databaseUrl = u.toString();
});

afterAll(async () => {
  await s3?.close();
  await admin((c) => c.query(`drop database if exists "${database}" with (force)`)).catch(() => {});
});

describe('mlp registry serve + mlp serve as the cluster runs them', () => {
  it('serve the registry aliases at the live weight, write nothing locally, drain on SIGTERM', async () => {
    const cwd = tempDir();
    const registry = await start(
      ['registry', 'serve', '--host', '127.0.0.1', '--port', '0'],
      {
        DATABASE_URL: databaseUrl,
        MLP_ARTIFACTS_URI: 's3://mlp-artifacts/registry',
        MLP_S3_ENDPOINT: s3Endpoint,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_REGION: 'us-east-1',
        MLP_REGISTRY_TOKEN: TOKEN,
      },
      cwd,
    );
    let server: Child | undefined;
    try {
      expect(registry.output().stdout).toContain('PostgreSQL, artifacts in s3://mlp-artifacts/registry');
      // The database URL (with its password, in a cluster) is never echoed.
      expect(JSON.stringify(registry.output())).not.toContain(databaseUrl);
      expect((await fetch(`${registry.url}/health`)).status).toBe(200);

      // Writes need the token; with it, two versions land in PostgreSQL + the bucket.
      const anonymous = new RegistryClient(registry.url);
      await expect(anonymous.push('sentiment', demoModelOnnx('1'))).rejects.toThrow(/UNAUTHENTICATED/);
      const client = new RegistryClient(registry.url, { token: TOKEN });
      const v1 = await client.push('sentiment', demoModelOnnx('1'));
      const v2 = await client.push('sentiment', demoModelOnnx('2'));
      expect(v1.source).toMatch(/^mlflow-artifacts:\/models\/sentiment\//);
      await client.setAlias('sentiment', 'champion', v1.version);
      const rows = await admin(async (c) => {
        await c.query(`select 1`);
        const other = new pg.Client({ connectionString: databaseUrl });
        await other.connect();
        try {
          return (await other.query('select name, version from model_versions order by version')).rows;
        } finally {
          await other.end();
        }
      });
      expect(rows).toEqual([
        { name: 'sentiment', version: 1 },
        { name: 'sentiment', version: 2 },
      ]);

      // The registry's /metrics (its ServiceMonitor scrapes it): route templates, never raw paths.
      await fetch(`${registry.url}/no/such/${randomUUID()}`);
      const exposition = await (await fetch(`${registry.url}/metrics`)).text();
      const samples = parsePromText(exposition);
      const created = samples.find(
        (m) =>
          m.name === 'registry_http_requests_total' &&
          m.labels.get('route') === '/api/2.0/mlflow/model-versions/create' &&
          m.labels.get('code') === '200',
      );
      expect(created?.value).toBe(2);
      expect(samples.some((m) => m.labels.get('route') === 'unmatched')).toBe(true);
      expect(exposition).not.toContain('/no/such/');

      server = await start(
        [
          'serve',
          '--model',
          'sentiment',
          '--registry',
          registry.url,
          '--host',
          '127.0.0.1',
          '--port',
          '0',
          '--poll-interval',
          '200ms',
        ],
        {},
        cwd,
      );
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect(await waitFor(async () => (await fetch(`${server!.url}/ready`)).status === 200)).toBe(true);
      const predict = async () =>
        (
          await fetch(`${server!.url}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ text: 'not bad at all' }),
          })
        ).json() as Promise<{ model_version?: string }>;
      expect((await predict()).model_version).toBe('1');

      // The challenger's weight is registry state: the same control as for `mlp up`.
      await client.setAlias('sentiment', 'challenger', v2.version);
      await client.setModelTag('sentiment', CHALLENGER_PERCENT_TAG, '100');
      expect(await waitFor(async () => (await predict()).model_version === '2')).toBe(true);
      const info = (await (await fetch(`${server.url}/model/info`)).json()) as {
        traffic: { challenger: number };
      };
      expect(info.traffic.challenger).toBe(100);
      // A weight that is not a percentage is ignored: the server's default (0 %) applies.
      await client.setModelTag('sentiment', CHALLENGER_PERCENT_TAG, '1e2');
      expect(await waitFor(async () => (await predict()).model_version === '1')).toBe(true);
      await waitFor(() => /expected a percentage 0-100/.test(server!.output().stderr));
      expect(server.output().stderr).toContain('mlp.challenger_percent');

      // SIGTERM: both drain and exit 0.
      server.proc.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      expect(server.output().stderr).toContain('mlp serve: stopped cleanly');
      server = undefined;
      registry.proc.kill('SIGTERM');
      expect(await registry.exited).toBe(0);
      expect(registry.output().stderr).toContain('mlp registry serve: stopped cleanly');
      // Nothing was written where they ran (the image's root filesystem is read-only).
      expect(readdirSync(cwd)).toEqual([]);
    } finally {
      server?.proc.kill('SIGKILL');
      if (registry.proc.exitCode === null) registry.proc.kill('SIGKILL');
    }
  });

  it('mlp serve reports not ready, with the reason, while the registry is unreachable', async () => {
    const cwd = tempDir();
    const server = await start(
      [
        'serve',
        '--model',
        'sentiment',
        '--registry',
        'http://127.0.0.1:9',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
      ],
      {},
      cwd,
    );
    try {
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      const ready = await fetch(`${server.url}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reason: string }).reason).toMatch(/sentiment/);
      server.proc.kill('SIGINT');
      expect(await server.exited).toBe(0);
    } finally {
      if (server.proc.exitCode === null) server.proc.kill('SIGKILL');
    }
  });
});

describe('refusals, with the reason', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' };
    return {
      out,
      io: {
        stdout: (t: string) => (out.stdout += t),
        stderr: (t: string) => (out.stderr += t),
        cwd: tempDir(),
      },
    };
  };
  const base = { host: '127.0.0.1', port: '0', shutdownDelay: '0s' };

  it('mlp registry serve: no token, no database, bad URLs', async () => {
    const env = { DATABASE_URL: 'postgres://x@127.0.0.1:1/x', MLP_ARTIFACTS_URI: 's3://b/p' };
    await expect(registryServeCommand(base, io().io, undefined, env)).rejects.toThrow(
      /no write token: set MLP_REGISTRY_TOKEN .*--insecure-open-writes/,
    );
    await expect(
      registryServeCommand(base, io().io, undefined, { MLP_REGISTRY_TOKEN: TOKEN }),
    ).rejects.toThrow(/set DATABASE_URL/);
    await expect(
      registryServeCommand(base, io().io, undefined, {
        ...env,
        DATABASE_URL: 'mysql://x',
        MLP_REGISTRY_TOKEN: TOKEN,
      }),
    ).rejects.toThrow(/DATABASE_URL: expected postgres/);
    await expect(
      registryServeCommand(base, io().io, undefined, {
        ...env,
        MLP_ARTIFACTS_URI: '/data',
        MLP_REGISTRY_TOKEN: TOKEN,
      }),
    ).rejects.toThrow(/MLP_ARTIFACTS_URI: expected s3:/);
    await expect(
      registryServeCommand(base, io().io, undefined, { ...env, MLP_REGISTRY_TOKEN: 'short' }),
    ).rejects.toThrow(/16-4096 printable/);
    await expect(
      registryServeCommand(base, io().io, undefined, {
        ...env,
        MLP_REGISTRY_TOKEN: TOKEN,
        MLP_REGISTRY_TOKEN_FILE: '/nonexistent',
      }),
    ).rejects.toThrow(/not both/);
    await expect(
      registryServeCommand(base, io().io, undefined, {
        ...env,
        MLP_REGISTRY_TOKEN_FILE: '/nonexistent/token',
      }),
    ).rejects.toThrow(/cannot read \/nonexistent\/token \(ENOENT\)/);
    // A database that does not answer: located, and the URL (a password, in a cluster) not echoed.
    const secretUrl = 'postgres://user:hunter2hunter2@127.0.0.1:1/x';
    const err = await registryServeCommand(base, io().io, undefined, {
      ...env,
      DATABASE_URL: secretUrl,
      MLP_REGISTRY_TOKEN: TOKEN,
    }).catch((e: Error) => e);
    expect(String(err)).toMatch(/cannot open the registry database/);
    expect(String(err)).not.toContain('hunter2');
  });

  it('mlp serve: hostile flags', async () => {
    const cases: [string[], RegExp][] = [
      [['--model', 'a\u0000b', '--registry', 'http://r:5000'], /--model: expected a registered model name/],
      [['--model', 'm', '--registry', 'file:///etc/passwd'], /--registry: expected an http\(s\) URL/],
      [['--model', 'm', '--registry', 'http://u:p@r:5000'], /no credentials in the URL/],
      [['--model', 'm', '--registry', 'not a url'], /--registry: not a URL/],
      [
        ['--model', 'm', '--registry', 'http://r', '--poll-interval', '1e3'],
        /--poll-interval: expected a duration/,
      ],
      [
        ['--model', 'm', '--registry', 'http://r', '--poll-interval', '5ms'],
        /--poll-interval: expected a duration/,
      ],
      [['--model', 'm', '--registry', 'http://r', '--challenger-percent', '101'], /--challenger-percent/],
      [['--model', 'm', '--registry', 'http://r', '--port', '70000'], /--port: expected a port/],
      [['--model', 'm', '--registry', 'http://r', '--token', 'short'], /at least 16 printable/],
    ];
    for (const [args, message] of cases) {
      const r = await mlp(['serve', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const help = await mlp(['serve', '--help']);
    expect(help.stdout).toContain('--shutdown-delay');
    expect((await mlp(['registry', 'serve', '--help'])).stdout).toContain('MLP_REGISTRY_TOKEN');
  });
});
