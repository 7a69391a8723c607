/**
 * A small strict parser of the Prometheus text exposition format (version 0.0.4, what
 * prom-client writes and `/metrics` serves): `# HELP` / `# TYPE` lines, other comments, and
 * samples `name{label="value",…} value [timestamp]`. Written here because no parser is
 * installed (prom-client only writes the format; `parse-prometheus-text-format` would be the
 * package to add). Grammar from the format's reference (prometheus/docs
 * content/docs/instrumenting/exposition_formats.md): label values escape `\\`, `\"` and `\n`;
 * values are Go floats including `NaN`, `+Inf`, `-Inf`.
 *
 * Labels are kept in a Map: a label named `__proto__` or `constructor` is data, never a key of
 * an object's prototype. Anything malformed throws with its line number.
 */

export interface PromSample {
  readonly name: string;
  readonly labels: ReadonlyMap<string, string>;
  readonly value: number;
}

/** Larger than any /metrics of one model server by far; a guard against a runaway response. */
export const MAX_EXPOSITION_BYTES = 16 * 1024 * 1024;
const MAX_LABELS = 64;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Inf|inf)$|^NaN$/;

export class PromTextError extends Error {
  override readonly name = 'PromTextError';
}

function parseValue(text: string, where: string): number {
  if (!FLOAT.test(text)) throw new PromTextError(`${where}: "${text.slice(0, 40)}" is not a number`);
  if (/Inf|inf/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** Parses a whole exposition; throws PromTextError naming the line on anything malformed. */
export function parsePromText(text: string): PromSample[] {
  if (typeof text !== 'string') throw new PromTextError('exposition: expected text');
  if (text.length > MAX_EXPOSITION_BYTES)
    throw new PromTextError(`exposition: larger than ${MAX_EXPOSITION_BYTES} bytes`);
  const out: PromSample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    const where = `line ${n + 1}`;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) throw new PromTextError(`${where}: expected a metric name`);
    let i = name.length;
    const labels = new Map<string, string>();
    if (line[i] === '{') {
      i++;
      while (true) {
        while (line[i] === ' ' || line[i] === '\t') i++;
        if (line[i] === '}') {
          i++;
          break;
        }
        const label = LABEL_NAME.exec(line.slice(i))?.[0];
        if (!label) throw new PromTextError(`${where}: expected a label name at column ${i + 1}`);
        i += label.length;
        if (line[i] !== '=' || line[i + 1] !== '"')
          throw new PromTextError(`${where}: expected ="…" after label ${label}`);
        i += 2;
        let value = '';
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\') {
            const next = line[i + 1];
            if (next === '\\' || next === '"') value += next;
            else if (next === 'n') value += '\n';
            else throw new PromTextError(`${where}: bad escape \\${next ?? ''} in label ${label}`);
            i += 2;
          } else value += line[i++];
        }
        if (line[i] !== '"') throw new PromTextError(`${where}: unterminated value of label ${label}`);
        i++;
        if (labels.has(label)) throw new PromTextError(`${where}: label ${label} given twice`);
        if (labels.size >= MAX_LABELS) throw new PromTextError(`${where}: more than ${MAX_LABELS} labels`);
        labels.set(label, value);
        while (line[i] === ' ' || line[i] === '\t') i++;
        if (line[i] === ',') i++;
        else if (line[i] !== '}') throw new PromTextError(`${where}: expected , or } after label ${label}`);
      }
    }
    if (line[i] !== ' ' && line[i] !== '\t')
      throw new PromTextError(`${where}: expected a space before the value`);
    const rest = line
      .slice(i)
      .trim()
      .split(/[ \t]+/);
    if (rest.length < 1 || rest.length > 2 || rest[0] === '')
      throw new PromTextError(`${where}: expected a value and an optional timestamp`);
    if (rest[1] !== undefined && !/^-?\d{1,19}$/.test(rest[1]))
      throw new PromTextError(`${where}: timestamp "${rest[1].slice(0, 40)}" is not an integer`);
    out.push({ name, labels, value: parseValue(rest[0]!, where) });
  }
  return out;
}
