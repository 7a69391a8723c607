/**
 * The one door to a live API server: a kubeconfig (current, `--kubeconfig`, `--context`) read
 * by `@kubernetes/client-node`, and raw JSON requests made with the TLS material and
 * credentials it derives (`applyToHTTPSOptions`: CA, client certificates, tokens, exec plugins).
 *
 * Why not `KubernetesObjectApi` for the requests themselves: it deserializes every answer into
 * the typed models, which drop fields they do not know and turn timestamps into Dates, so a live
 * object could never be compared byte for byte with a rendered one. Here bodies stay plain JSON.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export interface ConnectOptions {
  /** Path of a kubeconfig file. @default $KUBECONFIG, else ~/.kube/config */
  readonly kubeconfig?: string;
  /** Context to use. @default the kubeconfig's current-context */
  readonly context?: string;
  /** Per-request ceiling against hangs. @default 30 s */
  readonly requestTimeoutMs?: number;
}

/** No usable cluster: bad kubeconfig, unreachable server, refused credentials. Exit code 2. */
export class ClusterUnavailable extends Error {
  override readonly name = 'ClusterUnavailable';
}

/** The API server answered with an error status: `message` is the server's own words. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    /** The Status object's `reason` (NotFound, Conflict, Forbidden, Invalid…). */
    readonly reason: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
}

/** Node's error codes, said the way a person debugging a kubeconfig needs them. */
function describeNetworkError(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused (ECONNREFUSED): is the API server running?',
    ECONNRESET: 'connection reset by the server (ECONNRESET)',
    ENOTFOUND: 'host not found (ENOTFOUND)',
    EAI_AGAIN: 'DNS lookup failed (EAI_AGAIN)',
    EHOSTUNREACH: 'host unreachable (EHOSTUNREACH)',
    ENETUNREACH: 'network unreachable (ENETUNREACH)',
    ETIMEDOUT: 'connection timed out (ETIMEDOUT)',
  };
  if (known[code]) return known[code];
  // TLS verification failures carry OpenSSL-style codes; say that it is TLS and which check.
  if (/CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|TLS|SSL/i.test(code) || /certificate|tls|ssl/i.test(err.message))
    return `TLS: ${err.message}${code ? ` (${code})` : ''}`;
  return `${err.message}${code ? ` (${code})` : ''}`;
}

/** The message of a Kubernetes `Status` body, else the raw text. */
function statusOf(status: number, text: string): { message: string; reason: string; body: unknown } {
  try {
    const body = JSON.parse(text) as { message?: unknown; reason?: unknown };
    const message = typeof body?.message === 'string' ? body.message : text.slice(0, 500);
    return { message, reason: typeof body?.reason === 'string' ? body.reason : String(status), body };
  } catch {
    return { message: text.slice(0, 500) || `HTTP ${status}`, reason: String(status), body: text };
  }
}

/** Answers larger than this are refused rather than buffered (a list of every CRD is ~10 MB). */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export class Cluster {
  private constructor(
    private readonly config: KubeConfig,
    /** `https://127.0.0.1:6443`, as the kubeconfig names it. */
    readonly server: string,
    readonly context: string,
    private readonly timeoutMs: number,
  ) {}

  /** Reads the kubeconfig and proves the server answers (GET /version, then discovery). */
  static async connect(opts: ConnectOptions = {}): Promise<Cluster> {
    const kc = new KubeConfig();
    try {
      if (opts.kubeconfig) {
        if (!existsSync(opts.kubeconfig))
          throw new ClusterUnavailable(`kubeconfig ${opts.kubeconfig} does not exist`);
        kc.loadFromFile(opts.kubeconfig);
      } else {
        kc.loadFromDefault();
      }
    } catch (err) {
      if (err instanceof ClusterUnavailable) throw err;
      throw new ClusterUnavailable(
        `cannot read the kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}: ${(err as Error).message}`,
      );
    }
    if (opts.context) {
      const names = kc.getContexts().map((c) => c.name);
      if (!names.includes(opts.context))
        throw new ClusterUnavailable(
          `context "${opts.context}" is not in the kubeconfig; it has: ${names.join(', ') || '(none)'}`,
        );
      kc.setCurrentContext(opts.context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster?.server)
      throw new ClusterUnavailable(
        'no cluster configured: give --kubeconfig FILE (or set KUBECONFIG) and optionally --context NAME',
      );
    const c = new Cluster(
      kc,
      cluster.server.replace(/\/+$/, ''),
      kc.getCurrentContext(),
      opts.requestTimeoutMs ?? 30_000,
    );
    await c.probe();
    return c;
  }

  /**
   * /version is readable without credentials on most clusters, so it proves reachability and
   * TLS; /apis needs an authenticated user (system:discovery), so it proves the credentials.
   */
  private async probe(): Promise<void> {
    for (const path of ['/version', '/apis']) {
      try {
        await this.request('GET', path);
      } catch (err) {
        if (err instanceof ApiError)
          throw new ClusterUnavailable(
            `the API server at ${this.server} refused ${path}: ${err.status} ${err.reason}: ${err.message}`,
          );
        throw err;
      }
    }
  }

  /** One request; resolves to the parsed JSON body, rejects with ApiError or ClusterUnavailable. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const reqOpts: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
    try {
      await this.config.applyToHTTPSOptions(reqOpts);
    } catch (err) {
      // Credentials that cannot be loaded (missing cert files, failing exec plugins, http
      // without insecure-skip-tls-verify) are a kubeconfig problem, not an internal error.
      throw new ClusterUnavailable(
        `cannot use the credentials of context "${this.context}" for ${this.server}: ${(err as Error).message}`,
      );
    }
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string | number> = { ...(reqOpts.headers as Record<string, string>) };
    if (payload !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const plain = url.protocol === 'http:';
    const transport = plain ? http : https;
    // An https agent cannot carry a plain-http request; plain http has no TLS material to keep.
    const final = plain ? { method, headers, auth: reqOpts.auth } : { ...reqOpts, headers };
    return new Promise<T>((resolve, reject) => {
      const req = transport.request(url, final, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new Error(`response of ${method} ${path} exceeds ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            try {
              resolve((text ? JSON.parse(text) : {}) as T);
            } catch {
              reject(new ApiError(status, `unparseable answer to ${method} ${path}`, 'BadResponse', text));
            }
            return;
          }
          const s = statusOf(status, text);
          if (status === 401)
            reject(
              new ClusterUnavailable(
                `the API server at ${this.server} refused the credentials of context "${this.context}" (401 Unauthorized): ${s.message}`,
              ),
            );
          else reject(new ApiError(status, s.message, s.reason, s.body));
        });
        res.on('error', reject);
      });
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(
          err instanceof ApiError || err instanceof ClusterUnavailable
            ? err
            : new ClusterUnavailable(
                `cannot reach the API server at ${this.server}: ${describeNetworkError(err)}`,
              ),
        ),
      );
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** GET that answers undefined for 404 instead of throwing. */
  async getOrUndefined<T = unknown>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', path);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }
}
