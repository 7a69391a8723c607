/**
 * The sentiment model as an ONNX graph: an embedding-bag linear classifier.
 *   tokens INT64 [batch, seq] → Gather(weights) [batch, seq, 2] → ReduceSum(axis 1) → + bias
 *   → Softmax → probabilities FP32 [batch, 2]  (negative, positive)
 * Row 0 of the weights is zero, so padding contributes nothing.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

export const LABELS = ['negative', 'positive'] as const;

function valueInfo(name: string, elemType: number, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

function floatTensor(name: string, dims: number[], data: Float32Array) {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
}

function node(opType: string, input: string[], output: string[], ints: Record<string, number> = {}) {
  const attribute = Object.entries(ints).map(([name, i]) =>
    onnx.AttributeProto.create({ name, i, type: onnx.AttributeProto.AttributeType.INT }),
  );
  return onnx.NodeProto.create({ opType, input, output, attribute });
}

export interface LinearModel {
  /** [vocab, 2] row-major weights. */
  readonly weights: Float32Array;
  readonly bias: readonly [number, number];
  readonly vocab: number;
  readonly name: string;
  readonly version: string;
}

export function toOnnx(m: LinearModel): Uint8Array {
  const axes = onnx.TensorProto.create({ name: 'axes', dims: [1], dataType: INT64, int64Data: [1] });
  const graph = onnx.GraphProto.create({
    name: m.name,
    node: [
      node('Gather', ['weights', 'tokens'], ['embedded'], { axis: 0 }),
      node('ReduceSum', ['embedded', 'axes'], ['summed'], { keepdims: 0 }),
      node('Add', ['summed', 'bias'], ['logits']),
      node('Softmax', ['logits'], ['probabilities'], { axis: 1 }),
    ],
    initializer: [
      floatTensor('weights', [m.vocab, 2], m.weights),
      floatTensor('bias', [2], new Float32Array(m.bias)),
      axes,
    ],
    input: [valueInfo('tokens', INT64, ['batch', 'sequence'])],
    output: [valueInfo('probabilities', FLOAT, ['batch', 2])],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'mlp',
    modelVersion: Number(m.version),
    docString: `${m.name} v${m.version}: embedding-bag linear sentiment classifier (labels ${LABELS.join(', ')})`,
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
