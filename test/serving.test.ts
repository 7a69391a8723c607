// The model server: /predict, the Open Inference Protocol v2, traffic split, metrics, tracing, limits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatch, VOCAB_SIZE } from '../src/model/featurize.js';
import { SERVING_ERRORS } from '../src/serving/errors.js';
import { ROOT } from './helpers.js';
import { type Platform, startPlatform, startServer } from './serving-helpers.js';

let platform: Platform;
let app: FastifyInstance;
let spans: Awaited<ReturnType<typeof startServer>>['spans'];

beforeAll(async () => {
  platform = await startPlatform();
  ({ app, spans } = await startServer(platform, {
    limits: { maxTextLength: 200, maxBatch: 4 },
    bodyLimit: 4096,
  }));
});
afterAll(async () => {
  await app.close();
  await platform.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, payload: payload as object, headers });

describe('simple API', () => {
  it('predicts sentiment and says which version answered', async () => {
    const r = await post(
      '/predict',
      { text: 'I love this, it is excellent' },
      { 'x-model-version': 'champion' },
    );
    expect(r.statusCode).toBe(200);
    expect(r.headers['x-model-version']).toBe('1');
    expect(r.json()).toMatchObject({ label: 'positive', model: 'sentiment', model_version: '1' });
    expect(r.json().probabilities.positive + r.json().probabilities.negative).toBeCloseTo(1, 5);
    expect(
      (await post('/predict', { text: 'terrible and broken' }, { 'x-model-version': '1' })).json().label,
    ).toBe('negative');
  });

  it('serves the challenger on request, and v2 understands negation where v1 does not', async () => {
    const v1 = (await post('/predict', { text: 'this is not good' }, { 'x-model-version': '1' })).json();
    const v2 = (
      await post('/predict', { text: 'this is not good' }, { 'x-model-version': 'challenger' })
    ).json();
    expect(v2).toMatchObject({ model_version: '2', label: 'negative' });
    expect(v1.model_version).toBe('1');
    expect(v2.probabilities.negative).toBeGreaterThan(v1.probabilities.negative);
  });

  it('splits traffic: about 10 % of unpinned requests go to the challenger', async () => {
    const versions = await Promise.all(
      Array.from({ length: 400 }, () =>
        post('/predict', { text: 'fine' }).then((r) => r.headers['x-model-version']),
      ),
    );
    const challenger = versions.filter((v) => v === '2').length;
    expect(challenger).toBeGreaterThan(20);
    expect(challenger).toBeLessThan(65);
  });

  it('predicts a batch', async () => {
    const r = await post('/predict/batch', { texts: ['great', 'awful'] }, { 'x-model-version': '2' });
    expect(r.json().predictions.map((p: { label: string }) => p.label)).toEqual(['positive', 'negative']);
  });

  it('reports health, readiness and model info', async () => {
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/ready')).json()).toEqual({
      ready: true,
      versions: { champion: '1', challenger: '2' },
    });
    const info = (await app.inject('/model/info')).json();
    expect(info).toMatchObject({
      model_name: 'sentiment',
      ready: true,
      traffic: { champion: 90, challenger: 10, header: 'x-model-version' },
    });
    expect(info.versions.map((v: { alias: string; version: string }) => `${v.alias}=${v.version}`)).toEqual([
      'champion=1',
      'challenger=2',
    ]);
  });

  it('exports metrics whose labels the SLO queries match', async () => {
    await post('/predict', { text: 'x'.repeat(500) });
    const text = (await app.inject('/metrics')).body;
    expect(text).toMatch(/inference_requests_total\{model="sentiment",version="1",code="200"\} \d+/);
    expect(text).toMatch(/inference_requests_total\{model="sentiment",version="none",code="422"\} 1/);
    expect(text).toContain(
      'inference_request_duration_seconds_bucket{le="0.2",model="sentiment",version="1"}',
    );
    expect(text).toContain(
      'inference_request_duration_seconds_bucket{le="0.5",model="sentiment",version="1"}',
    );
    expect(text).toContain('inference_in_flight_requests{model="sentiment"} 0');
    expect(text).toContain('# TYPE model_load_failures_total counter');
  });
});

describe('Open Inference Protocol v2', () => {
  const tokens = (texts: string[]) => {
    const { ids, length } = encodeBatch(texts);
    return {
      name: 'tokens',
      datatype: 'INT64',
      shape: [texts.length, length],
      data: Array.from(ids, Number),
    };
  };

  it('answers health, server and model metadata', async () => {
    expect((await app.inject('/v2/health/live')).json()).toEqual({ live: true });
    expect((await app.inject('/v2/health/ready')).json()).toEqual({ ready: true });
    expect((await app.inject('/v2')).json()).toEqual({
      name: 'mlp-model-server',
      version: '0.1.0',
      extensions: [],
    });
    const meta = (await app.inject('/v2/models/sentiment')).json();
    expect(meta).toEqual({
      name: 'sentiment',
      versions: ['1', '2'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'tokens', datatype: 'INT64', shape: [-1, -1] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
    });
    expect((await app.inject('/v2/models/sentiment/versions/2')).statusCode).toBe(200);
    expect((await app.inject('/v2/models/sentiment/versions/2/ready')).json()).toEqual({
      name: 'sentiment',
      ready: true,
    });
    expect((await app.inject('/v2/models/sentiment/versions/7/ready')).statusCode).toBe(404);
  });

  it('infers on token tensors, with and without a version, echoing the id', async () => {
    const r = await post('/v2/models/sentiment/versions/2/infer', {
      id: 'req-1',
      inputs: [tokens(['not bad at all', 'awful'])],
    });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({
      model_name: 'sentiment',
      model_version: '2',
      id: 'req-1',
      outputs: [{ name: 'probabilities', shape: [2, 2], datatype: 'FP32' }],
    });
    const [neg0, pos0, neg1, pos1] = body.outputs[0].data;
    expect(pos0).toBeGreaterThan(neg0);
    expect(neg1).toBeGreaterThan(pos1);
    const unversioned = await post(
      '/v2/models/sentiment/infer',
      { inputs: [tokens(['great'])] },
      { 'x-model-version': '1' },
    );
    expect(unversioned.json().model_version).toBe('1');
  });

  it('infers on a BYTES text tensor', async () => {
    const r = await post('/v2/models/sentiment/infer', {
      inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['wonderful'] }],
    });
    expect(r.json().outputs[0].data[1]).toBeGreaterThan(0.5);
  });

  it.each([
    ['wrong datatype', { inputs: [{ ...tokens(['a']), datatype: 'FP32' }] }, 422, 'MLP_TENSOR_DATATYPE'],
    ['shape/data mismatch', { inputs: [{ ...tokens(['a b']), shape: [1, 5] }] }, 422, 'MLP_TENSOR_SHAPE'],
    ['1-D shape', { inputs: [{ ...tokens(['a']), shape: [1] }] }, 422, 'MLP_TENSOR_SHAPE'],
    [
      'token id out of range',
      { inputs: [{ name: 'tokens', datatype: 'INT64', shape: [1, 1], data: [VOCAB_SIZE] }] },
      422,
      'MLP_TENSOR_DATATYPE',
    ],
    [
      'batch too large',
      { inputs: [{ name: 'tokens', datatype: 'INT64', shape: [5, 1], data: [1, 2, 3, 4, 5] }] },
      422,
      'MLP_BATCH_TOO_LARGE',
    ],
    [
      'unknown input',
      { inputs: [{ name: 'pixels', datatype: 'FP32', shape: [1], data: [1] }] },
      422,
      'MLP_INVALID_INPUT',
    ],
    ['no inputs', {}, 422, 'MLP_INVALID_INPUT'],
    ['unknown output', { inputs: [tokens(['a'])], outputs: [{ name: 'logits' }] }, 422, 'MLP_INVALID_INPUT'],
  ])('rejects %s', async (_name, body, status, code) => {
    const r = await post('/v2/models/sentiment/infer', body);
    expect(r.statusCode).toBe(status);
    expect(r.json().code).toBe(code);
  });

  it('404s unknown models and versions', async () => {
    expect((await post('/v2/models/nope/infer', { inputs: [tokens(['a'])] })).json().code).toBe(
      'MLP_MODEL_NOT_FOUND',
    );
    expect(
      (await post('/v2/models/sentiment/versions/9/infer', { inputs: [tokens(['a'])] })).json().code,
    ).toBe('MLP_VERSION_NOT_FOUND');
    expect((await app.inject('/v2/models/nope')).statusCode).toBe(404);
  });
});

describe('bad input on the simple API', () => {
  it.each([
    [
      'malformed JSON',
      () =>
        app.inject({
          method: 'POST',
          url: '/predict',
          headers: { 'content-type': 'application/json' },
          payload: '{"text": ',
        }),
      400,
      'MLP_BAD_REQUEST',
    ],
    ['oversize body', () => post('/predict', { text: 'a'.repeat(5000) }), 413, 'MLP_PAYLOAD_TOO_LARGE'],
    ['text too long', () => post('/predict', { text: 'a'.repeat(201) }), 422, 'MLP_TEXT_TOO_LONG'],
    ['missing text', () => post('/predict', {}), 422, 'MLP_INVALID_INPUT'],
    ['text not a string', () => post('/predict', { text: 5 }), 422, 'MLP_INVALID_INPUT'],
    [
      'batch too large',
      () => post('/predict/batch', { texts: ['a', 'b', 'c', 'd', 'e'] }),
      422,
      'MLP_BATCH_TOO_LARGE',
    ],
    [
      'unknown version',
      () => post('/predict', { text: 'a' }, { 'x-model-version': '3' }),
      404,
      'MLP_VERSION_NOT_FOUND',
    ],
    [
      'text/plain body',
      () =>
        app.inject({
          method: 'POST',
          url: '/predict',
          headers: { 'content-type': 'text/plain' },
          payload: 'hi',
        }),
      415,
      'MLP_UNSUPPORTED_MEDIA_TYPE',
    ],
    ['unknown route', () => app.inject('/nope'), 404, 'MLP_ROUTE_NOT_FOUND'],
  ])('%s → %s %s', async (_name, send, status, code) => {
    const r = await send();
    expect(r.statusCode).toBe(status);
    expect(r.json().code).toBe(code);
  });
});

describe('tracing', () => {
  it("continues the caller's W3C trace", async () => {
    spans.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await post('/predict', { text: 'good' }, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const finished = spans.getFinishedSpans();
    const server = finished.find((s) => s.name === 'POST /predict')!;
    expect(server.spanContext().traceId).toBe(traceId);
    expect(server.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    const infer = finished.find((s) => s.name === 'model.infer')!;
    expect(infer.spanContext().traceId).toBe(traceId);
    expect(infer.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
  });
});

describe('security and readiness', () => {
  it('requires a bearer token when tokens are configured', async () => {
    const s = await startServer(platform, { tokens: { 'secret-ml': 'ml-team' } });
    expect(
      (await s.app.inject({ method: 'POST', url: '/predict', payload: { text: 'a' } })).json().code,
    ).toBe('MLP_UNAUTHORIZED');
    expect(
      (
        await s.app.inject({
          method: 'POST',
          url: '/predict',
          payload: { text: 'a' },
          headers: { authorization: 'Bearer wrong' },
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await s.app.inject({
          method: 'POST',
          url: '/predict',
          payload: { text: 'a' },
          headers: { authorization: 'Bearer secret-ml' },
        })
      ).statusCode,
    ).toBe(200);
    expect((await s.app.inject('/health')).statusCode).toBe(200);
    await s.app.close();
  });

  it('rate-limits per client', async () => {
    const s = await startServer(platform, { rateLimit: { max: 3, timeWindowMs: 60_000 } });
    const codes = [];
    for (let i = 0; i < 5; i++)
      codes.push(
        (await s.app.inject({ method: 'POST', url: '/predict', payload: { text: 'a' } })).statusCode,
      );
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    expect(
      (await s.app.inject({ method: 'POST', url: '/predict', payload: { text: 'a' } })).json().code,
    ).toBe('MLP_RATE_LIMITED');
    await s.app.close();
  });

  it('is not ready until a model is loaded', async () => {
    const s = await startServer(platform, {}, false);
    expect((await s.app.inject('/ready')).statusCode).toBe(503);
    expect((await s.app.inject('/v2/health/ready')).statusCode).toBe(503);
    const r = await s.app.inject({ method: 'POST', url: '/predict', payload: { text: 'a' } });
    expect(r.statusCode).toBe(503);
    expect(r.json().code).toBe('MLP_MODEL_NOT_READY');
    await s.pool.refresh();
    expect((await s.app.inject('/ready')).statusCode).toBe(200);
    await s.app.close();
  });
});

it('documents every error code in docs/errors.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
  for (const [code, status] of Object.entries(SERVING_ERRORS))
    expect(doc).toContain(`| \`${code}\` | ${status} |`);
});

describe('observability export', () => {
  it('exports spans over OTLP/HTTP and writes JSON logs that carry the trace id', async () => {
    const { createServer } = await import('node:http');
    const { createTracing } = await import('../src/serving/tracing.js');
    const bodies: string[] = [];
    const collector = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/v1/traces') bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const port = (collector.address() as { port: number }).port;
    const lines: string[] = [];
    const s = await startServer(platform, {
      tracing: createTracing({ otlpEndpoint: `http://127.0.0.1:${port}` }),
      logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
    });
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    await s.app.inject({
      method: 'POST',
      url: '/predict',
      payload: { text: 'good' },
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    await s.app.close(); // flushes the batch span processor
    collector.close();
    expect(bodies.join('')).toContain(traceId);
    expect(bodies.join('')).toContain('model.infer');
    const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.trace_id === traceId);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.some((l) => l.msg === 'request completed')).toBe(true);
  });
});
