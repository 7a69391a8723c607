/**
 * What the logs and traces engines (loki, tempo, otel-collector, otel-logs) must agree on:
 * their release names, the in-cluster addresses one sends to the other, the pod labels their
 * NetworkPolicies select, and the Grafana datasource uids the dashboards use. One place, so a
 * renamed release cannot leave a dangling URL behind.
 */
import type { ResolvedEnvironment } from '../spec/model.js';

export const LOKI = 'loki';
export const TEMPO = 'tempo';
export const OTEL_COLLECTOR = 'otel-collector';
export const OTEL_LOGS = 'otel-logs';

/** Grafana datasource uids (dashboards and the trace↔log links refer to these). */
export const DATASOURCE_UIDS = { prometheus: 'prometheus', loki: 'loki', tempo: 'tempo' } as const;

/** The collector's own environment expansion (the chart sets MY_POD_IP): listen on the pod IP. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: expanded by the collector, not by JavaScript
export const POD_IP = '${env:MY_POD_IP}';

/** Loki's HTTP port (chart loki.server.http_listen_port); push, OTLP and queries all use it. */
export const LOKI_HTTP_PORT = 3100;
/** Tempo's query API (chart tempo.server.http_listen_port). */
export const TEMPO_HTTP_PORT = 3200;
/** OTLP over gRPC and over HTTP (the OpenTelemetry specification's default ports). */
export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;

/**
 * Every chart here labels its pods `app.kubernetes.io/instance: <release>` (Helm's recommended
 * labels: loki's, tempo's and opentelemetry-collector's `selectorLabels` helpers), so a
 * NetworkPolicy can single one release out in the shared monitoring namespace.
 */
export const releasePods = (release: string) => ({ 'app.kubernetes.io/instance': release });

/** `http://<service>.<namespace>.svc:<port>`; each chart's Service is named after the release. */
export function serviceUrl(env: ResolvedEnvironment, service: string, port: number): string {
  return `http://${service}.${env.platform.monitoringNamespace}.svc:${port}`;
}

const UNIT_MS: Record<string, number> = {
  y: 365 * 24 * 3600e3,
  w: 7 * 24 * 3600e3,
  d: 24 * 3600e3,
  h: 3600e3,
  m: 60e3,
  s: 1e3,
  ms: 1,
};

/** Milliseconds of a Prometheus duration (units y, w, d, h, m, s, ms; validated by the spec). */
export function durationMs(prometheus: string): number {
  let ms = 0;
  for (const m of prometheus.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}

/**
 * A Prometheus duration (what the spec takes: 7d, 2w, 12h) as a Go `time.Duration` string
 * (what Tempo's `block_retention` parses: no d, w or y units), e.g. 7d → 168h, 1d12h30m → 36h30m.
 * Prometheus counts a year as 365 days, as here.
 */
export function toGoDuration(prometheus: string): string {
  const ms = durationMs(prometheus);
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new Error(`not a positive duration: ${prometheus}`);
  const h = Math.floor(ms / 3600e3);
  const min = Math.floor((ms % 3600e3) / 60e3);
  const s = Math.floor((ms % 60e3) / 1e3);
  const rest = ms % 1e3;
  return `${h ? `${h}h` : ''}${min ? `${min}m` : ''}${s ? `${s}s` : ''}${rest ? `${rest}ms` : ''}`;
}
