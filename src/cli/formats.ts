/**
 * Output format flags, parsed before any command module loads. Kept apart from output.ts so that
 * building the command line (and `mlp --version`) never loads the table and YAML libraries.
 */
import { UsageError } from './io.js';

export type OutputFormat = 'table' | 'json' | 'yaml';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'yaml'];

export function parseOutput(value: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`--output: expected one of ${OUTPUT_FORMATS.join(', ')}, received "${value}"`);
  }
  return value as OutputFormat;
}

/** `mlp check` also speaks SARIF, for code-scanning tools. */
export type CheckOutput = OutputFormat | 'sarif';

export function parseCheckOutput(value: string): CheckOutput {
  return value === 'sarif' ? value : parseOutput(value);
}
