/** `--output table|json|yaml`: one place that formats results for people and for programs. */
import Table from 'cli-table3';
import { stringify } from 'yaml';
import { UsageError } from './io.js';

export type OutputFormat = 'table' | 'json' | 'yaml';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'yaml'];

export function parseOutput(value: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--output: expected one of ${OUTPUT_FORMATS.join(', ')}, received "${value}"`);
  }
  return value as OutputFormat;
}

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
