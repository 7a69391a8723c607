/**
 * Panels read only series the catalogue lists (src/observability/catalogue.ts): a panel whose
 * metric is not there is left out rather than shipped empty, and `observability.metric-exported`
 * would fail it anyway. When an exporter's entry lands in the catalogue, its panel appears.
 */
import { buildCatalogue } from '../catalogue.js';

let catalogue: ReadonlyMap<string, unknown> | undefined;

/** Does some exporter of the catalogue produce every one of these series? */
export function exported(...series: readonly string[]): boolean {
  catalogue ??= buildCatalogue();
  return series.every((s) => catalogue!.has(s));
}
