/**
 * Logs: error rate per namespace from Loki (LogQL), and the error lines themselves. Two views of
 * "error": a case-insensitive word match works for any log format; the model server and
 * registry log JSON through pino, whose `level` is numeric (50 = error, 60 = fatal), so for them
 * the parsed level is exact. Lines that are not JSON drop out of the second query through
 * `__error__=""` instead of failing it.
 */
import type { Dashboard } from '@grafana/schema';
import { customVariable, dashboard, LOKI, lokiTargets, panel } from './grafana.js';

const STREAM = '{namespace=~"$namespace"}';
// A raw (backquoted) LogQL string: the regex needs no escaping.
const ERROR_WORDS = '|~ `(?i)\\b(error|fatal|panic)\\b`';

export function logsDashboard(namespaces: readonly string[]): Dashboard {
  return dashboard({
    uid: 'mlp-logs',
    title: 'MLP / Logs',
    description: 'Error rate per namespace from Loki, and the latest error lines.',
    tags: ['logs'],
    from: 'now-1h',
    variables: [customVariable('namespace', 'Namespace', namespaces)],
    panels: [
      panel({
        title: 'Error lines/s per namespace',
        type: 'timeseries',
        datasource: LOKI,
        unit: 'short',
        width: 12,
        targets: lokiTargets([
          {
            expr: `sum by (namespace) (rate(${STREAM} ${ERROR_WORDS} [$__auto]))`,
            legend: '{{namespace}}',
          },
        ]),
      }),
      panel({
        title: 'Error share of log lines per namespace',
        type: 'timeseries',
        datasource: LOKI,
        unit: 'percentunit',
        min: 0,
        width: 12,
        targets: lokiTargets([
          {
            expr: `sum by (namespace) (count_over_time(${STREAM} ${ERROR_WORDS} [$__auto])) / sum by (namespace) (count_over_time(${STREAM} [$__auto]))`,
            legend: '{{namespace}}',
          },
        ]),
      }),
      panel({
        title: 'JSON logs at level error or fatal (pino level ≥ 50)',
        type: 'timeseries',
        datasource: LOKI,
        width: 24,
        targets: lokiTargets([
          {
            expr: `sum by (namespace) (count_over_time(${STREAM} | json | __error__="" | level >= 50 [$__auto]))`,
            legend: '{{namespace}}',
          },
        ]),
      }),
      panel({
        title: 'Error lines',
        type: 'logs',
        datasource: LOKI,
        width: 24,
        height: 12,
        options: { showTime: true, sortOrder: 'Descending', wrapLogMessage: true, enableLogDetails: true },
        targets: lokiTargets([{ expr: `${STREAM} ${ERROR_WORDS}` }]),
      }),
    ],
  });
}
