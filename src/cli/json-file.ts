/**
 * Reads a JSON document a user hands a command (recorded metrics, experiment counts): capped in
 * size, strict UTF-8, no prototype keys, and every problem reported as a UsageError with the file
 * and, past parsing, the JSON path (`$.measurements[0][1].requests`).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { UsageError } from './io.js';

/** Recorded metrics and counts are small; a bigger file is a mistake, not data. */
export const MAX_JSON_BYTES = 1024 * 1024;

// Keys that would reach an object's prototype if anyone ever merged this input with `obj[key] =`.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Reads at most MAX_JSON_BYTES + 1 bytes through a descriptor, so `/dev/zero`, a FIFO or a
 * 10 GB file never gets loaded whole (a size from stat() says nothing about devices).
 */
function readCapped(path: string, label: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${label}: cannot read ${path}${code ? ` (${code})` : ''}`);
  }
  try {
    const buf = Buffer.alloc(MAX_JSON_BYTES + 1);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
    }
    if (got > MAX_JSON_BYTES) {
      throw new UsageError(
        `${label}: ${path} is larger than ${MAX_JSON_BYTES} bytes (the limit for this input)`,
      );
    }
    return buf.subarray(0, got);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${label}: cannot read ${path}${code ? ` (${code})` : ''}`);
  } finally {
    closeSync(fd);
  }
}

/** The JSON path of a key below `path`: `$.a`, `$["odd key"]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function rejectForbiddenKeys(value: unknown, path: string, where: string): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      rejectForbiddenKeys(v, childPath(path, i), where);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key))
        throw new UsageError(`${where}: ${childPath(path, key)}: key "${key}" is not allowed`);
      rejectForbiddenKeys((value as Record<string, unknown>)[key], childPath(path, key), where);
    }
  }
}

/**
 * V8's reason without the copy of the input it sometimes appends (`Unexpected token 'r',
 * "root:x:0:0"... is not valid JSON`): a file handed over by mistake should not be echoed to the
 * terminal. The position, when V8 gives one, stays: `… at position 4 (line 1 column 5)`.
 */
export function jsonSyntaxReason(err: Error): string {
  if (err instanceof RangeError) return 'nested too deeply';
  const first = String(err.message).split('\n')[0] ?? '';
  if (/^".*"(?:\.\.\.)? is not valid JSON$/s.test(first)) return 'not a JSON value';
  return first.replace(/, ".*"(?:\.\.\.)? is not valid JSON$/s, '');
}

/** Parses `path` as JSON; `label` names the flag (`-f`, `--steps`) in messages. */
export function readJsonFile(path: string, label: string): unknown {
  const bytes = readCapped(path, label);
  let text: string;
  try {
    // fatal: a Latin-1 or UTF-16 file is an error, not a string of U+FFFD. A UTF-8 BOM is dropped.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`${label}: ${path} is not valid UTF-8`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${label}: ${path} is not valid JSON: ${jsonSyntaxReason(err as Error)}`);
  }
  try {
    rejectForbiddenKeys(value, '$', `${label}: ${path}`);
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(`${label}: ${path} is nested too deeply`);
    throw err;
  }
  return value;
}
