/**
 * OpenTelemetry tracing: W3C `traceparent` in, spans out over OTLP/HTTP when an endpoint is
 * configured (OTEL_EXPORTER_OTLP_ENDPOINT or an explicit exporter, e.g. in tests).
 */
import { type Tracer, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

export interface Tracing {
  readonly tracer: Tracer;
  readonly propagator: W3CTraceContextPropagator;
  shutdown(): Promise<void>;
}

export function createTracing(
  opts: { exporter?: SpanExporter; otlpEndpoint?: string; serviceName?: string } = {},
): Tracing {
  const processors = [];
  if (opts.exporter) processors.push(new SimpleSpanProcessor(opts.exporter));
  const endpoint = opts.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint)
    processors.push(
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` })),
    );
  // A provider of our own (not the global one), so several servers in one process stay apart.
  // With nowhere to send spans, sample none: spans still carry the caller's trace id into the
  // logs, but recording them would only cost time on the hot path.
  const provider = new NodeTracerProvider({
    spanProcessors: processors,
    ...(processors.length === 0 ? { sampler: new AlwaysOffSampler() } : {}),
  });
  return {
    tracer: provider.getTracer(opts.serviceName ?? 'mlp-model-server'),
    propagator: new W3CTraceContextPropagator(),
    shutdown: () => provider.shutdown(),
  };
}

export { trace };
