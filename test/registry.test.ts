// The MLflow-compatible registry, against the real PostgreSQL on 127.0.0.1:5432 and embedded PGlite.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FsArtifactStore } from '../src/registry/artifacts.js';
import { openRegistry, type Registry } from '../src/registry/service.js';
import { POSTGRES_URL, tempDir, waitFor } from './helpers.js';

const backends = [
  {
    name: 'postgres',
    open: (dir: string) =>
      openRegistry({
        databaseUrl: POSTGRES_URL,
        schema: `mlp_test_${randomUUID().slice(0, 8)}`,
        stateDir: dir,
      }),
  },
  { name: 'pglite', open: (dir: string) => openRegistry({ stateDir: dir }) },
];

describe.each(backends)('registry on $name', ({ name: backend, open }) => {
  let reg: Registry;
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: object) =>
    reg.app.inject({
      method,
      url: `/api/2.0/mlflow/${path}${method === 'GET' && body ? `?${new URLSearchParams(body as Record<string, string>)}` : ''}`,
      ...(method !== 'GET' && body ? { payload: body } : {}),
    });

  beforeAll(async () => {
    reg = await open(tempDir());
  });
  afterAll(async () => {
    if (backend === 'postgres')
      await reg.db.query(
        `drop schema if exists ${(await reg.db.query<{ s: string }>('select current_schema() as s')).rows[0]!.s} cascade`,
      );
    await reg.close();
  });

  it('creates, gets, updates, renames and deletes a registered model', async () => {
    const created = await api('POST', 'registered-models/create', {
      name: 'm1',
      description: 'first',
      tags: [{ key: 'team', value: 'ml' }],
    });
    expect(created.statusCode).toBe(200);
    const m = created.json().registered_model;
    expect(m).toMatchObject({
      name: 'm1',
      description: 'first',
      tags: [{ key: 'team', value: 'ml' }],
      latest_versions: [],
      aliases: [],
    });
    expect(typeof m.creation_timestamp).toBe('number');
    expect((await api('POST', 'registered-models/create', { name: 'm1' })).json()).toEqual({
      error_code: 'RESOURCE_ALREADY_EXISTS',
      message: 'Registered Model (name=m1) already exists.',
    });
    expect(
      (await api('PATCH', 'registered-models/update', { name: 'm1', description: 'changed' })).json()
        .registered_model.description,
    ).toBe('changed');
    await api('POST', 'model-versions/create', { name: 'm1', source: 's3://b/m1' });
    const renamed = await api('POST', 'registered-models/rename', { name: 'm1', new_name: 'm1-renamed' });
    expect(renamed.json().registered_model.latest_versions[0]).toMatchObject({
      name: 'm1-renamed',
      version: '1',
    });
    const gone = await api('GET', 'registered-models/get', { name: 'm1' });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await api('DELETE', 'registered-models/delete', { name: 'm1-renamed' })).statusCode).toBe(200);
    expect((await api('DELETE', 'registered-models/delete', { name: 'm1-renamed' })).statusCode).toBe(404);
  });

  it('rejects missing and invalid parameters with INVALID_PARAMETER_VALUE', async () => {
    const r = await api('POST', 'registered-models/create', {});
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: "Missing value for required parameter 'name'.",
    });
    await api('POST', 'registered-models/create', { name: 'p1' });
    expect((await api('GET', 'model-versions/get', { name: 'p1', version: 'abc' })).json().error_code).toBe(
      'INVALID_PARAMETER_VALUE',
    );
    expect((await api('GET', 'registered-models/search', { max_results: '0' })).statusCode).toBe(400);
    expect((await api('POST', 'model-versions/create', { name: 'p1' })).json().message).toBe(
      "Missing value for required parameter 'source'.",
    );
  });

  it('answers malformed JSON and unknown endpoints with stable codes', async () => {
    const bad = await reg.app.inject({
      method: 'POST',
      url: '/api/2.0/mlflow/registered-models/create',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error_code).toBe('BAD_REQUEST');
    const none = await reg.app.inject({ method: 'GET', url: '/api/2.0/mlflow/nope' });
    expect(none.statusCode).toBe(404);
    expect(none.json().error_code).toBe('ENDPOINT_NOT_FOUND');
  });

  it('manages model versions, tags, stages, latest versions and download URIs', async () => {
    await api('POST', 'registered-models/create', { name: 'v' });
    const v1 = (
      await api('POST', 'model-versions/create', {
        name: 'v',
        source: 'mlflow-artifacts:/models/v/1',
        run_id: 'r1',
        tags: [{ key: 'k', value: '1' }],
      })
    ).json().model_version;
    expect(v1).toMatchObject({
      name: 'v',
      version: '1',
      status: 'READY',
      current_stage: 'None',
      source: 'mlflow-artifacts:/models/v/1',
      run_id: 'r1',
      tags: [{ key: 'k', value: '1' }],
    });
    await api('POST', 'model-versions/create', { name: 'v', source: 'mlflow-artifacts:/models/v/2' });
    expect(
      (await api('PATCH', 'model-versions/update', { name: 'v', version: '2', description: 'better' })).json()
        .model_version.description,
    ).toBe('better');
    await api('POST', 'model-versions/set-tag', { name: 'v', version: '2', key: 'quality', value: 'high' });
    expect(
      (await api('GET', 'model-versions/get', { name: 'v', version: '2' })).json().model_version.tags,
    ).toEqual([{ key: 'quality', value: 'high' }]);
    expect(
      (await api('DELETE', 'model-versions/delete-tag', { name: 'v', version: '2', key: 'quality' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await api('DELETE', 'model-versions/delete-tag', { name: 'v', version: '2', key: 'quality' }))
        .statusCode,
    ).toBe(404);
    const staged = await api('POST', 'model-versions/transition-stage', {
      name: 'v',
      version: '1',
      stage: 'production',
      archive_existing_versions: false,
    });
    expect(staged.json().model_version.current_stage).toBe('Production');
    expect(
      (await api('POST', 'model-versions/transition-stage', { name: 'v', version: '1', stage: 'Live' }))
        .statusCode,
    ).toBe(400);
    const latest = await api('POST', 'registered-models/get-latest-versions', {
      name: 'v',
      stages: ['Production'],
    });
    expect(latest.json().model_versions.map((x: { version: string }) => x.version)).toEqual(['1']);
    expect((await api('GET', 'model-versions/get-download-uri', { name: 'v', version: '2' })).json()).toEqual(
      { artifact_uri: 'mlflow-artifacts:/models/v/2' },
    );
    expect((await api('GET', 'model-versions/get', { name: 'v', version: '9' })).statusCode).toBe(404);
    expect((await api('DELETE', 'model-versions/delete', { name: 'v', version: '1' })).statusCode).toBe(200);
    expect((await api('GET', 'model-versions/get', { name: 'v', version: '1' })).statusCode).toBe(404);
  });

  it('moves aliases and resolves a version by alias', async () => {
    await api('POST', 'registered-models/create', { name: 'a' });
    await api('POST', 'model-versions/create', { name: 'a', source: 'x/1' });
    await api('POST', 'model-versions/create', { name: 'a', source: 'x/2' });
    expect(
      (await api('POST', 'registered-models/alias', { name: 'a', alias: 'champion', version: '1' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await api('GET', 'registered-models/alias', { name: 'a', alias: 'champion' })).json().model_version,
    ).toMatchObject({ version: '1', aliases: ['champion'] });
    await api('POST', 'registered-models/alias', { name: 'a', alias: 'champion', version: '2' });
    expect(
      (await api('GET', 'registered-models/alias', { name: 'a', alias: 'champion' })).json().model_version
        .version,
    ).toBe('2');
    expect(
      (await api('GET', 'registered-models/get', { name: 'a' })).json().registered_model.aliases,
    ).toEqual([{ alias: 'champion', version: '2' }]);
    expect(
      (await api('POST', 'registered-models/alias', { name: 'a', alias: 'champion', version: '7' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await api('POST', 'registered-models/alias', { name: 'a', alias: 'latest', version: '1' })).statusCode,
    ).toBe(400);
    await api('DELETE', 'registered-models/alias', { name: 'a', alias: 'champion' });
    expect((await api('GET', 'registered-models/alias', { name: 'a', alias: 'champion' })).statusCode).toBe(
      404,
    );
  });

  it('searches with filter, order_by, max_results and page_token', async () => {
    for (const n of ['search-b', 'search-a', 'search-c', 'other-x'])
      await api('POST', 'registered-models/create', {
        name: n,
        tags: [{ key: 'kind', value: n.startsWith('search') ? 's' : 'o' }],
      });
    const first = (
      await api('GET', 'registered-models/search', {
        filter: "name LIKE 'search-%'",
        max_results: '2',
        order_by: 'name DESC',
      })
    ).json();
    expect(first.registered_models.map((m: { name: string }) => m.name)).toEqual(['search-c', 'search-b']);
    const second = (
      await api('GET', 'registered-models/search', {
        filter: "name LIKE 'search-%'",
        max_results: '2',
        order_by: 'name DESC',
        page_token: first.next_page_token,
      })
    ).json();
    expect(second.registered_models.map((m: { name: string }) => m.name)).toEqual(['search-a']);
    expect(second.next_page_token).toBeUndefined();
    const tagged = (await api('GET', 'registered-models/search', { filter: "tags.kind = 'o'" })).json();
    expect(tagged.registered_models.map((m: { name: string }) => m.name)).toEqual(['other-x']);
    const bad = await api('GET', 'registered-models/search', { filter: 'name ~ 1' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await api('GET', 'registered-models/search', { page_token: 'garbage' })).statusCode).toBe(400);
    await api('POST', 'model-versions/create', { name: 'search-a', source: 's', run_id: 'run-7' });
    const versions = (
      await api('GET', 'model-versions/search', { filter: "run_id IN ('run-7', 'run-8')" })
    ).json();
    expect(versions.model_versions.map((v: { name: string }) => v.name)).toEqual(['search-a']);
  });

  it('hands out versions 1..50 exactly once under 50 concurrent creates', async () => {
    await api('POST', 'registered-models/create', { name: 'race' });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => reg.store.createModelVersion({ name: 'race', source: 'x' })),
    );
    expect(results.map((v) => Number(v.version)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const search = (
      await api('GET', 'model-versions/search', { filter: "name = 'race'", max_results: '100' })
    ).json();
    expect(search.model_versions).toHaveLength(50);
  });

  it('uploads and downloads artifacts, and refuses paths that escape the root', async () => {
    const put = await reg.app.inject({
      method: 'PUT',
      url: '/api/2.0/mlflow-artifacts/artifacts/models/a/1/model.onnx',
      headers: { 'content-type': 'application/octet-stream' },
      payload: Buffer.from('onnx-bytes'),
    });
    expect(put.statusCode).toBe(200);
    const get = await reg.app.inject({
      method: 'GET',
      url: '/api/2.0/mlflow-artifacts/artifacts/models/a/1/model.onnx',
    });
    expect(get.statusCode).toBe(200);
    expect(get.body).toBe('onnx-bytes');
    const list = await reg.app.inject({
      method: 'GET',
      url: '/api/2.0/mlflow-artifacts/artifacts?path=models/a/1',
    });
    expect(list.json()).toEqual({ files: [{ path: 'models/a/1/model.onnx', is_dir: false, file_size: 10 }] });
    for (const evil of [
      '../outside',
      '..%2Foutside',
      '%2e%2e/%2e%2e/etc/passwd',
      'a/../../x',
      'a%5C..%5Cx',
      '.uploads/x',
    ]) {
      const r = await reg.app.inject({
        method: 'PUT',
        url: `/api/2.0/mlflow-artifacts/artifacts/${evil}`,
        payload: Buffer.from('x'),
        headers: { 'content-type': 'application/octet-stream' },
      });
      expect(r.statusCode, evil).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, evil).toBeLessThan(500);
    }
    expect(existsSync(join((reg.artifacts as FsArtifactStore).root, '..', 'outside'))).toBe(false);
    expect(
      (await reg.app.inject({ method: 'GET', url: '/api/2.0/mlflow-artifacts/artifacts/models/none' }))
        .statusCode,
    ).toBe(404);
  });

  it('never exposes an upload that was cut off mid-way', async () => {
    const address = await reg.app.listen({ port: 0, host: '127.0.0.1' });
    const url = new URL('/api/2.0/mlflow-artifacts/artifacts/models/cut/model.onnx', address);
    await new Promise<void>((resolve) => {
      const req = request(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'content-length': 1_000_000 },
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(100_000, 1));
      setTimeout(() => {
        req.destroy();
        setTimeout(resolve, 200);
      }, 100);
    });
    // The server notices the disconnect asynchronously.
    await waitFor(() => readdirSync(join((reg.artifacts as FsArtifactStore).root, '.uploads')).length === 0);
    expect(readdirSync(join((reg.artifacts as FsArtifactStore).root, '.uploads'))).toEqual([]);
    expect(existsSync(join((reg.artifacts as FsArtifactStore).root, 'models', 'cut', 'model.onnx'))).toBe(
      false,
    );
  });
});
