// The registry against hostile clients: writes need the token, every parameter is typed, paths decode once.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FsArtifactStore } from '../src/registry/artifacts.js';
import { openRegistry, type Registry } from '../src/registry/service.js';
import { tempDir } from './helpers.js';

const TOKEN = 'registry-secret-token';
let reg: Registry;
const auth = { authorization: `Bearer ${TOKEN}` };

const api = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: Record<string, unknown>,
  headers: Record<string, string> = auth,
) =>
  reg.app.inject({
    method,
    url: `/api/2.0/mlflow/${path}${method === 'GET' && body ? `?${new URLSearchParams(body as Record<string, string>)}` : ''}`,
    headers,
    ...(method !== 'GET' && body ? { payload: body } : {}),
  });
const artifact = (method: 'GET' | 'PUT' | 'DELETE', path: string, headers: Record<string, string> = auth) =>
  reg.app.inject({
    method,
    url: `/api/2.0/mlflow-artifacts/artifacts/${path}`,
    headers: { 'content-type': 'application/octet-stream', ...headers },
    ...(method === 'PUT' ? { payload: Buffer.from('bytes') } : {}),
  });

beforeAll(async () => {
  reg = await openRegistry({ stateDir: tempDir(), writeToken: TOKEN });
  await api('POST', 'registered-models/create', { name: 'm' });
  await api('POST', 'model-versions/create', { name: 'm', source: 'mlflow-artifacts:/models/m/1' });
});
afterAll(async () => {
  await reg.close();
});

describe('writes need the registry token (item 3)', () => {
  const writes: [string, 'POST' | 'PATCH' | 'DELETE', string, Record<string, unknown>][] = [
    ['create a model', 'POST', 'registered-models/create', { name: 'x' }],
    ['create a version', 'POST', 'model-versions/create', { name: 'm', source: 'http://evil/x' }],
    ['move champion', 'POST', 'registered-models/alias', { name: 'm', alias: 'champion', version: '1' }],
    ['delete an alias', 'DELETE', 'registered-models/alias', { name: 'm', alias: 'champion' }],
    ['delete a model', 'DELETE', 'registered-models/delete', { name: 'm' }],
    ['delete a version', 'DELETE', 'model-versions/delete', { name: 'm', version: '1' }],
    ['rename', 'POST', 'registered-models/rename', { name: 'm', new_name: 'n' }],
    ['update', 'PATCH', 'registered-models/update', { name: 'm', description: 'x' }],
    ['tag', 'POST', 'model-versions/set-tag', { name: 'm', version: '1', key: 'k', value: 'v' }],
    ['stage', 'POST', 'model-versions/transition-stage', { name: 'm', version: '1', stage: 'Production' }],
  ];
  it.each(writes)('%s: 401 without a token, 403 with a wrong one', async (_n, method, path, body) => {
    const none = await api(method, path, body, {});
    expect(none.statusCode).toBe(401);
    expect(none.json().error_code).toBe('UNAUTHENTICATED');
    for (const wrong of ['nope', 'constructor', '__proto__', 'toString', `${TOKEN}x`]) {
      const r = await api(method, path, body, { authorization: `Bearer ${wrong}` });
      expect(r.statusCode, wrong).toBe(403);
      expect(r.json().error_code).toBe('PERMISSION_DENIED');
    }
  });

  it('uploads and deletes artifacts only with the token; reads stay open', async () => {
    expect((await artifact('PUT', 'models/m/x.onnx', {})).statusCode).toBe(401);
    expect((await artifact('PUT', 'models/m/x.onnx', { authorization: 'Bearer bad' })).statusCode).toBe(403);
    expect((await artifact('PUT', 'models/m/x.onnx')).statusCode).toBe(200);
    expect((await artifact('GET', 'models/m/x.onnx', {})).statusCode).toBe(200);
    expect((await artifact('DELETE', 'models/m/x.onnx', {})).statusCode).toBe(401);
    expect((await api('GET', 'registered-models/get', { name: 'm' }, {})).statusCode).toBe(200);
    expect((await api('GET', 'model-versions/search', {}, {})).statusCode).toBe(200);
    // get-latest-versions is a read that old clients POST.
    expect((await api('POST', 'registered-models/get-latest-versions', { name: 'm' }, {})).statusCode).toBe(
      200,
    );
    expect(
      (await api('POST', 'registered-models/alias', { name: 'm', alias: 'champion', version: '1' }))
        .statusCode,
    ).toBe(200);
  });
});

describe('every client-controlled value is typed (item 11)', () => {
  it.each([
    ['2147483648'],
    ['99999999999999999999'],
    ['0x10'],
    ['1e3'],
    [' 1'],
    ['-1'],
    ['1.0'],
    ['0'],
    ['+1'],
  ])('refuses version %j with 400 INVALID_PARAMETER_VALUE', async (version) => {
    for (const r of [
      await api('GET', 'model-versions/get', { name: 'm', version }),
      await api('POST', 'registered-models/alias', { name: 'm', alias: 'a', version }),
      await api('DELETE', 'model-versions/delete', { name: 'm', version }),
    ]) {
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().error_code).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  it('answers the largest 32-bit version with 404, and takes numbers in JSON bodies', async () => {
    expect((await api('GET', 'model-versions/get', { name: 'm', version: '2147483647' })).statusCode).toBe(
      404,
    );
    expect(
      (await api('PATCH', 'model-versions/update', { name: 'm', version: 1, description: 'd' })).statusCode,
    ).toBe(200);
    expect(
      (await api('PATCH', 'model-versions/update', { name: 'm', version: 1.5, description: 'd' })).statusCode,
    ).toBe(400);
    expect(
      (await api('PATCH', 'model-versions/update', { name: 'm', version: 2 ** 31, description: 'd' }))
        .statusCode,
    ).toBe(400);
  });

  it.each([
    ['a name that is an object', 'POST', 'registered-models/create', { name: { a: 1 } }],
    ['a name that is a list', 'POST', 'registered-models/create', { name: ['a'] }],
    ['tags that are a string', 'POST', 'registered-models/create', { name: 'q', tags: 'x' }],
    ['a tag that is null', 'POST', 'registered-models/create', { name: 'q', tags: [null] }],
    [
      'a tag value that is an object',
      'POST',
      'registered-models/create',
      { name: 'q', tags: [{ key: 'k', value: {} }] },
    ],
    ['max_results 1e3', 'GET', 'model-versions/search', { max_results: '1e3' }],
    ['max_results 0x10', 'GET', 'registered-models/search', { max_results: '0x10' }],
    ['a huge max_results', 'GET', 'model-versions/search', { max_results: '99999999999' }],
    [
      'archive flag maybe',
      'POST',
      'model-versions/transition-stage',
      { name: 'm', version: '1', stage: 'Staging', archive_existing_versions: 'maybe' },
    ],
    ['a description that is a number', 'PATCH', 'registered-models/update', { name: 'm', description: 5 }],
  ] as const)('refuses %s with 400', async (_n, method, path, body) => {
    const r = await api(method, path, body as Record<string, unknown>);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});

describe('artifact paths (item 13)', () => {
  it('decodes a path exactly once', async () => {
    expect((await artifact('PUT', 'models/enc/50%25.txt')).statusCode).toBe(200);
    expect((await artifact('PUT', 'models/enc/a%2541.txt')).statusCode).toBe(200);
    const root = (reg.artifacts as FsArtifactStore).root;
    expect(readdirSync(join(root, 'models', 'enc')).sort()).toEqual(['50%.txt', 'a%41.txt']);
    expect((await artifact('GET', 'models/enc/50%25.txt', {})).body).toBe('bytes');
    expect((await artifact('GET', 'models/enc/a%2541.txt', {})).body).toBe('bytes');
  });

  it.each(['/tmp/x', '%2Ftmp%2Fx', 'a//b', '..%2Fx'])('refuses %j', async (path) => {
    const r = await artifact('PUT', path);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('answers a bad percent-encoding in MLflow shape', async () => {
    for (const url of [
      '/api/2.0/mlflow-artifacts/artifacts/a%zz',
      '/api/2.0/mlflow/registered-models/get%zz?name=m',
    ]) {
      const r = await reg.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(400);
      expect(r.json(), url).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    }
  });
});

describe('search pages (item 7)', () => {
  it('caps a page of model versions at 10,000', async () => {
    for (const max_results of ['10001', '200000']) {
      const r = await api('GET', 'model-versions/search', { max_results });
      expect(r.statusCode, max_results).toBe(400);
      expect(r.json().message).toContain('no greater than 10000');
    }
    expect((await api('GET', 'model-versions/search', { max_results: '10000' })).statusCode).toBe(200);
  });

  it('gives every version of a page its own tags and aliases', async () => {
    await api('POST', 'registered-models/create', { name: 'many' });
    for (let i = 1; i <= 40; i++)
      await reg.store.createModelVersion({
        name: 'many',
        source: `s/${i}`,
        tags: [
          { key: 'i', value: String(i) },
          { key: 'even', value: String(i % 2 === 0) },
        ],
      });
    for (const [alias, v] of [
      ['a10', 10],
      ['a20', 20],
      ['b20', 20],
    ] as const)
      await api('POST', 'registered-models/alias', { name: 'many', alias, version: String(v) });
    const page = (
      await api('GET', 'model-versions/search', { filter: "name = 'many'", max_results: '100' })
    ).json();
    expect(page.model_versions).toHaveLength(40);
    for (const v of page.model_versions) {
      expect(v.tags).toEqual([
        { key: 'even', value: String(Number(v.version) % 2 === 0) },
        { key: 'i', value: v.version },
      ]);
      expect(v.aliases).toEqual(v.version === '10' ? ['a10'] : v.version === '20' ? ['a20', 'b20'] : []);
    }
    const model = (await api('GET', 'registered-models/get', { name: 'many' })).json().registered_model;
    expect(model.aliases).toEqual([
      { alias: 'a10', version: '10' },
      { alias: 'a20', version: '20' },
      { alias: 'b20', version: '20' },
    ]);
    expect(model.latest_versions.map((v: { version: string }) => v.version)).toEqual(['40']);
  });
});

it('documents every registry error code in docs/errors.md', async () => {
  const { readFileSync } = await import('node:fs');
  const { MLFLOW_ERRORS } = await import('../src/registry/errors.js');
  const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'errors.md'), 'utf8');
  for (const [code, status] of Object.entries(MLFLOW_ERRORS))
    expect(doc).toContain(`| \`${code}\` | ${status} |`);
});

it('logs an unexpected 500 even at warn level, answering in MLflow shape (item 11)', async () => {
  const lines: string[] = [];
  const r2 = await openRegistry({
    stateDir: tempDir(),
    logger: { level: 'warn', stream: { write: (l: string) => lines.push(l) } },
  });
  r2.store.getRegisteredModel = async () => {
    throw new Error('database went away');
  };
  const r = await r2.app.inject({ method: 'GET', url: '/api/2.0/mlflow/registered-models/get?name=m' });
  expect(r.statusCode).toBe(500);
  expect(r.json()).toEqual({ error_code: 'INTERNAL_ERROR', message: 'internal error' });
  expect(lines.map((l) => JSON.parse(l))).toContainEqual(
    expect.objectContaining({ level: 50, err: expect.objectContaining({ message: 'database went away' }) }),
  );
  await r2.close();
});
