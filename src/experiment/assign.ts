/**
 * Sticky assignment: the same request key (e.g. the `x-user-id` header) always lands in the same
 * variant, on every replica and after every restart, because the bucket is a hash of the key,
 * not a random draw. SHA-256 over `salt \0 key`: the salt (the experiment's name) keeps two
 * experiments' assignments independent, so a user is not in every experiment's challenger arm.
 * Keys are hashed as UTF-8; lone surrogates become U+FFFD first (Node's string encoding), so such
 * malformed keys may share a bucket, which costs nothing but stickiness between them.
 */
import { createHash } from 'node:crypto';

export interface Variant {
  readonly name: string;
  /** Share of traffic, any non-negative scale (weights are normalised). */
  readonly weight: number;
}

/** A uniform number in [0, 1) from the key: the top 52 bits of SHA-256(salt \0 key). */
export function bucket(key: string, salt = ''): number {
  const digest = createHash('sha256').update(`${salt}\u0000${key}`, 'utf8').digest();
  // 52 bits fit a double's mantissa exactly, so every value is distinct and < 1.
  const hi = digest.readUIntBE(0, 4); // 32 bits
  const lo = digest.readUIntBE(4, 3) >>> 4; // 20 bits
  return (hi * 2 ** 20 + lo) / 2 ** 52;
}

/** The variant for a key, by cumulative weight in the order given. */
export function assignVariant(key: string, variants: readonly Variant[], salt = ''): string {
  if (typeof key !== 'string') throw new TypeError('key must be a string');
  if (variants.length === 0) throw new RangeError('expected at least one variant');
  let total = 0;
  for (const v of variants) {
    if (!(Number.isFinite(v.weight) && v.weight >= 0))
      throw new RangeError(`weight of ${v.name} must be >= 0`);
    total += v.weight;
  }
  if (!(total > 0)) throw new RangeError('weights must not all be 0');
  const u = bucket(key, salt) * total;
  let acc = 0;
  for (const v of variants) {
    acc += v.weight;
    if (u < acc) return v.name;
  }
  // Rounding in `acc` can leave u just above the sum: the last variant with weight takes it.
  return [...variants].reverse().find((v) => v.weight > 0)!.name;
}
