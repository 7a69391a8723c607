/**
 * Text → token ids for the sentiment model. Tokens are lowercased words; words in the scope of
 * a negation become `not_<word>`, words after "but" are also emitted as `but_<word>`, so a
 * model can weigh negated and contrasted words differently. Ids are FNV-1a hashes into a fixed
 * vocabulary size; id 0 is reserved for padding.
 */

export const VOCAB_SIZE = 65_536;
export const PAD_ID = 0;
/** Longest token sequence a request may produce; longer texts are truncated. */
export const MAX_TOKENS = 512;

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'nothing',
  'none',
  'nobody',
  'neither',
  'nor',
  'without',
  'cannot',
]);
const NEGATION_SCOPE = 3;

export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function tokenId(token: string): number {
  return 1 + (fnv1a(token) % (VOCAB_SIZE - 1));
}

/** Tokens with negation and contrast marks, e.g. "not bad but great" → not_bad, great, but_great. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const words = text
    .toLowerCase()
    .replace(/n't\b/g, ' not')
    .split(/([.,;:!?]|\s+)/)
    .filter((w) => w && !/^\s+$/.test(w));
  let negation = 0;
  let afterBut = false;
  for (const raw of words) {
    if (/^[.;:!?]$/.test(raw)) {
      negation = 0;
      afterBut = false;
      continue;
    }
    if (raw === ',') {
      negation = 0;
      continue;
    }
    const word = raw.replace(/[^a-z0-9'-]/g, '');
    if (!word) continue;
    if (NEGATORS.has(word)) {
      negation = NEGATION_SCOPE;
      out.push(word);
      continue;
    }
    if (word === 'but') {
      negation = 0;
      afterBut = true;
      continue;
    }
    if (negation > 0) {
      out.push(`not_${word}`);
      negation--;
    } else out.push(word);
    if (afterBut) out.push(`but_${word}`);
  }
  return out;
}

/** Token ids of a batch, padded to the longest text: the model's `tokens` input. */
export function encodeBatch(texts: readonly string[]): { ids: BigInt64Array; length: number } {
  const lists = texts.map((t) => tokenize(t).slice(0, MAX_TOKENS).map(tokenId));
  const length = Math.max(1, ...lists.map((l) => l.length));
  const ids = new BigInt64Array(texts.length * length);
  lists.forEach((list, row) => {
    for (let i = 0; i < list.length; i++) ids[row * length + i] = BigInt(list[i]!);
  });
  return { ids, length };
}
