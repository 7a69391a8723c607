/**
 * The model server (Fastify): the seed service's simple API (/predict, /predict/batch,
 * /health, /ready, /model/info, /metrics) and the Open Inference Protocol v2, both served from
 * the registry's champion and challenger versions. build() is separate from listen() so tests
 * use inject() without a port.
 */

import rateLimit from '@fastify/rate-limit';
import {
  defaultTextMapGetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { BearerTokens, bearerToken } from '../http/bearer.js';
import { gracefulClose } from '../http/shutdown.js';
import { ServingError, type ServingErrorCode } from './errors.js';
import { FeedbackLog, type FeedbackOptions, parseFeedback } from './feedback.js';
import {
  checkTexts,
  checkTextTensor,
  checkTokenTensor,
  DEFAULT_LIMITS,
  type Limits,
  predictTexts,
  runTokens,
} from './inference.js';
import { createMetrics, type ServingMetrics } from './metrics.js';
import type { LoadedModel, ModelPool } from './model-pool.js';
import {
  headerValues,
  isRequestId,
  REQUEST_ID_HEADER,
  requestIdFrom,
  USER_ID_HEADER,
  userIdFrom,
} from './request-id.js';
import { currentExperiment, type Routed, route, type TrafficSplit, VERSION_HEADER } from './router.js';
import { createTracing, type Tracing } from './tracing.js';

export interface ServingOptions {
  readonly pool: ModelPool;
  readonly split?: TrafficSplit;
  readonly limits?: Partial<Limits>;
  /** @default 1 MiB */
  readonly bodyLimit?: number;
  /**
   * Bearer token → identity (a team). When set, inference needs `Authorization: Bearer <token>`.
   * Looked up by constant-time digest comparison, never as an object key.
   */
  readonly tokens?: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Requests per window per verified identity (or, without one, per client address). */
  readonly rateLimit?: { readonly max: number; readonly timeWindowMs: number };
  readonly metrics?: ServingMetrics;
  readonly tracing?: Tracing;
  /** pino logger options, or false. @default false */
  readonly logger?: boolean | Record<string, unknown>;
  /** For the traffic split; injectable so tests are deterministic. @default Math.random */
  readonly random?: () => number;
  /** A/B feedback: the request-id log's bounds (100,000 ids, 24 h), or a log to share. */
  readonly feedback?: FeedbackOptions | FeedbackLog;
  /**
   * Local platform only (`mlp up --inject`, src/serving/fault.ts): runs before a version answers
   * and may delay it or throw. Configured at start, never from a request.
   */
  readonly fault?: { before(version: string): Promise<void> };
}

declare module 'fastify' {
  interface FastifyRequest {
    span?: Span;
    inference?: { model: string; version: string };
    /** Who a verified bearer token belongs to. */
    identity?: string;
    /** The id in the x-request-id response header (the handle for POST /feedback). */
    requestId?: string;
  }
  interface FastifyContextConfig {
    inference?: boolean;
  }
}

export const SERVER_NAME = 'mlp-model-server';

// A response schema lets Fastify compile a serializer for the hot path instead of JSON.stringify.
const PREDICTION_SCHEMA = {
  type: 'object',
  properties: {
    label: { type: 'string' },
    score: { type: 'number' },
    probabilities: {
      type: 'object',
      properties: { negative: { type: 'number' }, positive: { type: 'number' } },
    },
    model: { type: 'string' },
    model_version: { type: 'string' },
    requestId: { type: 'string' },
  },
} as const;
export const SERVER_VERSION = '0.1.0';

const MAX_INT32 = 2 ** 31 - 1;
const MODEL_PARAMS = {
  type: 'object',
  properties: {
    model: { type: 'string', minLength: 1, maxLength: 256 },
    version: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

function bodySchemas(limits: Limits) {
  const text = { type: 'string', maxLength: limits.maxTextLength } as const;
  const texts = { type: 'array', minItems: 1, maxItems: limits.maxBatch, items: text } as const;
  return {
    predict: { type: 'object', required: ['text'], properties: { text } },
    batch: { type: 'object', required: ['texts'], properties: { texts } },
    // The Open Inference Protocol's request: one input tensor (this model has one input).
    infer: {
      type: 'object',
      required: ['inputs'],
      properties: {
        id: { type: 'string', maxLength: 256 },
        parameters: { type: 'object' },
        inputs: {
          type: 'array',
          minItems: 1,
          maxItems: 1,
          items: {
            type: 'object',
            required: ['name', 'shape', 'datatype', 'data'],
            properties: {
              name: { type: 'string', maxLength: 256 },
              shape: {
                type: 'array',
                maxItems: 8,
                items: { type: 'integer', minimum: 0, maximum: MAX_INT32 },
              },
              datatype: { type: 'string', maxLength: 16 },
              parameters: { type: 'object' },
              data: { type: 'array' },
            },
          },
        },
        outputs: {
          type: 'array',
          maxItems: 8,
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string', maxLength: 256 }, parameters: { type: 'object' } },
          },
        },
      },
    },
  } as const;
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
}

/** A JSON-schema failure as the error the protocol promises for it. */
function validationCode(issues: readonly ValidationIssue[]): ServingErrorCode {
  const first = issues[0];
  if (!first) return 'MLP_INVALID_INPUT';
  if (/\/(text|texts\/\d+)$/.test(first.instancePath) && first.keyword === 'maxLength')
    return 'MLP_TEXT_TOO_LONG';
  if (/\/texts$/.test(first.instancePath) && first.keyword === 'maxItems') return 'MLP_BATCH_TOO_LARGE';
  if (/\/shape(\/\d+)?$/.test(first.instancePath)) return 'MLP_TENSOR_SHAPE';
  if (/\/datatype$/.test(first.instancePath)) return 'MLP_TENSOR_DATATYPE';
  return 'MLP_INVALID_INPUT';
}

export function buildServingApp(opts: ServingOptions): FastifyInstance {
  const { pool } = opts;
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const split = opts.split ?? { challengerPercent: 0 };
  const metrics = opts.metrics ?? createMetrics();
  const tracing = opts.tracing ?? createTracing();
  const random = opts.random ?? Math.random;
  const tokens = opts.tokens ? new BearerTokens(opts.tokens) : undefined;
  const schemas = bodySchemas(limits);
  const feedbackLog = opts.feedback instanceof FeedbackLog ? opts.feedback : new FeedbackLog(opts.feedback);
  const requestLogs =
    opts.logger === true ||
    (typeof opts.logger === 'object' &&
      ['trace', 'debug', 'info', undefined].includes(opts.logger.level as string));
  const app = Fastify({
    logger: opts.logger ?? false,
    // At warn level no request is logged unless it fails: skip Fastify's child logger per
    // request (a tenth of a /predict's cost); errors carry the trace id themselves.
    ...(requestLogs ? {} : { childLoggerFactory: (logger) => logger }),
    bodyLimit: opts.bodyLimit ?? 1 << 20,
    return503OnClosing: true,
    // A URL Fastify cannot decode (`%zz`) is answered in our shape, not Fastify's.
    frameworkErrors: (err, _req, reply) => {
      (reply as FastifyReply)
        .code(400)
        .send({ error: `bad request URL: ${err.message}`, code: 'MLP_BAD_REQUEST' });
    },
    // A string is a string: no coercion of client values into the types a schema expects.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allowUnionTypes: true } },
  });
  // JSON only: a text/plain body is a client mistake (415), not an empty request (422).
  app.removeContentTypeParser('text/plain');

  // Tracing: continue the caller's trace (W3C traceparent) and put the trace id in every log line.
  app.addHook('onRequest', async (req, reply) => {
    const parent = tracing.propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = tracing.tracer.startSpan(
      `${req.method} ${req.routeOptions.url ?? req.url}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'url.path': req.url.split('?')[0]! },
      },
      parent,
    );
    req.span = span;
    // Request logs carry the trace id. Only when they are written: a child logger per request is
    // a measurable share of a /predict, and at warn level errors add the ids themselves.
    if (requestLogs) {
      const ctx = span.spanContext();
      req.log = req.log.child({ trace_id: ctx.traceId, span_id: ctx.spanId });
      // Fastify logs "request completed" through the reply's logger: give it the trace id too.
      reply.log = req.log;
    }
    if (req.routeOptions.config?.inference) metrics.inFlight.inc({ model: pool.model });
  });
  app.addHook('onResponse', async (req, reply) => {
    if (req.routeOptions.config?.inference) {
      metrics.inFlight.dec({ model: pool.model });
      const version = req.inference?.version ?? 'none';
      metrics.requests.inc({ model: pool.model, version, code: String(reply.statusCode) });
      metrics.duration.observe({ model: pool.model, version }, reply.elapsedTime / 1000);
    }
    req.span?.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) req.span?.setStatus({ code: SpanStatusCode.ERROR });
    req.span?.end();
  });

  app.setErrorHandler(
    (err: Error & { statusCode?: number; code?: string; validation?: ValidationIssue[] }, req, reply) => {
      let e: ServingError;
      if (err instanceof ServingError) e = err;
      else if (err.validation) e = new ServingError(validationCode(err.validation), err.message);
      else if (err.statusCode === 413)
        e = new ServingError(
          'MLP_PAYLOAD_TOO_LARGE',
          `request body larger than ${req.routeOptions.bodyLimit ?? opts.bodyLimit ?? 1 << 20} bytes`,
        );
      else if (err.statusCode === 415)
        e = new ServingError('MLP_UNSUPPORTED_MEDIA_TYPE', 'send application/json');
      else if (err.statusCode === 429) e = new ServingError('MLP_RATE_LIMITED', err.message);
      else if (err.statusCode && err.statusCode < 500) e = new ServingError('MLP_BAD_REQUEST', err.message);
      else {
        const ctx = req.span?.spanContext();
        req.log.error({ err, trace_id: ctx?.traceId, span_id: ctx?.spanId }, 'request failed');
        e = new ServingError('MLP_INTERNAL', 'internal error');
      }
      return reply.status(e.status).send({ error: e.message, code: e.code });
    },
  );
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send({ error: `no route ${req.method} ${req.url.split('?')[0]}`, code: 'MLP_ROUTE_NOT_FOUND' }),
  );

  const limit = opts.rateLimit;
  if (limit) {
    // Registered before the routes below, so its route hook sees them.
    void app.register(rateLimit, {
      global: false,
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      // The verified identity, never a raw header: a client that varies its Authorization header
      // must not get a fresh allowance each time.
      keyGenerator: (req) => (req.identity !== undefined ? `id:${req.identity}` : `ip:${req.ip}`),
      errorResponseBuilder: (_req, ctx) =>
        new ServingError('MLP_RATE_LIMITED', `rate limit of ${ctx.max} requests per ${ctx.after} exceeded`),
    });
  }

  // Runs in onRequest, before the rate limiter's hook, so the limiter keys on what it verified.
  const authorize = async (req: FastifyRequest) => {
    if (!tokens) return;
    const token = bearerToken(req.headers.authorization);
    const identity = token === undefined ? undefined : tokens.identify(token);
    if (identity === undefined)
      throw new ServingError('MLP_UNAUTHORIZED', 'a valid bearer token is required');
    req.identity = identity;
  };

  const loadFailures = () =>
    [...pool.failures()].map(([alias, f]) => ({
      alias,
      version: f.version,
      error: f.error,
      at: f.at,
      attempts: f.attempts,
    }));
  const why = () => {
    const reason = pool.notReadyReason();
    return reason ? ` (${reason})` : '';
  };
  const notServed = (version: string) => {
    const failed = [...pool.failures().values()].find((f) => f.version === version);
    return new ServingError(
      'MLP_VERSION_NOT_FOUND',
      failed
        ? `version "${version}" of ${pool.model} failed to load: ${failed.error}`
        : `version "${version}" of ${pool.model} is not served`,
    );
  };

  /** Runs `fn` with one version held for the whole request, so an alias move cannot pull it away. */
  const withModel = async <T>(
    req: FastifyRequest,
    reply: FastifyReply,
    version: string,
    fn: (m: LoadedModel) => Promise<T>,
  ): Promise<T> => {
    const model = pool.acquire(version);
    if (!model) throw notServed(version);
    req.inference = { model: pool.model, version };
    reply.header(VERSION_HEADER, version);
    const span = tracing.tracer.startSpan(
      'model.infer',
      { attributes: { 'model.name': pool.model, 'model.version': version } },
      trace.setSpan(ROOT_CONTEXT, req.span!),
    );
    try {
      if (opts.fault) await opts.fault.before(version);
      return await fn(model);
    } finally {
      span.end();
      pool.release(model);
    }
  };

  const requestedVersion = (req: FastifyRequest) => {
    const h = req.headers[VERSION_HEADER];
    return Array.isArray(h) ? h[0] : h;
  };
  // Every inference response carries a request id, errors included: set before anything can fail.
  const assignRequestId = async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      req.requestId = requestIdFrom(headerValues(req.raw, REQUEST_ID_HEADER));
    } catch (err) {
      req.requestId = requestIdFrom(undefined);
      throw err;
    } finally {
      reply.header(REQUEST_ID_HEADER, req.requestId);
    }
  };
  const inferenceRoute = {
    config: {
      inference: true,
      ...(limit ? { rateLimit: { max: limit.max, timeWindow: limit.timeWindowMs } } : {}),
    },
    onRequest: tokens ? [assignRequestId, authorize] : [assignRequestId],
  };
  /** The version for this request: pinned by x-model-version, else the split (sticky with x-user-id). */
  const routeFor = (req: FastifyRequest): Routed =>
    route(pool, split, requestedVersion(req), random, userIdFrom(headerValues(req.raw, USER_ID_HEADER)));
  /** Remembers who served the request, for POST /feedback; counts the experiment's assignment. */
  const remember = (req: FastifyRequest, routed: Routed) => {
    const recorded = feedbackLog.served(req.requestId!, {
      model: pool.model,
      version: routed.version,
      ...(routed.experiment ? { experiment: routed.experiment, arm: routed.arm! } : {}),
      ...(req.identity !== undefined ? { identity: req.identity } : {}),
    });
    if (recorded && routed.experiment)
      metrics.assignments.inc({ model: pool.model, version: routed.version });
  };

  void app.register(async (scope) => {
    scope.post(
      '/predict',
      { ...inferenceRoute, schema: { body: schemas.predict, response: { 200: PREDICTION_SCHEMA } } },
      async (req, reply) => {
        const body = req.body as { text?: unknown } | undefined;
        const [text] = checkTexts([body?.text], limits, 'text');
        const routed = routeFor(req);
        const version = routed.version;
        const out = await withModel(req, reply, version, async (m) => {
          const [p] = await predictTexts(m, [text!]);
          return { ...p, model: pool.model, model_version: version, requestId: req.requestId! };
        });
        remember(req, routed);
        return out;
      },
    );

    scope.post(
      '/predict/batch',
      { ...inferenceRoute, schema: { body: schemas.batch } },
      async (req, reply) => {
        const texts = checkTexts((req.body as { texts?: unknown } | undefined)?.texts, limits, 'texts');
        const routed = routeFor(req);
        const version = routed.version;
        // One request id (and one outcome) for the whole batch.
        const out = await withModel(req, reply, version, async (m) => ({
          predictions: await predictTexts(m, texts),
          model: pool.model,
          model_version: version,
          requestId: req.requestId!,
        }));
        remember(req, routed);
        return out;
      },
    );

    // A/B feedback: the outcome of a request, attributed to the version that served it.
    scope.post(
      '/feedback',
      {
        bodyLimit: 4096,
        ...(limit ? { config: { rateLimit: { max: limit.max, timeWindow: limit.timeWindowMs } } } : {}),
        ...(tokens ? { onRequest: authorize } : {}),
      },
      async (req) => {
        const { requestId, positive } = parseFeedback(req.body, isRequestId);
        const result = feedbackLog.feedback(requestId, positive, req.identity);
        if (result.kind === 'not-found')
          throw new ServingError(
            'MLP_REQUEST_NOT_FOUND',
            `request ${requestId} is unknown here: never served by this server, or forgotten (kept ${Math.round(feedbackLog.ttlMs / 60_000)} min, at most ${feedbackLog.maxEntries} ids)`,
          );
        const r = result.request;
        if (result.kind === 'conflict')
          throw new ServingError(
            'MLP_FEEDBACK_CONFLICT',
            `request ${requestId} already has an outcome; the first one counts`,
          );
        const outcome = positive ? 'positive' : 'negative';
        if (r.experiment) metrics.feedback.inc({ model: r.model, version: r.version, outcome });
        // counted: false when the version was pinned (x-model-version, a version path) or no
        // experiment ran: the outcome is accepted but is no evidence about the split.
        return {
          requestId,
          model: r.model,
          version: r.version,
          outcome,
          counted: r.experiment !== undefined,
        };
      },
    );
    // The running experiment's counts, in the shape `mlp experiment status -f` reads.
    scope.get('/experiment', async () => {
      const e = currentExperiment(pool, split);
      if (!e) {
        const champion = pool.versionOf('champion');
        const challenger = pool.versionOf('challenger');
        throw new ServingError(
          'MLP_NO_EXPERIMENT',
          !challenger
            ? `no experiment: ${pool.model} has no challenger loaded`
            : challenger === champion
              ? `no experiment: challenger and champion are both version ${challenger}`
              : !champion
                ? `no experiment: ${pool.model} has no champion loaded`
                : `no experiment: the challenger gets ${split.challengerPercent} % of the traffic`,
        );
      }
      const c = feedbackLog.counts(e);
      return {
        model: e.model,
        split: [100 - e.challengerPercent, e.challengerPercent],
        champion: { version: e.champion, ...c.champion },
        challenger: { version: e.challenger, ...c.challenger },
      };
    });

    scope.get('/health', async () => ({ status: 'ok' }));
    scope.get('/ready', async (_req, reply) => {
      const ready = pool.ready();
      const reason = ready ? undefined : pool.notReadyReason();
      const failures = loadFailures();
      return reply.status(ready ? 200 : 503).send({
        ready,
        versions: Object.fromEntries(pool.aliases()),
        ...(reason ? { reason } : {}),
        ...(failures.length > 0 ? { load_failures: failures } : {}),
      });
    });
    scope.get('/model/info', async () => ({
      model_name: pool.model,
      ready: pool.ready(),
      versions: [...pool.aliases()].map(([alias, version]) => {
        const m = pool.loaded(version);
        return { alias, version, source: m?.source, loaded_at: m?.loadedAt };
      }),
      load_failures: loadFailures(),
      traffic: {
        champion: 100 - split.challengerPercent,
        challenger: split.challengerPercent,
        header: VERSION_HEADER,
      },
    }));
    scope.get('/metrics', async (_req, reply) =>
      reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
    );

    // Open Inference Protocol v2.
    scope.get('/v2/health/live', async () => ({ live: true }));
    scope.get('/v2/health/ready', async (_req, reply) => {
      const ready = pool.ready();
      const reason = ready ? undefined : pool.notReadyReason();
      return reply.status(ready ? 200 : 503).send({ ready, ...(reason ? { reason } : {}) });
    });
    scope.get('/v2', async () => ({ name: SERVER_NAME, version: SERVER_VERSION, extensions: [] }));

    const checkModel = (model: string) => {
      if (model !== pool.model)
        throw new ServingError(
          'MLP_MODEL_NOT_FOUND',
          `model "${model}" is not served; this server serves "${pool.model}"`,
        );
    };
    const modelFor = (params: { model: string; version?: string }): LoadedModel => {
      checkModel(params.model);
      const version = params.version ?? pool.versionOf('champion');
      const m = version ? pool.loaded(version) : undefined;
      if (!m) {
        if (!params.version)
          throw new ServingError('MLP_MODEL_NOT_READY', `no version of ${pool.model} is loaded yet${why()}`);
        throw notServed(params.version);
      }
      return m;
    };
    const metadata = async (req: FastifyRequest) => {
      const m = modelFor(req.params as { model: string; version?: string });
      const failures = loadFailures();
      return {
        name: m.name,
        versions: [...new Set(pool.aliases().values())],
        platform: 'onnxruntime_onnx',
        inputs: m.inputs,
        outputs: m.outputs,
        // OIP allows extra parameters: a version an alias points at that would not load.
        ...(failures.length > 0 ? { parameters: { load_failures: failures } } : {}),
      };
    };
    const modelReady = async (req: FastifyRequest, reply: FastifyReply) => {
      const p = req.params as { model: string; version?: string };
      checkModel(p.model);
      // A version nobody serves is unknown here: 404, as for metadata and infer.
      if (p.version) {
        if (!pool.loaded(p.version)) throw notServed(p.version);
        return { name: p.model, ready: true };
      }
      const ready = pool.ready();
      const reason = ready ? undefined : pool.notReadyReason();
      return reply.status(ready ? 200 : 503).send({ name: p.model, ready, ...(reason ? { reason } : {}) });
    };
    const infer = async (req: FastifyRequest, reply: FastifyReply) => {
      const p = req.params as { model: string; version?: string };
      checkModel(p.model);
      const body = req.body as {
        id?: string;
        inputs: { name: string; shape: number[]; datatype: string; data: unknown[] }[];
        outputs?: { name: string }[];
      };
      const input = body.inputs[0]!;
      // OIP's own request id: with no x-request-id header, a valid one is the request id too, so
      // the `id` in the response is what POST /feedback takes. One we cannot use is still echoed.
      if (req.headers[REQUEST_ID_HEADER] === undefined && isRequestId(body.id)) {
        req.requestId = body.id;
        reply.header(REQUEST_ID_HEADER, body.id);
      }
      if (p.version && !pool.loaded(p.version)) throw notServed(p.version);
      const routed: Routed = p.version ? { version: p.version, by: 'pinned' } : routeFor(req);
      const version = routed.version;
      const requested = body.outputs?.map((o) => o.name);
      const out = await withModel(req, reply, version, async (m) => {
        const output = m.outputs[0]!;
        if (requested?.some((n) => n !== output.name))
          throw new ServingError('MLP_INVALID_INPUT', `unknown output; this model has "${output.name}"`);
        let probs: Float32Array;
        let batch: number;
        if (input.name === 'text') {
          // Convenience: raw text as a BYTES tensor, tokenized here like /predict does.
          const texts = checkTextTensor(input, limits);
          const predictions = await predictTexts(m, texts);
          probs = new Float32Array(
            predictions.flatMap((x) => [x.probabilities.negative, x.probabilities.positive]),
          );
          batch = texts.length;
        } else if (input.name === m.inputs[0]!.name) {
          const t = checkTokenTensor(input, limits);
          probs = await runTokens(m, t.ids, t.batch, t.sequence);
          batch = t.batch;
        } else {
          throw new ServingError(
            'MLP_INVALID_INPUT',
            `unknown input "${String(input.name)}"; expected "${m.inputs[0]!.name}" (INT64) or "text" (BYTES)`,
          );
        }
        return {
          model_name: pool.model,
          model_version: version,
          // OIP (kserve.github.io, data-plane/v2-protocol): a request's optional `id` is returned in
          // the response; the response's `id` is itself optional, so without one we put ours there.
          id: body.id ?? req.requestId!,
          outputs: [{ name: output.name, shape: [batch, 2], datatype: 'FP32', data: Array.from(probs) }],
        };
      });
      remember(req, routed);
      return out;
    };
    for (const prefix of ['/v2/models/:model', '/v2/models/:model/versions/:version']) {
      scope.get(prefix, { schema: { params: MODEL_PARAMS } }, metadata);
      scope.get(`${prefix}/ready`, { schema: { params: MODEL_PARAMS } }, modelReady);
      scope.post(
        `${prefix}/infer`,
        { ...inferenceRoute, schema: { params: MODEL_PARAMS, body: schemas.infer } },
        infer,
      );
    }
  });

  // A version that will not load is counted and logged here, whatever the log level of the pool.
  const unsubscribe = pool.onLoadFailure((f, err) => {
    metrics.loadFailures.inc({ model: pool.model, version: f.version });
    const current = pool.versionOf(f.alias);
    app.log.error(
      { err, model: pool.model, alias: f.alias, version: f.version, source: f.source, attempts: f.attempts },
      `model ${pool.model} version ${f.version} (${f.alias}) failed to load: ${f.error}; ${current ? `still serving version ${current}` : `nothing served for ${f.alias}`}`,
    );
  });

  gracefulClose(app);
  app.addHook('onClose', async () => {
    unsubscribe();
    await pool.close();
    await tracing.shutdown();
  });
  return app;
}
