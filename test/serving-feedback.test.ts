// The model server's A/B plumbing on real ONNX models: request ids on every inference response,
// sticky assignment by x-user-id, POST /feedback attributed to the serving version, GET
// /experiment, the Prometheus counters, and what hostile clients send (bad ids, prototype keys,
// huge and non-UTF-8 headers, replayed feedback). Raw sockets where inject() cannot send the bytes.
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoModelOnnx } from '../src/model/sentiment.js';
import { FeedbackLog } from '../src/serving/feedback.js';
import { type Platform, startPlatform, startServer } from './serving-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TEXT_INPUT = { name: 'text', shape: [1], datatype: 'BYTES', data: ['great'] };

let platform: Platform;
let app: FastifyInstance;
let pool: Awaited<ReturnType<typeof startServer>>['pool'];

beforeAll(async () => {
  platform = await startPlatform();
  ({ app, pool } = await startServer(platform, { split: { challengerPercent: 50 } }));
}, 120_000);
afterAll(async () => {
  await app?.close();
  await platform?.close();
});

const predict = (headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/predict', headers, payload: { text: 'fine' } });
const feedback = (payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url: '/feedback',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
const experiment = async () => (await app.inject('/experiment')).json();

/** One raw HTTP/1.1 request (bytes as given), the status line and headers of the answer. */
function raw(port: number, head: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
    // write, not end: a half-closed socket makes Node drop a response still being computed.
    socket.write(head);
  });
}
const rawPredict = (port: number, extraHeaders: Buffer) =>
  raw(
    port,
    Buffer.concat([
      Buffer.from(
        'POST /predict HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: 15\r\n',
      ),
      extraHeaders,
      Buffer.from('\r\n{"text":"fine"}'),
    ]),
  );

describe('request ids', () => {
  it('every inference response carries one, in the header and the body; ours are random UUIDs', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await predict();
      expect(r.statusCode).toBe(200);
      const id = r.headers['x-request-id'] as string;
      expect(id).toMatch(UUID);
      expect(r.json().requestId).toBe(id);
      ids.add(id);
    }
    expect(ids.size).toBe(20);
    const batch = await app.inject({ method: 'POST', url: '/predict/batch', payload: { texts: ['a', 'b'] } });
    expect(batch.json().requestId).toBe(batch.headers['x-request-id']);
    expect(batch.json().requestId).toMatch(UUID);
    // OIP: no id in the request → ours in `id`.
    const oip = await app.inject({
      method: 'POST',
      url: '/v2/models/sentiment/infer',
      payload: { inputs: [TEXT_INPUT] },
    });
    expect(oip.statusCode).toBe(200);
    expect(oip.json().id).toBe(oip.headers['x-request-id']);
    expect(oip.json().id).toMatch(UUID);
    // Errors too: a refused body still has an id to quote.
    const bad = await app.inject({ method: 'POST', url: '/predict', payload: { text: 42 } });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['x-request-id']).toMatch(UUID);
  });

  it('a client id is echoed when short printable ASCII, and is what feedback takes', async () => {
    const r = await predict({ 'x-request-id': 'client-1.a:B_9' });
    expect(r.headers['x-request-id']).toBe('client-1.a:B_9');
    expect(r.json().requestId).toBe('client-1.a:B_9');
    expect((await feedback({ requestId: 'client-1.a:B_9', outcome: 1 })).statusCode).toBe(200);
    // OIP: the request's `id` is echoed and, with no header, is the request id.
    const oip = await app.inject({
      method: 'POST',
      url: '/v2/models/sentiment/infer',
      payload: { id: 'oip-7', inputs: [TEXT_INPUT] },
    });
    expect(oip.json().id).toBe('oip-7');
    expect(oip.headers['x-request-id']).toBe('oip-7');
    expect((await feedback({ requestId: 'oip-7', outcome: false })).json()).toMatchObject({
      requestId: 'oip-7',
      outcome: 'negative',
    });
    // An OIP id we cannot use as a handle is still echoed (the protocol says so); the header has ours.
    const odd = await app.inject({
      method: 'POST',
      url: '/v2/models/sentiment/infer',
      payload: { id: 'has spaces ü', inputs: [TEXT_INPUT] },
    });
    expect(odd.json().id).toBe('has spaces ü');
    expect(odd.headers['x-request-id']).toMatch(UUID);
  });

  it('refuses bad client ids with 400 MLP_INVALID_REQUEST_ID, and answers with a fresh id', async () => {
    for (const id of ['', 'x'.repeat(129), 'a b', 'a/b', '../x', 'ü', '<script>']) {
      const r = await app.inject({
        method: 'POST',
        url: '/predict',
        headers: { 'x-request-id': id },
        payload: { text: 'a' },
      });
      expect(r.statusCode, id).toBe(400);
      expect(r.json().code).toBe('MLP_INVALID_REQUEST_ID');
      expect(r.headers['x-request-id']).toMatch(UUID);
    }
    expect((await predict({ 'x-request-id': 'x'.repeat(128) })).statusCode).toBe(200);
  });

  it('a reused client id keeps its first attribution', async () => {
    const first = await predict({ 'x-request-id': 'reused-1', 'x-model-version': '1' });
    const second = await predict({ 'x-request-id': 'reused-1', 'x-model-version': '2' });
    expect([first.json().model_version, second.json().model_version]).toEqual(['1', '2']);
    expect((await feedback({ requestId: 'reused-1', outcome: true })).json().version).toBe('1');
  });
});

describe('sticky assignment by x-user-id', () => {
  it('the same user always gets the same version; the split is about as configured', async () => {
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const seen = new Map<string, Set<string>>();
    for (let round = 0; round < 3; round++) {
      for (const u of users) {
        const r = await predict({ 'x-user-id': u });
        expect(r.statusCode).toBe(200);
        const versions = seen.get(u) ?? new Set();
        versions.add(r.json().model_version);
        seen.set(u, versions);
      }
    }
    for (const [u, versions] of seen) expect(versions.size, u).toBe(1);
    const challengers = [...seen.values()].filter((v) => v.has('2')).length;
    // Binomial(200, 0.5): sd ≈ 7.1; ± 4 sd.
    expect(challengers).toBeGreaterThan(100 - 29);
    expect(challengers).toBeLessThan(100 + 29);
    // x-model-version still overrides, and a pinned request is not part of the experiment.
    const before = await experiment();
    const pinned = await predict({ 'x-user-id': 'user-0', 'x-model-version': 'challenger' });
    expect(pinned.json().model_version).toBe('2');
    const after = await experiment();
    expect(after.challenger.assigned + after.champion.assigned).toBe(
      before.challenger.assigned + before.champion.assigned,
    );
    expect((await feedback({ requestId: pinned.json().requestId, outcome: 1 })).json().counted).toBe(false);
  });

  it('refuses empty, repeated and over-long keys; hashes non-UTF-8 bytes stickily', async () => {
    const port = await listen();
    expect((await predict({ 'x-user-id': '' })).json().code).toBe('MLP_INVALID_USER_ID');
    const long = await predict({ 'x-user-id': 'u'.repeat(257) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error).toContain('at most 256');
    expect((await predict({ 'x-user-id': 'u'.repeat(256) })).statusCode).toBe(200);
    // Repeated header: Node would join it into one key "a, b"; refused instead.
    const twice = await rawPredict(port, Buffer.from('x-user-id: a\r\nx-user-id: b\r\n'));
    expect(twice).toMatch(/^HTTP\/1\.1 400/);
    expect(twice).toContain('MLP_INVALID_USER_ID');
    const twiceId = await rawPredict(port, Buffer.from('x-request-id: a\r\nx-request-id: b\r\n'));
    expect(twiceId).toContain('MLP_INVALID_REQUEST_ID');
    // Bytes that are not UTF-8: served, and the same bytes get the same version every time.
    const bytes = Buffer.from([0x78, 0x2d, 0xff, 0xfe, 0xc3, 0x28, 0x80]);
    const versions = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await rawPredict(
        port,
        Buffer.concat([Buffer.from('x-user-id: '), bytes, Buffer.from('\r\n')]),
      );
      expect(r).toMatch(/^HTTP\/1\.1 200/);
      versions.add(/x-model-version: (\S+)/.exec(r)![1]!);
    }
    expect(versions.size).toBe(1);
    // A header past Node's 16 KiB limit never reaches us: Node answers 431 itself.
    const huge = await rawPredict(port, Buffer.from(`x-user-id: ${'u'.repeat(20_000)}\r\n`));
    expect(huge).toMatch(/^HTTP\/1\.1 431/);
  });

  it('a new challenger reshuffles users (the salt names both versions)', async () => {
    const assign = async () => {
      const out: string[] = [];
      for (let i = 0; i < 100; i++)
        out.push((await predict({ 'x-user-id': `shuffle-${i}` })).json().model_version === '1' ? 'A' : 'B');
      return out;
    };
    const before = await assign();
    await platform.client.push('sentiment', demoModelOnnx('2'));
    await platform.client.setAlias('sentiment', 'challenger', '3');
    await pool.refresh();
    const after = await assign();
    await platform.client.setAlias('sentiment', 'challenger', '2');
    await pool.refresh();
    // Same users in arm B under v3 as under v2 would mean the salt ignored the version.
    const moved = before.filter((b, i) => b !== after[i]).length;
    expect(moved).toBeGreaterThan(20);
    // And back to v2: the old assignment exactly.
    expect(await assign()).toEqual(before);
  });
});

describe('POST /feedback and GET /experiment', () => {
  it('counts outcomes per version, once per request id; exports them to Prometheus', async () => {
    const base = await experiment();
    expect(base).toMatchObject({ model: 'sentiment', split: [50, 50] });
    expect(base.champion.version).toBe('1');
    expect(base.challenger.version).toBe('2');
    const served: { id: string; version: string }[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await predict({ 'x-user-id': `fb-${i}` });
      served.push({ id: r.json().requestId, version: r.json().model_version });
    }
    // Positive for every challenger request, negative for champion ones, 0/1 and booleans mixed.
    for (const [i, s] of served.entries()) {
      const outcome = s.version === '2' ? (i % 2 ? true : 1) : i % 2 ? false : 0;
      const r = await feedback({ requestId: s.id, outcome });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({
        requestId: s.id,
        model: 'sentiment',
        version: s.version,
        outcome: s.version === '2' ? 'positive' : 'negative',
        counted: true,
      });
    }
    const n2 = served.filter((s) => s.version === '2').length;
    const now = await experiment();
    expect(now.challenger.assigned - base.challenger.assigned).toBe(n2);
    expect(now.champion.assigned - base.champion.assigned).toBe(40 - n2);
    expect(now.challenger.feedback - base.challenger.feedback).toBe(n2);
    expect(now.challenger.conversions - base.challenger.conversions).toBe(n2);
    expect(now.champion.feedback - base.champion.feedback).toBe(40 - n2);
    expect(now.champion.conversions - base.champion.conversions).toBe(0);

    const again = await feedback({ requestId: served[0]!.id, outcome: true });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('MLP_FEEDBACK_CONFLICT');
    expect((await experiment()).challenger.conversions).toBe(now.challenger.conversions);

    const metrics = (await app.inject('/metrics')).body;
    const value = (series: string) =>
      Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);
    expect(value('inference_experiment_assignments_total{model="sentiment",version="2"}')).toBe(
      now.challenger.assigned,
    );
    expect(value('inference_feedback_total{model="sentiment",version="2",outcome="positive"}')).toBe(
      now.challenger.conversions,
    );
    expect(value('inference_feedback_total{model="sentiment",version="1",outcome="negative"}')).toBe(
      now.champion.feedback - now.champion.conversions,
    );
  });

  it('unknown ids are 404 MLP_REQUEST_NOT_FOUND', async () => {
    const r = await feedback({ requestId: '00000000-0000-4000-8000-000000000000', outcome: true });
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe('MLP_REQUEST_NOT_FOUND');
  });

  it('refuses bad bodies with stable codes, located', async () => {
    const id = (await predict()).json().requestId;
    const cases: [unknown, number, string, string?][] = [
      [{ outcome: true }, 400, 'MLP_INVALID_FEEDBACK', 'requestId is missing'],
      [{ requestId: id }, 400, 'MLP_INVALID_FEEDBACK', 'outcome is missing'],
      [
        { requestId: id, outcome: 'true' },
        400,
        'MLP_INVALID_FEEDBACK',
        'outcome: expected true, false, 1 or 0',
      ],
      [{ requestId: id, outcome: 2 }, 400, 'MLP_INVALID_FEEDBACK'],
      [{ requestId: id, outcome: 0.5 }, 400, 'MLP_INVALID_FEEDBACK'],
      [{ requestId: id, outcome: null }, 400, 'MLP_INVALID_FEEDBACK'],
      [{ requestId: id, outcome: [1] }, 400, 'MLP_INVALID_FEEDBACK'],
      [{ requestId: 42, outcome: true }, 400, 'MLP_INVALID_FEEDBACK', 'requestId: expected'],
      [{ requestId: 'x'.repeat(129), outcome: true }, 400, 'MLP_INVALID_FEEDBACK'],
      [{ requestId: id, outcome: true, extra: 1 }, 400, 'MLP_INVALID_FEEDBACK', 'unknown field "extra"'],
      [{ requestId: id, outcome: true, constructor: 1 }, 400, 'MLP_INVALID_FEEDBACK', 'unknown field'],
      [[id, true], 400, 'MLP_INVALID_FEEDBACK'],
      ['"a string"', 400, 'MLP_INVALID_FEEDBACK'],
      ['null', 400, 'MLP_INVALID_FEEDBACK'],
      ['{"requestId": ', 400, 'MLP_BAD_REQUEST'],
      [`{"requestId": "${id}", "outcome": true, "__proto__": {"counted": false}}`, 400, 'MLP_BAD_REQUEST'],
      [
        `{"requestId": "${id}", "outcome": true, "constructor": {"prototype": {"x": 1}}}`,
        400,
        'MLP_BAD_REQUEST',
      ],
      [{ requestId: id, outcome: true, pad: 'x'.repeat(5000) }, 413, 'MLP_PAYLOAD_TOO_LARGE', '4096 bytes'],
    ];
    for (const [body, status, code, message] of cases) {
      const r = await feedback(body);
      expect(r.statusCode, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(r.json().code, JSON.stringify(body).slice(0, 80)).toBe(code);
      if (message) expect(r.json().error).toContain(message);
    }
    const plain = await app.inject({
      method: 'POST',
      url: '/feedback',
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(plain.json().code).toBe('MLP_UNSUPPORTED_MEDIA_TYPE');
    // None of that counted anything: the id still takes its one outcome.
    expect((await feedback({ requestId: id, outcome: true })).statusCode).toBe(200);
    expect(({} as Record<string, unknown>).counted).toBeUndefined();
  });

  it('no experiment without a distinct challenger getting traffic: 404 MLP_NO_EXPERIMENT', async () => {
    const off = await startServer(platform, { split: { challengerPercent: 0 } });
    try {
      const r = await off.app.inject('/experiment');
      expect(r.statusCode).toBe(404);
      expect(r.json()).toMatchObject({ code: 'MLP_NO_EXPERIMENT', error: expect.stringContaining('0 %') });
      // Requests are still served with ids, and their feedback is accepted but not counted.
      const p = await off.app.inject({
        method: 'POST',
        url: '/predict',
        headers: { 'x-user-id': 'u' },
        payload: { text: 'a' },
      });
      expect(p.json().model_version).toBe('1');
      const f = await off.app.inject({
        method: 'POST',
        url: '/feedback',
        payload: { requestId: p.json().requestId, outcome: 1 },
      });
      expect(f.json()).toMatchObject({ counted: false, version: '1' });
    } finally {
      await off.app.close();
    }
  });

  it('with bearer tokens, only the identity that made the request may report its outcome', async () => {
    const s = await startServer(platform, { tokens: { 'tok-a': 'team-a', 'tok-b': 'team-b' } });
    try {
      const p = await s.app.inject({
        method: 'POST',
        url: '/predict',
        headers: { authorization: 'Bearer tok-a' },
        payload: { text: 'a' },
      });
      const id = p.json().requestId;
      const send = (headers: Record<string, string>) =>
        s.app.inject({ method: 'POST', url: '/feedback', headers, payload: { requestId: id, outcome: 1 } });
      expect((await send({})).statusCode).toBe(401);
      expect((await send({ authorization: 'Bearer tok-b' })).json().code).toBe('MLP_REQUEST_NOT_FOUND');
      expect((await send({ authorization: 'Bearer tok-a' })).statusCode).toBe(200);
    } finally {
      await s.app.close();
    }
  });
});

describe('FeedbackLog bounds', () => {
  const exp = { model: 'm', champion: '1', challenger: '2', challengerPercent: 50 };
  it('keeps at most maxEntries ids, oldest out first', () => {
    const log = new FeedbackLog({ maxEntries: 3 });
    for (const id of ['a', 'b', 'c', 'd'])
      log.served(id, { model: 'm', version: '1', experiment: exp, arm: 'champion' });
    expect(log.size).toBe(3);
    expect(log.feedback('a', true).kind).toBe('not-found');
    expect(log.feedback('d', true).kind).toBe('counted');
    // Assignments stay counted after an id is forgotten: they happened.
    expect(log.counts(exp).champion).toEqual({ assigned: 4, feedback: 1, conversions: 1 });
  });
  it('forgets ids after the TTL', () => {
    let now = 1_000_000;
    const log = new FeedbackLog({ ttlMs: 1000, now: () => now });
    log.served('a', { model: 'm', version: '1' });
    now += 999;
    log.served('b', { model: 'm', version: '1' });
    expect(log.get('a')).toBeDefined();
    now += 1;
    expect(log.feedback('a', true).kind).toBe('not-found');
    expect(log.feedback('b', false).kind).toBe('counted');
    now += 5000;
    log.served('c', { model: 'm', version: '1' });
    expect(log.size).toBe(1);
  });
  it('bounds the experiments it keeps counts for; a new split is a new experiment', () => {
    const log = new FeedbackLog({ maxExperiments: 2 });
    for (const pct of [10, 20, 30]) {
      const e = { ...exp, challengerPercent: pct };
      log.served(`id-${pct}`, { model: 'm', version: '2', experiment: e, arm: 'challenger' });
    }
    expect(log.counts({ ...exp, challengerPercent: 10 }).challenger.assigned).toBe(0);
    expect(log.counts({ ...exp, challengerPercent: 30 }).challenger.assigned).toBe(1);
    expect(() => new FeedbackLog({ maxEntries: 0 })).toThrow(RangeError);
  });
});

async function listen(): Promise<number> {
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as { port: number }).port;
}
