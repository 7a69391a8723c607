/** IPv4 addresses and CIDRs, for NetworkPolicy ipBlock peers. */

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function cidrContains(cidr: string, ip: number): boolean {
  const [base, bitsText] = cidr.split('/');
  const b = parseIPv4(base ?? '');
  const bits = Number(bitsText ?? '32');
  if (b === undefined || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  const start = Math.floor(b / size) * size;
  return ip >= start && ip < start + size;
}
