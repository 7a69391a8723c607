/**
 * SLOs: per objective of the spec, the error budget remaining and the burn rate over the
 * alerting windows, read from the recording rules src/observability/slo.ts emits
 * (`slo:error_budget_remaining:ratio`, `slo:sli_error:ratio_rate<window>`, labels slo/sli/model)
 * — the same series the burn-rate alerts evaluate, so the dashboard and the pager agree.
 */
import type { Dashboard } from '@grafana/schema';
import { promqlNumber, promqlString } from '../promql.js';
import {
  BURN_RATE_PAIRS,
  burnRate,
  type Objective,
  objectivesOf,
  RECORD_BUDGET_REMAINING,
  RECORD_ERROR_RATIO,
} from '../slo.js';
import type { SloSpec } from '../types.js';
import { dashboard, type PanelDraft, panel, promTargets } from './grafana.js';

function panelsOf(o: Objective): PanelDraft[] {
  const sel = `{slo=${promqlString(o.slo)},sli=${promqlString(o.sli)}}`;
  const budget = 1 - o.objective;
  const name = `${o.slo} ${o.sli}`;
  const target =
    o.sli === 'availability'
      ? `${promqlNumber(o.objective * 100)} % not 5xx`
      : `${promqlNumber(o.objective * 100)} % under ${promqlNumber(o.thresholdSeconds! * 1000)} ms`;
  const page = BURN_RATE_PAIRS.find((p) => p.action === 'page')!;
  const ticket = BURN_RATE_PAIRS.find((p) => p.action === 'ticket')!;
  const longWindows = BURN_RATE_PAIRS.map((p) => p.long);
  return [
    panel({
      title: `${name}: error budget remaining (${o.window})`,
      description: `Objective ${target} over ${o.window}. 1 = untouched, 0 = spent, below 0 = overspent.`,
      type: 'stat',
      width: 6,
      unit: 'percentunit',
      thresholds: [
        { value: 0, color: 'red' },
        { value: 0.25, color: 'orange' },
        { value: 0.5, color: 'green' },
      ],
      targets: promTargets([{ expr: `${RECORD_BUDGET_REMAINING}${sel}`, instant: true }]),
    }),
    panel({
      title: `${name}: error budget remaining over time`,
      type: 'timeseries',
      width: 6,
      unit: 'percentunit',
      targets: promTargets([{ expr: `${RECORD_BUDGET_REMAINING}${sel}`, legend: 'remaining' }]),
    }),
    panel({
      title: `${name}: burn rate`,
      description: `Error ratio divided by the budget (${promqlNumber(budget * 100)} %): at 1 the budget lasts exactly ${o.window}. Lines: paging at ${burnRate(page, o.window)}×, ticket at ${burnRate(ticket, o.window)}× (over the long and the short window both).`,
      type: 'timeseries',
      width: 12,
      thresholds: [
        { value: burnRate(ticket, o.window), color: 'orange' },
        { value: burnRate(page, o.window), color: 'red' },
      ],
      thresholdLine: true,
      targets: promTargets(
        longWindows.map((w) => ({
          expr: `${RECORD_ERROR_RATIO}${w}${sel} / ${promqlNumber(budget)}`,
          legend: w,
        })),
      ),
    }),
  ];
}

/** One row of panels per objective; undefined when the environment declares no SLOs. */
export function sloDashboard(slos: readonly SloSpec[]): Dashboard | undefined {
  const objectives = objectivesOf(slos);
  if (objectives.length === 0) return undefined;
  return dashboard({
    uid: 'mlp-slos',
    title: 'MLP / SLOs',
    description:
      'Error budget remaining and burn rate per SLO, from the recording rules the burn-rate alerts use.',
    tags: ['slo'],
    from: 'now-7d',
    panels: objectives.flatMap(panelsOf),
  });
}
