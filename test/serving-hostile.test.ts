// The model server against hostile clients, broken models and sources that point elsewhere.
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModelOnnx } from '../src/model/sentiment.js';
import { RegistryClient } from '../src/registry/client.js';
import { buildServingApp } from '../src/serving/app.js';
import { ModelPool } from '../src/serving/model-pool.js';
import { type Platform, startPlatform, startServer } from './serving-helpers.js';

let platform: Platform;
let app: FastifyInstance;

beforeAll(async () => {
  platform = await startPlatform();
  ({ app } = await startServer(platform));
});
afterAll(async () => {
  await app.close();
  await platform.close();
});

const post = (a: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}) =>
  a.inject({ method: 'POST', url, payload: payload as object, headers });

/** A local HTTP server that counts requests; `handler` answers them. */
async function sideServer(
  handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void,
): Promise<{ origin: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('bearer tokens (item 1)', () => {
  it.each([
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'isPrototypeOf',
    'SECRET-ML',
    'secret-m',
  ])('refuses %j', async (token) => {
    const s = await startServer(platform, { tokens: { 'secret-ml': 'ml-team' } });
    const r = await post(s.app, '/predict', { text: 'a' }, { authorization: `Bearer ${token}` });
    expect(r.statusCode).toBe(401);
    expect(r.json().code).toBe('MLP_UNAUTHORIZED');
    await s.app.close();
  });

  it('accepts configured tokens from a Map, and only those', async () => {
    const s = await startServer(platform, {
      tokens: new Map([
        ['t-ml', 'ml-team'],
        ['t-app', 'app-team'],
      ]),
    });
    for (const t of ['t-ml', 't-app'])
      expect(
        (await post(s.app, '/predict', { text: 'a' }, { authorization: `Bearer ${t}` })).statusCode,
      ).toBe(200);
    expect((await post(s.app, '/predict', { text: 'a' }, { authorization: 'Basic t-ml' })).statusCode).toBe(
      401,
    );
    await s.app.close();
  });
});

describe('rate limit keys (item 2)', () => {
  it('does not give a fresh allowance to a client that varies its Authorization header', async () => {
    const s = await startServer(platform, { rateLimit: { max: 3, timeWindowMs: 60_000 } });
    const codes = [];
    for (let i = 0; i < 6; i++)
      codes.push(
        (await post(s.app, '/predict', { text: 'a' }, { authorization: `Bearer forged-${i}` })).statusCode,
      );
    expect(codes).toEqual([200, 200, 200, 429, 429, 429]);
    await s.app.close();
  });

  it('gives each verified identity its own allowance', async () => {
    const s = await startServer(platform, {
      tokens: { 'tok-a': 'team-a', 'tok-b': 'team-b' },
      rateLimit: { max: 2, timeWindowMs: 60_000 },
    });
    const send = async (t: string) =>
      (await post(s.app, '/predict', { text: 'a' }, { authorization: `Bearer ${t}` })).statusCode;
    expect([await send('tok-a'), await send('tok-a'), await send('tok-a')]).toEqual([200, 200, 429]);
    expect([await send('tok-b'), await send('tok-b'), await send('tok-b')]).toEqual([200, 200, 429]);
    await s.app.close();
  });
});

describe('client input is validated by schema, 4xx never 500 (item 11)', () => {
  const tensor = { name: 'tokens', datatype: 'INT64', shape: [1, 1], data: [1] };
  it.each([
    ['OIP inputs [null]', '/v2/models/sentiment/infer', { inputs: [null] }, 'MLP_INVALID_INPUT'],
    [
      'OIP outputs [null]',
      '/v2/models/sentiment/infer',
      { inputs: [tensor], outputs: [null] },
      'MLP_INVALID_INPUT',
    ],
    ['OIP inputs a string', '/v2/models/sentiment/infer', { inputs: 'x' }, 'MLP_INVALID_INPUT'],
    ['OIP two inputs', '/v2/models/sentiment/infer', { inputs: [tensor, tensor] }, 'MLP_INVALID_INPUT'],
    [
      'OIP shape of strings',
      '/v2/models/sentiment/infer',
      { inputs: [{ ...tensor, shape: ['1', '1'] }] },
      'MLP_TENSOR_SHAPE',
    ],
    [
      'OIP huge shape',
      '/v2/models/sentiment/infer',
      { inputs: [{ ...tensor, shape: [2 ** 40, 1] }] },
      'MLP_TENSOR_SHAPE',
    ],
    [
      'OIP negative shape',
      '/v2/models/sentiment/infer',
      { inputs: [{ ...tensor, shape: [-1, 1] }] },
      'MLP_TENSOR_SHAPE',
    ],
    [
      'OIP datatype a number',
      '/v2/models/sentiment/infer',
      { inputs: [{ ...tensor, datatype: 7 }] },
      'MLP_TENSOR_DATATYPE',
    ],
    [
      'OIP data an object',
      '/v2/models/sentiment/infer',
      { inputs: [{ ...tensor, data: { 0: 1 } }] },
      'MLP_INVALID_INPUT',
    ],
    [
      'OIP name missing',
      '/v2/models/sentiment/infer',
      { inputs: [{ ...tensor, name: undefined }] },
      'MLP_INVALID_INPUT',
    ],
    [
      'OIP id an object',
      '/v2/models/sentiment/infer',
      { id: { a: 1 }, inputs: [tensor] },
      'MLP_INVALID_INPUT',
    ],
    ['OIP body an array', '/v2/models/sentiment/infer', [1], 'MLP_INVALID_INPUT'],
    ['text a number', '/predict', { text: 5 }, 'MLP_INVALID_INPUT'],
    ['text a list', '/predict', { text: ['a'] }, 'MLP_INVALID_INPUT'],
    ['texts of numbers', '/predict/batch', { texts: [1, 2] }, 'MLP_INVALID_INPUT'],
    ['texts a string', '/predict/batch', { texts: 'ab' }, 'MLP_INVALID_INPUT'],
    ['body a string', '/predict', 'hello', 'MLP_INVALID_INPUT'],
  ])('%s → 4xx %s', async (_name, url, body, code) => {
    const r = await app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    expect(r.statusCode, r.body).toBeGreaterThanOrEqual(400);
    expect(r.statusCode, r.body).toBeLessThan(500);
    expect(r.json().code, r.body).toBe(code);
  });

  it('refuses JSON with prototype keys', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/predict',
      headers: { 'content-type': 'application/json' },
      payload: '{"text":"a","__proto__":{"x":1}}',
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('MLP_BAD_REQUEST');
  });
});

describe('Open Inference Protocol details (item 13)', () => {
  it('answers 404 for the readiness of a version nobody serves', async () => {
    const r = await app.inject('/v2/models/sentiment/versions/9/ready');
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe('MLP_VERSION_NOT_FOUND');
    expect((await app.inject('/v2/models/nope/ready')).statusCode).toBe(404);
    expect((await app.inject('/v2/models/sentiment/versions/1/ready')).json()).toEqual({
      name: 'sentiment',
      ready: true,
    });
  });

  it.each([
    [[1, 1], ['good']],
    [[2], ['good', 'bad']],
    [
      [2, 1],
      [['good'], ['bad']],
    ],
    [[1, 2], [['good', 'bad']]],
  ])('accepts a BYTES text tensor of shape %j', async (shape, data) => {
    const r = await post(app, '/v2/models/sentiment/infer', {
      inputs: [{ name: 'text', datatype: 'BYTES', shape, data }],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().outputs[0].shape).toEqual([data.flat().length, 2]);
  });

  it.each([
    ['ragged INT64 whose count matches', 'tokens', 'INT64', [2, 2], [[1, 2, 3], [4]]],
    [
      'nested deeper than the shape',
      'tokens',
      'INT64',
      [2, 2],
      [
        [[1], [2]],
        [[3], [4]],
      ],
    ],
    [
      'nested rows of the wrong length',
      'tokens',
      'INT64',
      [2, 2],
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    ],
    ['BYTES count not the shape', 'text', 'BYTES', [3], ['a', 'b']],
    ['BYTES ragged', 'text', 'BYTES', [2, 2], [['a', 'b', 'c'], ['d']]],
    ['BYTES empty shape', 'text', 'BYTES', [], ['a']],
  ])('refuses %s', async (_name, name, datatype, shape, data) => {
    const r = await post(app, '/v2/models/sentiment/infer', { inputs: [{ name, datatype, shape, data }] });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().code).toBe('MLP_TENSOR_SHAPE');
  });

  it('accepts INT64 data nested exactly to the shape', async () => {
    const r = await post(app, '/v2/models/sentiment/infer', {
      inputs: [
        {
          name: 'tokens',
          datatype: 'INT64',
          shape: [2, 2],
          data: [
            [1, 2],
            [3, 4],
          ],
        },
      ],
    });
    expect(r.statusCode, r.body).toBe(200);
  });
});

describe('a broken model version (item 8)', () => {
  it('is logged, counted and exposed; the old version keeps serving; a restart says why it is not ready', async () => {
    const p = await startPlatform();
    const lines: string[] = [];
    const s = await startServer(p, {
      logger: { level: 'error', stream: { write: (l: string) => lines.push(l) } },
    });
    const bad = await p.client.push('sentiment', new TextEncoder().encode('this is not an ONNX model'));
    await p.client.setAlias('sentiment', 'champion', bad.version);
    await s.pool.refresh();

    // The old version keeps serving.
    const r = await post(s.app, '/predict', { text: 'good' }, { 'x-model-version': 'champion' });
    expect(r.headers['x-model-version']).toBe('1');
    // Logged …
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged.some((l) => l.level === 50 && /version 3 \(champion\) failed to load/.test(l.msg))).toBe(
      true,
    );
    expect(logged.find((l) => l.version === '3')?.err?.message).toMatch(/not an ONNX model/);
    // … counted …
    expect((await s.app.inject('/metrics')).body).toContain(
      'model_load_failures_total{model="sentiment",version="3"} 1',
    );
    // … and exposed.
    const info = (await s.app.inject('/model/info')).json();
    expect(info.load_failures).toMatchObject([{ alias: 'champion', version: '3', attempts: 1 }]);
    expect(info.load_failures[0].error).toMatch(/not an ONNX model/);
    const meta = (await s.app.inject('/v2/models/sentiment')).json();
    expect(meta.parameters.load_failures[0]).toMatchObject({ alias: 'champion', version: '3' });
    const pinned = await post(s.app, '/predict', { text: 'good' }, { 'x-model-version': '3' });
    expect(pinned.statusCode).toBe(404);
    const v3 = await s.app.inject('/v2/models/sentiment/versions/3');
    expect(v3.json().error).toMatch(/version "3" of sentiment failed to load: not an ONNX model/);
    await s.app.close();

    // After a restart nothing good is behind champion: not ready, and it says why.
    await p.client.deleteAlias('sentiment', 'challenger');
    const restarted = await startServer(p);
    const ready = await restarted.app.inject('/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().reason).toMatch(/sentiment@champion → version 3 failed to load: not an ONNX model/);
    expect((await restarted.app.inject('/v2/health/ready')).json().reason).toMatch(/failed to load/);
    expect((await restarted.app.inject('/v2/models/sentiment/ready')).statusCode).toBe(503);
    await restarted.app.close();
    await p.close();
  });

  it('retries a failed version with backoff, not on every poll', async () => {
    const p = await startPlatform();
    let now = 1_000_000;
    const pool = new ModelPool({
      client: p.client,
      model: 'sentiment',
      aliases: ['champion'],
      retryMs: 1000,
      now: () => now,
    });
    const seen: number[] = [];
    pool.onLoadFailure((f) => seen.push(f.attempts));
    const bad = await p.client.push('sentiment', new Uint8Array([1, 2, 3]));
    await p.client.setAlias('sentiment', 'champion', bad.version);
    await pool.refresh();
    await pool.refresh();
    expect(seen).toEqual([1]);
    now += 1000;
    await pool.refresh();
    expect(seen).toEqual([1, 2]);
    now += 1000; // the second wait is 2 s
    await pool.refresh();
    expect(seen).toEqual([1, 2]);
    await pool.close();
    await p.close();
  });
});

describe('where a model is fetched from (item 3, SSRF)', () => {
  it('never fetches a source outside the registry, whatever the version says', async () => {
    const other = await sideServer((_req, res) => res.end(Buffer.from(demoModelOnnx('1'))));
    const s = await startServer(platform, {}, false);
    const sources = [
      `${other.origin}/model.onnx`,
      `http://localhost:${new URL(other.origin).port}/model.onnx`,
      'file:///etc/passwd',
      'mlflow-artifacts:/../../etc/passwd',
      `${platform.registryUrl.replace(/\/$/, '')}/api/2.0/mlflow/registered-models/search`,
    ];
    await platform.registry.store.createRegisteredModel({ name: 'ssrf' });
    const pool = new ModelPool({ client: platform.client, model: 'ssrf', aliases: ['champion'], retryMs: 0 });
    const errors: string[] = [];
    pool.onLoadFailure((f) => errors.push(f.error));
    for (const source of sources) {
      const v = await platform.registry.store.createModelVersion({ name: 'ssrf', source });
      await platform.client.setAlias('ssrf', 'champion', v.version);
      await pool.refresh();
    }
    expect(other.hits()).toBe(0);
    expect(errors).toHaveLength(sources.length);
    expect(errors[0]).toMatch(/outside the registry's artifact store/);
    expect(errors[2]).toMatch(/unsupported model source/);
    await pool.close();
    await s.app.close();
    await other.close();
  });

  it('fetches an allow-listed origin, but follows no redirect from it', async () => {
    const elsewhere = await sideServer((_req, res) => res.end(Buffer.from(demoModelOnnx('1'))));
    const allowed = await sideServer((req, res) => {
      if (req.url === '/redirect') res.writeHead(302, { location: `${elsewhere.origin}/model.onnx` }).end();
      else res.end(Buffer.from(demoModelOnnx('2')));
    });
    const client = new RegistryClient(platform.registryUrl, { allowedSourceOrigins: [allowed.origin] });
    expect((await client.download(`${allowed.origin}/model.onnx`)).length).toBeGreaterThan(100);
    await expect(client.download(`${allowed.origin}/redirect`)).rejects.toThrow();
    expect(elsewhere.hits()).toBe(0);
    await allowed.close();
    await elsewhere.close();
  });
});

describe('the registry client under a hung or hostile artifact server (item 4)', () => {
  it('times out a hung download, and the other aliases still update', async () => {
    const hung = await sideServer((_req, res) => {
      res.writeHead(200, { 'content-length': '1000000' });
      res.write(Buffer.alloc(10));
      // … and never finishes.
    });
    await platform.registry.store.createRegisteredModel({ name: 'hung' });
    const hangs = await platform.registry.store.createModelVersion({
      name: 'hung',
      source: `${hung.origin}/m.onnx`,
    });
    const good = await platform.client.push('hung', demoModelOnnx('2'));
    await platform.client.setAlias('hung', 'champion', hangs.version);
    await platform.client.setAlias('hung', 'challenger', good.version);
    const client = new RegistryClient(platform.registryUrl, {
      allowedSourceOrigins: [hung.origin],
      timeoutMs: 300,
    });
    const pool = new ModelPool({ client, model: 'hung', aliases: ['champion', 'challenger'] });
    const s = buildServingApp({ pool });
    await pool.refresh();
    expect(pool.versionOf('challenger')).toBe(good.version);
    expect(pool.failures().get('champion')?.error).toMatch(/timed out/);
    expect((await s.inject('/metrics')).body).toContain(
      `model_load_failures_total{model="hung",version="${hangs.version}"} 1`,
    );
    await s.close();
    await hung.close();
  });

  it('caps the size of a download', async () => {
    const big = await sideServer((_req, res) => res.end(Buffer.alloc(5000)));
    const client = new RegistryClient(platform.registryUrl, {
      allowedSourceOrigins: [big.origin],
      maxDownloadBytes: 1000,
    });
    await expect(client.download(`${big.origin}/m.onnx`)).rejects.toThrow(/at most 1000/);
    const chunked = await sideServer((_req, res) => {
      res.write(Buffer.alloc(800));
      res.end(Buffer.alloc(800));
    });
    const c2 = new RegistryClient(platform.registryUrl, {
      allowedSourceOrigins: [chunked.origin],
      maxDownloadBytes: 1000,
    });
    await expect(c2.download(`${chunked.origin}/m.onnx`)).rejects.toThrow(/larger than 1000/);
    await big.close();
    await chunked.close();
  });

  it('retries a read that failed with a 5xx, with backoff', async () => {
    let n = 0;
    const flaky = await sideServer((_req, res) => {
      n++;
      if (n < 3) res.writeHead(503).end();
      else res.end(Buffer.alloc(10, 1));
    });
    const client = new RegistryClient(platform.registryUrl, {
      allowedSourceOrigins: [flaky.origin],
      backoffMs: 1,
    });
    expect((await client.download(`${flaky.origin}/m.onnx`)).length).toBe(10);
    expect(flaky.hits()).toBe(3);
    await flaky.close();
  });
});

describe('an unexpected 500 (item 11)', () => {
  it('is always logged, with its trace id, even at the default warn level', async () => {
    const p = await startPlatform();
    const lines: string[] = [];
    const s = await startServer(p, {
      logger: { level: 'warn', stream: { write: (l: string) => lines.push(l) } },
    });
    const m = s.pool.loaded('1')!;
    (m.session as unknown as { run: () => Promise<never> }).run = async () => {
      throw new Error('native failure');
    };
    const traceId = '5bf92f3577b34da6a3ce929d0e0e4736';
    const r = await post(
      s.app,
      '/predict',
      { text: 'x' },
      {
        'x-model-version': '1',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
    );
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ error: 'internal error', code: 'MLP_INTERNAL' });
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 50,
        trace_id: traceId,
        msg: 'request failed',
        err: expect.objectContaining({ message: 'native failure' }),
      }),
    );
    await s.app.close();
    await p.close();
  });
});

it('answers a URL with a bad percent-encoding in its own error shape (item 13)', async () => {
  for (const url of ['/v2/models/%zz', '/v2/models/sentiment/versions/%zz/ready']) {
    const r = await app.inject(url);
    expect(r.statusCode, url).toBe(400);
    expect(r.json(), url).toMatchObject({ code: 'MLP_BAD_REQUEST' });
  }
});

it('does not retry a download that timed out before its headers (item 4)', async () => {
  const silent = await sideServer(() => {
    // Never answers.
  });
  const client = new RegistryClient(platform.registryUrl, {
    allowedSourceOrigins: [silent.origin],
    timeoutMs: 200,
    backoffMs: 1,
  });
  await expect(client.download(`${silent.origin}/m.onnx`)).rejects.toThrow(/timed out after 200 ms/);
  expect(silent.hits()).toBe(1);
  await silent.close();
});
