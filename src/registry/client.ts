/**
 * A client of the registry's MLflow REST API: what the model server and `mlp model` need.
 *
 * Hardened for a server that polls it forever: every request has a timeout, reads are retried
 * with backoff, downloads are capped in size, and a model is fetched only from the registry's
 * own artifact store (`mlflow-artifacts:/…`, `models:/name/version`) or an origin on an explicit
 * allow-list. A version's `source` is client-controlled data: following any URL it names would
 * let whoever can register a version make the server fetch internal addresses (SSRF).
 */
import { randomUUID } from 'node:crypto';

export interface AliasedVersion {
  readonly name: string;
  readonly version: string;
  readonly source: string;
}

export interface RegistryClientOptions {
  /** Sent as `Authorization: Bearer …`; the registry requires it for writes. */
  readonly token?: string;
  /** Per request (headers and body). @default 30000 */
  readonly timeoutMs?: number;
  /** Attempts for reads (GET) on network errors and 5xx; writes are tried once. @default 3 */
  readonly attempts?: number;
  /** First backoff between attempts; doubles. @default 200 */
  readonly backoffMs?: number;
  /** Largest model file downloaded. @default 512 MiB */
  readonly maxDownloadBytes?: number;
  /** http(s) origins a version's source may also point at (e.g. `https://models.example.com`). */
  readonly allowedSourceOrigins?: readonly string[];
}

const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts/';

export class RegistryClient {
  private readonly opts: RegistryClientOptions;
  private readonly allowed: ReadonlySet<string>;

  constructor(
    private readonly baseUrl: string,
    opts: RegistryClientOptions = {},
  ) {
    this.opts = opts;
    this.allowed = new Set((opts.allowedSourceOrigins ?? []).map((o) => new URL(o).origin));
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}), ...extra };
  }

  /** fetch with a timeout; reads retried on network errors and 5xx with exponential backoff. */
  private async request(url: URL, init: RequestInit = {}): Promise<Response> {
    const method = init.method ?? 'GET';
    const attempts = method === 'GET' ? Math.max(1, this.opts.attempts ?? 3) : 1;
    // An upload may take a while: it gets ten minutes unless the configured timeout is longer.
    const timeout = Math.max(this.opts.timeoutMs ?? 30_000, method === 'PUT' ? 600_000 : 0);
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, (this.opts.backoffMs ?? 200) * 2 ** (i - 1)));
      try {
        const res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeout) });
        if (res.status >= 500 && i < attempts - 1) {
          await res.body?.cancel();
          last = new Error(`${method} ${url.pathname} answered ${res.status}`);
          continue;
        }
        return res;
      } catch (err) {
        // A timeout already waited its full length: retrying it would hold up every later
        // alias update by a multiple of it. Refused connections and resets are retried.
        if ((err as Error).name === 'TimeoutError')
          throw new Error(`${method} ${url.origin}${url.pathname} timed out after ${timeout} ms`);
        last = err;
      }
    }
    throw last;
  }

  /** The version an alias points at; undefined when the alias is not set. */
  async versionByAlias(model: string, alias: string): Promise<AliasedVersion | undefined> {
    const url = new URL('/api/2.0/mlflow/registered-models/alias', this.baseUrl);
    url.search = new URLSearchParams({ name: model, alias }).toString();
    const res = await this.request(url);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok)
      throw new Error(`registry answered ${res.status} for alias ${model}@${alias}: ${await res.text()}`);
    const { model_version: mv } = (await res.json()) as { model_version: AliasedVersion };
    return { name: mv.name, version: mv.version, source: mv.source };
  }

  /** Where a model source may be fetched from; throws for anything outside the registry and the allow-list. */
  resolveSource(source: string): URL {
    if (source.startsWith('mlflow-artifacts:')) {
      const path = source.replace(/^mlflow-artifacts:\/*/, '');
      if (path.split('/').some((s) => s === '' || s === '.' || s === '..'))
        throw new Error(`model source "${source}" is not a valid artifact path`);
      return new URL(`${ARTIFACTS}${path.split('/').map(encodeURIComponent).join('/')}`, this.baseUrl);
    }
    let url: URL | undefined;
    try {
      url = new URL(source);
    } catch {
      url = undefined;
    }
    if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
      const registry = new URL(this.baseUrl);
      // The registry's own artifact proxy, under its full address, is the registry.
      if (url.origin === registry.origin && url.pathname.startsWith(ARTIFACTS)) return url;
      if (this.allowed.has(url.origin)) return url;
      throw new Error(
        `model source "${url.origin}${url.pathname}" is outside the registry's artifact store and not on the allow-list; refusing to fetch it`,
      );
    }
    throw new Error(
      `unsupported model source "${source.slice(0, 200)}"; expected mlflow-artifacts:/…, models:/name/version or an allow-listed http(s) origin`,
    );
  }

  /** Downloads a model file from the registry's artifact store (or an allow-listed origin). */
  async download(source: string): Promise<Uint8Array> {
    const m = /^models:\/([^/]+)\/(\d+)$/.exec(source);
    if (m) {
      const mv = await this.call<{ artifact_uri: string }>(
        'GET',
        `model-versions/get-download-uri?${new URLSearchParams({ name: decodeURIComponent(m[1]!), version: m[2]! })}`,
      );
      if (mv.artifact_uri.startsWith('models:')) throw new Error(`model source "${source}" points at itself`);
      return this.download(mv.artifact_uri);
    }
    const url = this.resolveSource(source);
    const res = await this.request(url, { headers: this.headers() });
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`downloading ${source} failed with ${res.status}`);
    }
    const max = this.opts.maxDownloadBytes ?? 512 * 1024 * 1024;
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (declared > max) {
      await res.body?.cancel();
      throw new Error(`${source} is ${declared} bytes; at most ${max} are downloaded`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body ?? []) {
        size += (chunk as Uint8Array).length;
        if (size > max)
          throw new Error(`${source} is larger than ${max} bytes; at most ${max} are downloaded`);
        chunks.push(chunk as Uint8Array);
      }
    } catch (err) {
      if ((err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError')
        throw new Error(`downloading ${source} timed out after ${this.opts.timeoutMs ?? 30_000} ms`);
      throw err;
    }
    return Buffer.concat(chunks);
  }

  private async call<T>(method: string, path: string, body?: object): Promise<T> {
    const res = await this.request(new URL(`/api/2.0/mlflow/${path}`, this.baseUrl), {
      method,
      headers: this.headers({ 'content-type': 'application/json' }),
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json().catch(() => ({}))) as T & { error_code?: string; message?: string };
    if (!res.ok)
      throw new RegistryError(res.status, json.error_code ?? 'UNKNOWN', json.message ?? res.statusText);
    return json;
  }

  /**
   * Registers a model file as a new version: uploads it under models/<name>/<uuid>/ and
   * creates the version pointing there (creating the registered model on first push).
   */
  async push(
    model: string,
    file: Uint8Array,
    opts: { description?: string; tags?: Record<string, string>; fileName?: string } = {},
  ): Promise<{ version: string; source: string }> {
    const dir = `models/${encodeURIComponent(model)}/${randomUUID()}`;
    const fileName = opts.fileName ?? 'model.onnx';
    const put = await this.request(
      new URL(`${ARTIFACTS}${dir}/${encodeURIComponent(fileName)}`, this.baseUrl),
      {
        method: 'PUT',
        headers: this.headers({ 'content-type': 'application/octet-stream' }),
        body: new Blob([new Uint8Array(file)]),
      },
    );
    if (!put.ok) {
      const text = await put.text();
      let json: { error_code?: string; message?: string } = {};
      try {
        json = JSON.parse(text);
      } catch {}
      throw new RegistryError(put.status, json.error_code ?? 'UPLOAD_FAILED', json.message ?? text);
    }
    await put.body?.cancel();
    try {
      await this.call('POST', 'registered-models/create', { name: model });
    } catch (err) {
      if (!(err instanceof RegistryError && err.code === 'RESOURCE_ALREADY_EXISTS')) throw err;
    }
    const source = `mlflow-artifacts:/${dir}/${fileName}`;
    const tags = Object.entries(opts.tags ?? {}).map(([key, value]) => ({ key, value }));
    const { model_version } = await this.call<{ model_version: { version: string } }>(
      'POST',
      'model-versions/create',
      {
        name: model,
        source,
        description: opts.description ?? '',
        tags,
      },
    );
    return { version: model_version.version, source };
  }

  async setAlias(model: string, alias: string, version: string): Promise<void> {
    await this.call('POST', 'registered-models/alias', { name: model, alias, version });
  }

  async deleteAlias(model: string, alias: string): Promise<void> {
    await this.call('DELETE', 'registered-models/alias', { name: model, alias });
  }

  /**
   * A registered model's tags (`registered-models/get`), in a Map so no tag key can land on an
   * object's prototype; undefined when the model does not exist.
   */
  async modelTags(model: string): Promise<Map<string, string> | undefined> {
    const url = new URL('/api/2.0/mlflow/registered-models/get', this.baseUrl);
    url.search = new URLSearchParams({ name: model }).toString();
    const res = await this.request(url);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw new Error(`registry answered ${res.status} for model ${model}: ${await res.text()}`);
    const { registered_model: rm } = (await res.json()) as {
      registered_model?: { tags?: { key?: unknown; value?: unknown }[] };
    };
    const tags = new Map<string, string>();
    for (const t of Array.isArray(rm?.tags) ? rm.tags : [])
      if (typeof t?.key === 'string') tags.set(t.key, String(t.value ?? ''));
    return tags;
  }

  /** MLflow `registered-models/set-tag` (a write: needs the token). */
  async setModelTag(model: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'registered-models/set-tag', { name: model, key, value });
  }

  /** MLflow `registered-models/delete-tag`; a tag that is not there is not an error here. */
  async deleteModelTag(model: string, key: string): Promise<void> {
    try {
      await this.call('DELETE', 'registered-models/delete-tag', { name: model, key });
    } catch (err) {
      if (!(err instanceof RegistryError && err.code === 'RESOURCE_DOES_NOT_EXIST')) throw err;
      // The model itself missing is still an error: only the tag may be absent.
      if (/Registered Model with name=/.test(err.message)) throw err;
    }
  }

  /** One model version (`model-versions/get`); undefined when it does not exist. */
  async modelVersion(model: string, version: string): Promise<AliasedVersion | undefined> {
    try {
      const { model_version: mv } = await this.call<{ model_version: AliasedVersion }>(
        'GET',
        `model-versions/get?${new URLSearchParams({ name: model, version })}`,
      );
      return { name: mv.name, version: mv.version, source: mv.source };
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return undefined;
      throw err;
    }
  }
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
