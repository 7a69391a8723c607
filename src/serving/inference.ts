/** Input checks and model execution shared by /predict and the Open Inference Protocol. */
import * as ort from 'onnxruntime-node';
import { encodeBatch, MAX_TOKENS, VOCAB_SIZE } from '../model/featurize.js';
import type { LABELS } from '../model/onnx-graph.js';
import { MicroBatcher } from './batcher.js';
import { ServingError } from './errors.js';
import type { LoadedModel } from './model-pool.js';

export interface Limits {
  /** @default 10000 characters */
  readonly maxTextLength: number;
  /** @default 64 */
  readonly maxBatch: number;
}

export const DEFAULT_LIMITS: Limits = { maxTextLength: 10_000, maxBatch: 64 };

export function checkTexts(texts: unknown, limits: Limits, field: string): string[] {
  if (!Array.isArray(texts) || texts.length === 0)
    throw new ServingError('MLP_INVALID_INPUT', `${field} must be a non-empty list of strings`);
  if (texts.length > limits.maxBatch)
    throw new ServingError(
      'MLP_BATCH_TOO_LARGE',
      `${field} has ${texts.length} items; at most ${limits.maxBatch} are allowed`,
    );
  texts.forEach((t, i) => {
    if (typeof t !== 'string' || t.trim() === '')
      throw new ServingError('MLP_INVALID_INPUT', `${field}[${i}] must be a non-empty string`);
    if (t.length > limits.maxTextLength)
      throw new ServingError(
        'MLP_TEXT_TOO_LONG',
        `${field}[${i}] has ${t.length} characters; at most ${limits.maxTextLength} are allowed`,
      );
  });
  return texts as string[];
}

export interface Prediction {
  readonly label: (typeof LABELS)[number];
  readonly score: number;
  readonly probabilities: Record<(typeof LABELS)[number], number>;
}

/** Runs the model on token ids [batch, sequence] and returns the raw probabilities. */
export async function runTokens(
  model: LoadedModel,
  ids: BigInt64Array,
  batch: number,
  sequence: number,
): Promise<Float32Array> {
  const out = await model.session.run({
    [model.inputs[0]!.name]: new ort.Tensor('int64', ids, [batch, sequence]),
  });
  return out[model.outputs[0]!.name]!.data as Float32Array;
}

const batchers = new WeakMap<LoadedModel, MicroBatcher<string, Prediction>>();

/**
 * Work per model run, in characters featurized: about a millisecond of the event loop. A
 * request above it is split into runs of at most this much and queued as heavy, so small
 * requests keep their latency while a client posts the largest batches.
 */
export const RUN_BUDGET_CHARS = 16_384;

/** Predictions for texts; concurrent calls on one model version share a model run. */
export function predictTexts(model: LoadedModel, texts: readonly string[]): Promise<Prediction[]> {
  let batcher = batchers.get(model);
  if (!batcher) {
    batcher = new MicroBatcher((all) => runTexts(model, all), { maxItems: 256, maxCost: RUN_BUDGET_CHARS });
    batchers.set(model, batcher);
  }
  let total = 0;
  for (const t of texts) total += t.length;
  if (total <= RUN_BUDGET_CHARS) return batcher.run(texts, { cost: total });
  // Heavy: bounded chunks, each its own run, interleaved with everyone else's.
  const chunks: Promise<Prediction[]>[] = [];
  let start = 0;
  let cost = 0;
  for (let i = 0; i < texts.length; i++) {
    const len = texts[i]!.length;
    if (i > start && cost + len > RUN_BUDGET_CHARS) {
      chunks.push(batcher.run(texts.slice(start, i), { cost, heavy: true }));
      start = i;
      cost = 0;
    }
    cost += len;
  }
  chunks.push(batcher.run(texts.slice(start), { cost, heavy: true }));
  return Promise.all(chunks).then((parts) => parts.flat());
}

async function runTexts(model: LoadedModel, texts: readonly string[]): Promise<Prediction[]> {
  const { ids, length } = encodeBatch(texts);
  const probs = await runTokens(model, ids, texts.length, length);
  return texts.map((_, i) => {
    const negative = probs[i * 2]!;
    const positive = probs[i * 2 + 1]!;
    return {
      label: positive > negative ? 'positive' : 'negative',
      score: positive,
      probabilities: { negative, positive },
    };
  });
}

/**
 * A tensor's data in row-major order. The Open Inference Protocol allows data flat or nested to
 * the tensor's shape; either way the shape must describe it exactly: a flat list has as many
 * elements as the shape's product, a nested one has shape[d] items at every depth d. Ragged
 * data whose flattened count happens to match is refused.
 */
export function flattenTensor(data: readonly unknown[], shape: readonly number[], field: string): unknown[] {
  const count = shape.reduce((a, b) => a * b, 1);
  const mismatch = (detail: string) =>
    new ServingError(
      'MLP_TENSOR_SHAPE',
      `${field}: shape ${JSON.stringify(shape)} does not match the data (${detail})`,
    );
  if (!data.some(Array.isArray)) {
    if (data.length !== count) throw mismatch(`${count} values needed, received ${data.length}`);
    return data as unknown[];
  }
  const out: unknown[] = [];
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (Array.isArray(node)) throw mismatch(`${path} nests deeper than the shape`);
      out.push(node);
      return;
    }
    if (!Array.isArray(node))
      throw mismatch(`${path} is a value where a list of ${shape[depth]} was expected`);
    if (node.length !== shape[depth])
      throw mismatch(`${path} has ${node.length} items, the shape says ${shape[depth]}`);
    for (let i = 0; i < node.length; i++) walk(node[i], depth + 1, `${path}[${i}]`);
  };
  walk(data, 0, 'data');
  return out;
}

/** Validates an OIP BYTES `text` tensor: any shape whose element count is the number of texts. */
export function checkTextTensor(
  input: { shape: readonly number[]; datatype: string; data: readonly unknown[] },
  limits: Limits,
): string[] {
  if (input.datatype !== 'BYTES')
    throw new ServingError('MLP_TENSOR_DATATYPE', `input "text" must be BYTES, received ${input.datatype}`);
  if (input.shape.length === 0)
    throw new ServingError('MLP_TENSOR_SHAPE', 'input "text" needs a shape such as [1] or [n]');
  const count = input.shape.reduce((a, b) => a * b, 1);
  if (count > limits.maxBatch)
    throw new ServingError(
      'MLP_BATCH_TOO_LARGE',
      `shape ${JSON.stringify(input.shape)} holds ${count} texts; at most ${limits.maxBatch} are allowed`,
    );
  return checkTexts(flattenTensor(input.data, input.shape, 'input "text"'), limits, 'inputs[0].data');
}

/** Validates an OIP INT64 token tensor against the model's input and the limits. */
export function checkTokenTensor(
  input: { shape: readonly number[]; datatype: string; data: readonly unknown[] },
  limits: Limits,
): { ids: BigInt64Array; batch: number; sequence: number } {
  if (input.datatype !== 'INT64')
    throw new ServingError('MLP_TENSOR_DATATYPE', `input "tokens" must be INT64, received ${input.datatype}`);
  const shape = input.shape;
  if (shape.length !== 2 || !shape.every((d) => d > 0)) {
    throw new ServingError(
      'MLP_TENSOR_SHAPE',
      `input "tokens" must have shape [batch, sequence], received ${JSON.stringify(shape)}`,
    );
  }
  const [batch, sequence] = shape as [number, number];
  if (batch > limits.maxBatch)
    throw new ServingError(
      'MLP_BATCH_TOO_LARGE',
      `batch of ${batch}; at most ${limits.maxBatch} are allowed`,
    );
  if (sequence > MAX_TOKENS)
    throw new ServingError(
      'MLP_TENSOR_SHAPE',
      `sequence of ${sequence} tokens; at most ${MAX_TOKENS} are allowed`,
    );
  const data = flattenTensor(input.data, shape, 'input "tokens"');
  const ids = new BigInt64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= VOCAB_SIZE) {
      throw new ServingError(
        'MLP_TENSOR_DATATYPE',
        `tokens[${i}] must be an integer token id in [0, ${VOCAB_SIZE}), received ${JSON.stringify(v)}`,
      );
    }
    ids[i] = BigInt(v as number);
  }
  return { ids, batch, sequence };
}
