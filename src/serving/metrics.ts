/**
 * Prometheus metrics with the labels the SLO queries use: `code` is the HTTP status, so
 * `code=~"5.."` matches errors; latency buckets bracket the 200 ms and 500 ms objectives.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface ServingMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'model' | 'version' | 'code'>;
  readonly duration: Histogram<'model' | 'version'>;
  readonly inFlight: Gauge<'model'>;
  readonly loadFailures: Counter<'model' | 'version'>;
  /** Requests the experiment's split assigned to a version (x-model-version pins excluded). */
  readonly assignments: Counter<'model' | 'version'>;
  /** Outcomes reported by POST /feedback for those requests; outcome is positive or negative. */
  readonly feedback: Counter<'model' | 'version' | 'outcome'>;
}

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5];

export function createMetrics(): ServingMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'inference_requests_total',
      help: 'Inference requests by model, version and HTTP status code',
      labelNames: ['model', 'version', 'code'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'inference_request_duration_seconds',
      help: 'Inference request latency',
      labelNames: ['model', 'version'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'inference_in_flight_requests',
      help: 'Inference requests being processed',
      labelNames: ['model'],
      registers: [registry],
    }),
    loadFailures: new Counter({
      name: 'model_load_failures_total',
      help: 'Model versions that failed to download or load',
      labelNames: ['model', 'version'],
      registers: [registry],
    }),
    assignments: new Counter({
      name: 'inference_experiment_assignments_total',
      help: 'Requests assigned to a version by the A/B split (sticky by x-user-id, else random)',
      labelNames: ['model', 'version'],
      registers: [registry],
    }),
    feedback: new Counter({
      name: 'inference_feedback_total',
      help: 'Outcomes reported by POST /feedback for requests of the A/B split, by serving version',
      labelNames: ['model', 'version', 'outcome'],
      registers: [registry],
    }),
  };
}
