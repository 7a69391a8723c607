/** Accuracy of an ONNX sentiment model on a labelled TSV set (`label<TAB>text`, # comments). */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { encodeBatch } from './featurize.js';
import { LABELS } from './onnx-graph.js';

export interface Example {
  readonly label: (typeof LABELS)[number];
  readonly text: string;
}

export function readExamples(path: string): Example[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((line, i) => {
      const [label, text] = line.split('\t');
      if (!LABELS.includes(label as Example['label']) || !text)
        throw new Error(`${path}: line ${i + 1}: expected "label<TAB>text"`);
      return { label: label as Example['label'], text };
    });
}

export async function predict(
  session: ort.InferenceSession,
  texts: readonly string[],
): Promise<Float32Array> {
  const { ids, length } = encodeBatch(texts);
  const out = await session.run({ tokens: new ort.Tensor('int64', ids, [texts.length, length]) });
  return out.probabilities!.data as Float32Array;
}

export async function accuracy(model: Uint8Array, examples: readonly Example[]): Promise<number> {
  const session = await ort.InferenceSession.create(model);
  try {
    const probs = await predict(
      session,
      examples.map((e) => e.text),
    );
    let correct = 0;
    examples.forEach((e, i) => {
      const predicted = probs[i * 2 + 1]! > probs[i * 2]! ? 'positive' : 'negative';
      if (predicted === e.label) correct++;
    });
    return correct / examples.length;
  } finally {
    await session.release();
  }
}
