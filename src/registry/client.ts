/** A client of the registry's MLflow REST API: what the model server and `mlp model` need. */
import { randomUUID } from 'node:crypto';

export interface AliasedVersion {
  readonly name: string;
  readonly version: string;
  readonly source: string;
}

export class RegistryClient {
  constructor(private readonly baseUrl: string) {}

  /** The version an alias points at; undefined when the alias is not set. */
  async versionByAlias(model: string, alias: string): Promise<AliasedVersion | undefined> {
    const url = new URL('/api/2.0/mlflow/registered-models/alias', this.baseUrl);
    url.search = new URLSearchParams({ name: model, alias }).toString();
    const res = await fetch(url);
    if (res.status === 404) return undefined;
    if (!res.ok)
      throw new Error(`registry answered ${res.status} for alias ${model}@${alias}: ${await res.text()}`);
    const { model_version: mv } = (await res.json()) as { model_version: AliasedVersion };
    return { name: mv.name, version: mv.version, source: mv.source };
  }

  /** Downloads a model file: `mlflow-artifacts:/path` from the registry, or an http(s) URL. */
  async download(source: string): Promise<Uint8Array> {
    let url: URL;
    if (source.startsWith('mlflow-artifacts:')) {
      const path = source.replace(/^mlflow-artifacts:\/*/, '');
      url = new URL(
        `/api/2.0/mlflow-artifacts/artifacts/${path.split('/').map(encodeURIComponent).join('/')}`,
        this.baseUrl,
      );
    } else if (/^https?:\/\//.test(source)) url = new URL(source);
    else throw new Error(`unsupported model source "${source}"; expected mlflow-artifacts:/… or http(s)://…`);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`downloading ${source} failed with ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  private async call<T>(method: string, path: string, body?: object): Promise<T> {
    const res = await fetch(new URL(`/api/2.0/mlflow/${path}`, this.baseUrl), {
      method,
      headers: { 'content-type': 'application/json' },
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
    const put = await fetch(
      new URL(`/api/2.0/mlflow-artifacts/artifacts/${dir}/${encodeURIComponent(fileName)}`, this.baseUrl),
      {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: new Blob([new Uint8Array(file)]),
      },
    );
    if (!put.ok) throw new RegistryError(put.status, 'UPLOAD_FAILED', await put.text());
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
