/** Helpers for spec tests: parse edited copies of the example and list the located problems. */
import { formatIssue, SpecError } from '../src/spec/errors.js';
import { parseSpec } from '../src/spec/load.js';
import { exampleText } from './helpers.js';

/** Parses and returns the formatted issues (empty when valid). */
export function problems(text: string): string[] {
  try {
    parseSpec(text, 'p.yaml');
    return [];
  } catch (err) {
    if (!(err instanceof SpecError)) throw err;
    return err.issues.map(formatIssue);
  }
}

/** The example with `from` replaced by `to` (which must be found). */
export const replace = (from: string, to: string, text = exampleText()) => {
  if (!text.includes(from)) throw new Error(`fixture text not found: ${from}`);
  return text.replace(from, to);
};

export const lineOf = (text: string, needle: string) =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1;
