/**
 * Grafana's datasources for logs and traces, with the links between them, as provisioning
 * entries (https://grafana.com/docs/grafana/latest/administration/provisioning/#data-sources)
 * for kube-prometheus-stack's `grafana.additionalDataSources` (its
 * templates/grafana/configmaps-datasources.yaml appends them after the chart's own Prometheus
 * datasource, whose uid is `grafana.sidecar.datasources.uid`).
 *
 * - Loki → Tempo: derived fields turn a trace id into a link to the trace. Two sources of it:
 *   OTLP logs carry `trace_id` as structured metadata (matcherType label), and the pods' JSON or
 *   logfmt lines (the model server's pino lines: `"trace_id":"<32 hex>"`) carry it in the text
 *   (matcherType regex, the first capture group is the value; Grafana's frontend runs it as a
 *   JavaScript RegExp).
 * - Tempo → Loki: tracesToLogsV2 opens the logs of the trace's time range that carry its id.
 */
import type { ResolvedEnvironment } from '../spec/model.js';
import { DATASOURCE_UIDS, LOKI, LOKI_HTTP_PORT, serviceUrl, TEMPO, TEMPO_HTTP_PORT } from './telemetry.js';

/** A trace id in a JSON (`"trace_id":"…"`) or logfmt (`trace_id=…`) line: 32 hex digits (W3C). */
export const TRACE_ID_IN_LINE = '\\btrace_id"?\\s*[=:]\\s*"?([0-9a-fA-F]{32})\\b';

/**
 * Logs of one trace, whatever shipped them: `| json` exposes a JSON line's trace_id field, and
 * OTLP logs' structured metadata trace_id matches the same filter. Loki gives every stream a
 * service_name (unknown_service when none), so the selector matches all streams.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana variable, expanded by Grafana
export const LOGS_OF_TRACE = '{service_name=~".+"} | json | trace_id="${__trace.traceId}"';

/** Grafana's variable for the derived field's matched value: the link goes to that trace id. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana variable, expanded by Grafana
const MATCHED_VALUE = '${__value.raw}';

export function logsAndTracesDatasources(env: ResolvedEnvironment): Record<string, unknown>[] {
  return [
    {
      name: 'Loki',
      type: 'loki',
      uid: DATASOURCE_UIDS.loki,
      url: serviceUrl(env, LOKI, LOKI_HTTP_PORT),
      access: 'proxy',
      editable: false,
      jsonData: {
        derivedFields: [
          {
            name: 'trace_id',
            matcherType: 'label',
            matcherRegex: 'trace_id',
            datasourceUid: DATASOURCE_UIDS.tempo,
            url: MATCHED_VALUE,
            urlDisplayLabel: 'Trace',
          },
          {
            name: 'trace_id in line',
            matcherType: 'regex',
            matcherRegex: TRACE_ID_IN_LINE,
            datasourceUid: DATASOURCE_UIDS.tempo,
            url: MATCHED_VALUE,
            urlDisplayLabel: 'Trace',
          },
        ],
      },
    },
    {
      name: 'Tempo',
      type: 'tempo',
      uid: DATASOURCE_UIDS.tempo,
      url: serviceUrl(env, TEMPO, TEMPO_HTTP_PORT),
      access: 'proxy',
      editable: false,
      jsonData: {
        tracesToLogsV2: {
          datasourceUid: DATASOURCE_UIDS.loki,
          // Log lines are written around the span, not exactly within it.
          spanStartTimeShift: '-5m',
          spanEndTimeShift: '5m',
          filterByTraceID: true,
          customQuery: true,
          query: LOGS_OF_TRACE,
        },
        tracesToMetrics: { datasourceUid: DATASOURCE_UIDS.prometheus },
        serviceMap: { datasourceUid: DATASOURCE_UIDS.prometheus },
        lokiSearch: { datasourceUid: DATASOURCE_UIDS.loki },
        nodeGraph: { enabled: true },
      },
    },
  ];
}
