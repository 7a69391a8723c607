/**
 * The few Go-template forms our alert annotations use, rendered the way Prometheus does
 * (template/template.go): `$labels.x`, `$value` (fmt %v of a float64: shortest round-trip,
 * exponent only below 1e-4 or from 1e21), `humanizePercentage` (`%.4g%%` of v×100) and
 * `printf "%.Nf"`. Anything else throws, so an annotation this cannot predict fails loudly.
 */

function goG(v: number, precision: number): string {
  if (v === 0) return '0';
  const [mant, expText] = v.toExponential(precision - 1).split('e') as [string, string];
  const exp = Number(expText);
  const strip = (s: string) => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= precision) {
    const sign = exp < 0 ? '-' : '+';
    return `${strip(mant)}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return strip(v.toFixed(Math.max(0, precision - 1 - exp)));
}

function goV(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    const [mant, exp] = v.toExponential().split('e') as [string, string];
    const n = Number(exp);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(v);
}

export function renderTemplate(
  text: string,
  labels: Readonly<Record<string, string>>,
  value: number,
): string {
  return text.replace(/\{\{\s*(.*?)\s*\}\}/g, (_, inner: string) => {
    const label = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(inner);
    if (label) {
      if (!Object.hasOwn(labels, label[1]!))
        throw new Error(`expected labels lack ${label[1]} used by: ${text}`);
      return labels[label[1]!]!;
    }
    if (inner === '$value') return goV(value);
    if (inner === '$value | humanizePercentage') return `${goG(value * 100, 4)}%`;
    const printf = /^\$value \| printf "%\.(\d)f"$/.exec(inner);
    if (printf) return value.toFixed(Number(printf[1]));
    throw new Error(`template form not modelled by the test: {{ ${inner} }}`);
  });
}
