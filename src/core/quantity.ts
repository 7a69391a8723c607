/**
 * Kubernetes resource quantities (`500m`, `2`, `64Gi`, `1e3`), parsed exactly as the API server
 * accepts them. Values are kept as milli-units in a JS number: exact for anything a cluster
 * holds below ~9 PB, which covers every quota we render.
 */

// The grammar from k8s.io/apimachinery resource.Quantity: signed number, then a binary suffix,
// a decimal SI suffix, or a decimal exponent.
export const QUANTITY_PATTERN =
  '^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d+)?$';
const QUANTITY_RE = new RegExp(QUANTITY_PATTERN);

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

export function isQuantity(text: string): boolean {
  return QUANTITY_RE.test(text);
}

/** Parses a quantity into milli-units; `undefined` when the text is not a quantity. */
export function parseQuantity(input: string | number): number | undefined {
  const text = typeof input === 'number' ? String(input) : input.trim();
  const m = QUANTITY_RE.exec(text);
  if (!m) return undefined;
  const suffix = m[3] ?? '';
  const numberPart = text.slice(0, text.length - suffix.length);
  const value = Number(numberPart);
  let factor: number;
  if (suffix in BINARY) factor = BINARY[suffix]!;
  else if (suffix in DECIMAL) factor = DECIMAL[suffix]!;
  else factor = 10 ** Number(suffix.slice(1));
  // Round to milli-units: the API server rounds sub-milli values up, we do the same.
  return Math.ceil(value * factor * 1000 - 1e-6);
}

/** Like parseQuantity but throws: for values already validated by the spec schema. */
export function milli(input: string | number): number {
  const v = parseQuantity(input);
  if (v === undefined) throw new Error(`not a Kubernetes quantity: ${String(input)}`);
  return v;
}

/** Formats milli-units back into a short canonical quantity for messages. */
export function formatQuantity(milliValue: number, kind: 'cpu' | 'bytes' | 'count' = 'count'): string {
  if (kind === 'bytes') {
    const bytes = milliValue / 1000;
    for (const s of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const) {
      const f = BINARY[s]!;
      if (bytes >= f && bytes % f === 0) return `${bytes / f}${s}`;
    }
    return String(bytes);
  }
  if (milliValue % 1000 === 0) return String(milliValue / 1000);
  return `${milliValue}m`;
}
