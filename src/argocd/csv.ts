/**
 * One policy line as Argo CD reads it: `util/rbac/rbac.go` `loadPolicyLine` runs Go's
 * `encoding/csv` Reader (TrimLeadingSpace, strict quotes) over the line, after `LoadPolicy`
 * split the policy on "\n" and `strings.TrimSpace`d each piece. So quotes protect commas
 * (`"my, group"`), `""` is a quote, a bare quote or text after a closing quote is an error,
 * trailing spaces inside a field are kept, and nothing can span lines.
 */

/** Go's unicode.IsSpace: Latin-1 spaces plus the White_Space property (not JavaScript's trim set). */
export function isGoSpace(ch: string): boolean {
  const c = ch.codePointAt(0) ?? -1;
  if (c <= 0xff) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0;
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** strings.TrimSpace */
export function goTrimSpace(s: string): string {
  const r = [...s];
  let a = 0;
  let b = r.length;
  while (a < b && isGoSpace(r[a] as string)) a++;
  while (b > a && isGoSpace(r[b - 1] as string)) b--;
  return r.slice(a, b).join('');
}

export type CsvResult = { ok: true; fields: string[] } | { ok: false; error: string };

/** encoding/csv Reader.Read on a single line with no "\n" (reader.go readRecord, LazyQuotes off). */
export function readCsvLine(line: string): CsvResult {
  const fields: string[] = [];
  let rest = line;
  for (;;) {
    let i = 0;
    const cps = [...rest];
    while (i < cps.length && isGoSpace(cps[i] as string)) i++;
    rest = cps.slice(i).join('');
    if (!rest.startsWith('"')) {
      const comma = rest.indexOf(',');
      const field = comma >= 0 ? rest.slice(0, comma) : rest;
      if (field.includes('"')) return { ok: false, error: 'bare " in non-quoted-field' };
      fields.push(field);
      if (comma < 0) return { ok: true, fields };
      rest = rest.slice(comma + 1);
      continue;
    }
    rest = rest.slice(1);
    let value = '';
    for (;;) {
      const q = rest.indexOf('"');
      // An unclosed quote at the end of the input is ErrQuote (there is no next line to read).
      if (q < 0) return { ok: false, error: 'extraneous or missing " in quoted-field' };
      value += rest.slice(0, q);
      rest = rest.slice(q + 1);
      if (rest.startsWith('"')) {
        value += '"';
        rest = rest.slice(1);
      } else if (rest.startsWith(',')) {
        fields.push(value);
        rest = rest.slice(1);
        break;
      } else if (rest === '') {
        fields.push(value);
        return { ok: true, fields };
      } else return { ok: false, error: 'extraneous or missing " in quoted-field' };
    }
  }
}
