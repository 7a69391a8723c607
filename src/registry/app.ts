/**
 * The registry's HTTP API: MLflow's Model Registry REST API under /api/2.0/mlflow/ and its
 * artifact proxy under /api/2.0/mlflow-artifacts/, so MLflow clients work unchanged.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { BearerTokens, bearerToken } from '../http/bearer.js';
import { gracefulClose } from '../http/shutdown.js';
import type { ArtifactStore } from './artifacts.js';
import { MlflowError } from './errors.js';
import { registryMetrics } from './metrics.js';
import type { RegistryStore } from './store.js';

export interface RegistryAppOptions {
  readonly store: RegistryStore;
  readonly artifacts: ArtifactStore;
  /** @default 1 GiB */
  readonly maxArtifactBytes?: number;
  /** pino logger options, or false. Unexpected 500s are logged at error level. @default false */
  readonly logger?: boolean | Record<string, unknown>;
  /**
   * Bearer token every write (create, update, delete, alias, tag, upload) must carry. Reads stay
   * open. Without one the registry accepts anonymous writes: only for tests and embedding.
   */
  readonly writeToken?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    write?: boolean;
  }
}

const MAX_INT32 = 2 ** 31 - 1;
const text = (maxLength: number) => ({ type: 'string', maxLength }) as const;
const strings = (maxLength: number) =>
  ({ type: ['string', 'array'], maxLength, maxItems: 64, items: { type: 'string', maxLength } }) as const;
/**
 * Every parameter a route reads, typed. Query values arrive as strings and JSON bodies carry
 * numbers, so the numeric ones accept both, with a pattern for the string form (no `0x10`,
 * `1e3` or 2^31 sneaking in through Number()).
 */
const PARAM_SCHEMA = {
  type: 'object',
  properties: {
    name: text(1024),
    new_name: text(1024),
    alias: text(256),
    key: text(1024),
    value: text(65_536),
    description: text(65_536),
    source: text(8192),
    run_id: text(256),
    run_link: text(8192),
    stage: text(64),
    stages: strings(64),
    filter: text(8192),
    page_token: text(256),
    order_by: strings(256),
    version: { type: ['string', 'integer'], pattern: '^[1-9][0-9]{0,9}$', minimum: 1, maximum: MAX_INT32 },
    max_results: { type: ['string', 'integer'], pattern: '^[0-9]{1,9}$', minimum: 0, maximum: 999_999_999 },
    archive_existing_versions: { type: ['boolean', 'string'], pattern: '^(true|false)$' },
    tags: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        properties: { key: text(1024), value: text(65_536) },
      },
    },
  },
} as const;

type Params = Record<string, unknown>;
const API = '/api/2.0/mlflow';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

function params(req: FastifyRequest): Params {
  return {
    ...(req.query as Params),
    ...((req.body && typeof req.body === 'object' ? req.body : {}) as Params),
  };
}

const asList = (v: unknown): string[] | undefined =>
  v === undefined ? undefined : Array.isArray(v) ? v.map(String) : [String(v)];
const str = (v: unknown) => (v === undefined ? undefined : String(v));

export function buildRegistryApp(opts: RegistryAppOptions): FastifyInstance {
  const { store, artifacts } = opts;
  const tokens = opts.writeToken ? new BearerTokens(new Map([[opts.writeToken, 'writer']])) : undefined;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 1 << 20,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allowUnionTypes: true } },
    // A path Fastify cannot decode (`%zz`) gets MLflow's error shape like every other failure.
    frameworkErrors: (err, _req, reply) => {
      (reply as FastifyReply).code(400).send({
        error_code: 'INVALID_PARAMETER_VALUE',
        message: err.code === 'FST_ERR_BAD_URL' ? `Invalid URL encoding: ${err.message}` : err.message,
      });
    },
  });

  // Writes need the token; reads stay open (the model server and browsers read).
  app.addHook('onRequest', async (req) => {
    if (!tokens || !req.routeOptions.config?.write) return;
    const token = bearerToken(req.headers.authorization);
    if (token === undefined)
      throw new MlflowError(
        'UNAUTHENTICATED',
        'This registry needs a token for writes: send Authorization: Bearer <token> (MLP_REGISTRY_TOKEN).',
      );
    if (tokens.identify(token) === undefined)
      throw new MlflowError(
        'PERMISSION_DENIED',
        'The bearer token is not valid for writes to this registry.',
      );
  });

  app.setErrorHandler(
    (err: Error & { statusCode?: number; code?: string; validation?: unknown }, req, reply) => {
      if (err instanceof MlflowError)
        return reply.status(err.status).send({ error_code: err.code, message: err.message });
      if (err.validation)
        return reply.status(400).send({ error_code: 'INVALID_PARAMETER_VALUE', message: err.message });
      if (err.statusCode && err.statusCode < 500) {
        return reply.status(err.statusCode).send({
          error_code: err.statusCode === 413 ? 'INVALID_PARAMETER_VALUE' : 'BAD_REQUEST',
          message: err.message,
        });
      }
      req.log.error({ err, method: req.method, url: req.url }, 'unexpected error');
      return reply.status(500).send({ error_code: 'INTERNAL_ERROR', message: 'internal error' });
    },
  );
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error_code: 'ENDPOINT_NOT_FOUND',
      message: `No endpoint ${req.method} ${req.url.split('?')[0]}`,
    }),
  );

  const route = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | ('GET' | 'POST')[],
    path: string,
    handler: (p: Params) => Promise<unknown>,
  ) => {
    for (const m of Array.isArray(method) ? method : [method])
      app.route({
        method: m,
        url: `${API}/${path}`,
        // get-latest-versions is a read that old clients POST.
        config: { write: m !== 'GET' && !Array.isArray(method) },
        schema: { querystring: PARAM_SCHEMA, ...(m === 'GET' ? {} : { body: PARAM_SCHEMA }) },
        handler: async (req: FastifyRequest) => (await handler(params(req))) ?? {},
      });
  };

  // Registered models.
  route('POST', 'registered-models/create', async (p) => ({
    registered_model: await store.createRegisteredModel(p),
  }));
  route('GET', 'registered-models/get', async (p) => ({
    registered_model: await store.getRegisteredModel(p.name),
  }));
  route('POST', 'registered-models/rename', async (p) => ({
    registered_model: await store.renameRegisteredModel(p.name, p.new_name),
  }));
  route('PATCH', 'registered-models/update', async (p) => ({
    registered_model: await store.updateRegisteredModel(p.name, p.description),
  }));
  route('DELETE', 'registered-models/delete', async (p) => store.deleteRegisteredModel(p.name));
  route('GET', 'registered-models/search', async (p) =>
    store.searchRegisteredModels({
      filter: str(p.filter),
      maxResults: p.max_results,
      orderBy: asList(p.order_by),
      pageToken: str(p.page_token),
    }),
  );
  route(['GET', 'POST'], 'registered-models/get-latest-versions', async (p) => ({
    model_versions: await store.getLatestVersions(p.name, asList(p.stages)),
  }));
  route('POST', 'registered-models/set-tag', async (p) =>
    store.setRegisteredModelTag(p.name, p.key, p.value),
  );
  route('DELETE', 'registered-models/delete-tag', async (p) => store.deleteRegisteredModelTag(p.name, p.key));
  route('POST', 'registered-models/alias', async (p) => store.setAlias(p.name, p.alias, p.version));
  route('DELETE', 'registered-models/alias', async (p) => store.deleteAlias(p.name, p.alias));
  route('GET', 'registered-models/alias', async (p) => ({
    model_version: await store.getVersionByAlias(p.name, p.alias),
  }));

  // Model versions.
  route('POST', 'model-versions/create', async (p) => ({ model_version: await store.createModelVersion(p) }));
  route('GET', 'model-versions/get', async (p) => ({
    model_version: await store.getModelVersion(p.name, p.version),
  }));
  route('PATCH', 'model-versions/update', async (p) => ({
    model_version: await store.updateModelVersion(p.name, p.version, p.description),
  }));
  route('DELETE', 'model-versions/delete', async (p) => store.deleteModelVersion(p.name, p.version));
  route('GET', 'model-versions/search', async (p) =>
    store.searchModelVersions({
      filter: str(p.filter),
      maxResults: p.max_results,
      orderBy: asList(p.order_by),
      pageToken: str(p.page_token),
    }),
  );
  route('GET', 'model-versions/get-download-uri', async (p) => ({
    artifact_uri: (await store.getModelVersion(p.name, p.version)).source,
  }));
  // Deprecated in MLflow in favour of aliases; kept for old clients.
  route('POST', 'model-versions/transition-stage', async (p) => ({
    model_version: await store.transitionStage(p.name, p.version, p.stage, p.archive_existing_versions),
  }));
  route('POST', 'model-versions/set-tag', async (p) =>
    store.setModelVersionTag(p.name, p.version, p.key, p.value),
  );
  route('DELETE', 'model-versions/delete-tag', async (p) =>
    store.deleteModelVersionTag(p.name, p.version, p.key),
  );

  // Artifacts: raw bodies, streamed to disk.
  const maxBytes = opts.maxArtifactBytes ?? 1 << 30;
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    // The router has already percent-decoded the wildcard once; decoding again would turn
    // `a%2541.txt` into `aA.txt` and refuse `50%25.txt`.
    const pathOf = (req: FastifyRequest) => (req.params as { '*': string })['*'] ?? '';
    scope.put(
      `${ARTIFACTS}/*`,
      { config: { write: true } },
      async (req: FastifyRequest, reply: FastifyReply) => {
        await artifacts.put(pathOf(req), req.raw, maxBytes);
        return reply.status(200).send({});
      },
    );
    scope.get(`${ARTIFACTS}/*`, async (req, reply) => {
      const { stream, size } = await artifacts.open(pathOf(req));
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', size)
        .send(stream);
    });
    scope.delete(`${ARTIFACTS}/*`, { config: { write: true } }, async (req) => {
      await artifacts.delete(pathOf(req));
      return {};
    });
    scope.get(
      ARTIFACTS,
      { schema: { querystring: { type: 'object', properties: { path: text(4096) } } } },
      async (req) => ({ files: await artifacts.list((req.query as { path?: string }).path ?? '') }),
    );
  });

  app.get('/health', async () => ({ status: 'ok' }));
  registryMetrics(app);
  gracefulClose(app);
  return app;
}
