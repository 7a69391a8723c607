/** `--output table|json|yaml`: one place that formats results for people and for programs. */
import Table from 'cli-table3';
import { stringify } from 'yaml';
import type { OutputFormat } from './formats.js';

export type { OutputFormat } from './formats.js';

/** Machine formats print `data`; the table format prints what `human` renders. */
export function emit(format: OutputFormat, data: unknown, human: () => string): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  if (format === 'yaml') return stringify(data, { lineWidth: 0 });
  return human();
}

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const t = new Table({ head: [...head], style: { head: [], border: [] }, wordWrap: true });
  for (const r of rows) t.push([...r]);
  return `${t.toString()}\n`;
}
