/**
 * Writes a tiny tagger with the exact WD14 interface (model.onnx: [N,448,448,3] float32 BGR 0..255 in,
 * [N,T] sigmoid probabilities out; selected_tags.csv) whose tags respond to colour, so thresholds and the
 * BGR channel order can be tested through the real loading code.
 *
 *   input [N,448,448,3] -> ReduceMean(axes 1,2) -> [N,3] (B,G,R means) -> MatMul W[3,T] -> Add b[T] -> Sigmoid
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';

/** Tags: [name, category, weights on (B, G, R), bias]. Logit = w·mean + bias. */
export const TEST_TAGS: [string, number, [number, number, number], number][] = [
  ['general', 9, [0, 0, 0], 2], // rating, p 0.88
  ['sensitive', 9, [0, 0, 0], -2], // rating, p 0.12
  ['red_theme', 0, [-0.1, 0, 0.1], 0], // p ~1 on red, ~0 on blue
  ['blue_theme', 0, [0.1, 0, -0.1], 0],
  ['borderline', 0, [0, 0, 0], 0], // p 0.5 on everything
  ['hatsune_miku', 4, [0, 0, 0], 1.5], // character, p 0.818
  ['^_^', 0, [0, 0, 0], -5],
];

const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** Writes model.onnx and selected_tags.csv into `dir` and returns `dir`. */
export function writeTestTagger(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const t = TEST_TAGS.length;
  const weights = new Float32Array(3 * t);
  TEST_TAGS.forEach(([, , w], j) => w.forEach((v, c) => (weights[c * t + j] = v)));
  const graph = onnx.GraphProto.create({
    name: 'wd14-test-tagger',
    input: [valueInfo('input_1', [null, 448, 448, 3])],
    output: [valueInfo('predictions_sigmoid', [null, t])],
    initializer: [
      onnx.TensorProto.create({ name: 'W', dims: [3, t], dataType: FLOAT, floatData: [...weights] }),
      onnx.TensorProto.create({ name: 'b', dims: [t], dataType: FLOAT, floatData: TEST_TAGS.map(([, , , b]) => b) }),
    ],
    node: [
      onnx.NodeProto.create({
        opType: 'ReduceMean',
        input: ['input_1'],
        output: ['means'],
        attribute: [
          onnx.AttributeProto.create({ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 2] }),
          onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }),
        ],
      }),
      onnx.NodeProto.create({ opType: 'MatMul', input: ['means', 'W'], output: ['logits0'] }),
      onnx.NodeProto.create({ opType: 'Add', input: ['logits0', 'b'], output: ['logits'] }),
      onnx.NodeProto.create({ opType: 'Sigmoid', input: ['logits'], output: ['predictions_sigmoid'] }),
    ],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'loraflow-tests',
    graph,
  });
  writeFileSync(join(dir, 'model.onnx'), onnx.ModelProto.encode(model).finish());
  const csv = [
    'tag_id,name,category,count',
    ...TEST_TAGS.map(([name, cat], i) => `${1000 + i},${name},${cat},${100 - i}`),
  ];
  writeFileSync(join(dir, 'selected_tags.csv'), `${csv.join('\n')}\n`);
  return dir;
}

function valueInfo(name: string, dims: (number | null)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (d === null ? { dimParam: 'batch' } : { dimValue: d })) },
      },
    },
  };
}
