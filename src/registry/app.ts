/**
 * The registry's HTTP API: MLflow's Model Registry REST API under /api/2.0/mlflow/ and its
 * artifact proxy under /api/2.0/mlflow-artifacts/, so MLflow clients work unchanged.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { gracefulClose } from '../http/shutdown.js';
import type { ArtifactStore } from './artifacts.js';
import { MlflowError } from './errors.js';
import type { RegistryStore } from './store.js';

export interface RegistryAppOptions {
  readonly store: RegistryStore;
  readonly artifacts: ArtifactStore;
  /** @default 1 GiB */
  readonly maxArtifactBytes?: number;
  readonly logger?: boolean;
}

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
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: 1 << 20 });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof MlflowError)
      return reply.status(err.status).send({ error_code: err.code, message: err.message });
    if (err.statusCode && err.statusCode < 500) {
      return reply.status(err.statusCode).send({
        error_code: err.statusCode === 413 ? 'INVALID_PARAMETER_VALUE' : 'BAD_REQUEST',
        message: err.message,
      });
    }
    reply.log.error(err);
    return reply.status(500).send({ error_code: 'INTERNAL_ERROR', message: 'internal error' });
  });
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
  ) =>
    app.route({
      method,
      url: `${API}/${path}`,
      handler: async (req: FastifyRequest) => (await handler(params(req))) ?? {},
    });

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
    const pathOf = (req: FastifyRequest) => {
      try {
        return decodeURIComponent((req.params as { '*': string })['*'] ?? '');
      } catch {
        throw new MlflowError('INVALID_PARAMETER_VALUE', 'Invalid artifact path encoding');
      }
    };
    scope.put(`${ARTIFACTS}/*`, async (req: FastifyRequest, reply: FastifyReply) => {
      await artifacts.put(pathOf(req), req.raw, maxBytes);
      return reply.status(200).send({});
    });
    scope.get(`${ARTIFACTS}/*`, async (req, reply) => {
      const { stream, size } = await artifacts.open(pathOf(req));
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', size)
        .send(stream);
    });
    scope.delete(`${ARTIFACTS}/*`, async (req) => {
      await artifacts.delete(pathOf(req));
      return {};
    });
    scope.get(ARTIFACTS, async (req) => ({
      files: await artifacts.list(String((req.query as Params).path ?? '')),
    }));
  });

  app.get('/health', async () => ({ status: 'ok' }));
  gracefulClose(app);
  return app;
}
