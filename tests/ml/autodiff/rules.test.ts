import { checkGrad, bools, floats, ints, NONE } from './check-grad';

// One line per op: random inputs, loss = sum(op(x) * R), autodiff vs central finite differences.
// float64 (tol 1e-6) where the CPU provider has a float64 kernel; float32 (tol 1e-2, h 1e-2) otherwise.
const f32 = { dtype: 'float32' } as const;

describe('gradient rules match finite differences', () => {
  test('Add (broadcast)', () => checkGrad('Add', { a: [2, 3, 4], b: [3, 1] }));
  test('Sub (broadcast)', () => checkGrad('Sub', { a: [3, 1], b: [2, 3, 4] }));
  test('Mul (broadcast)', () => checkGrad('Mul', { a: [2, 3, 4], b: [4] }));
  test('Div (broadcast)', () => checkGrad('Div', { a: [2, 3], b: { shape: [3], range: [0.5, 2] } }));
  test('Sum', () => checkGrad('Sum', { a: [2, 3], b: [3], c: [2, 1] }));
  test('Neg', () => checkGrad('Neg', { x: [3, 4] }));
  test('Identity', () => checkGrad('Identity', { x: [3, 4] }));
  test('Exp', () => checkGrad('Exp', { x: [3, 4] }));
  test('Log', () => checkGrad('Log', { x: { shape: [3, 4], range: [0.5, 2] } }));
  test('Sqrt', () => checkGrad('Sqrt', { x: { shape: [3, 4], range: [0.5, 2] } }));
  test('Reciprocal', () => checkGrad('Reciprocal', { x: { shape: [3, 4], range: [0.5, 2] } }));
  test('Pow (tensor exponent)', () => checkGrad('Pow', { a: { shape: [3, 4], range: [0.5, 2] }, b: [4] }));
  test('Pow (constant exponent)', () =>
    checkGrad('Pow', { a: { shape: [3, 4], range: [0.5, 2] }, b: floats([3], []) }));
  test('Pow (square)', () => checkGrad('Pow', { a: [3, 4], b: floats([2], []) }));
  test('Abs', () => checkGrad('Abs', { x: { shape: [3, 4], awayFromZero: true } }));
  test('Sin', () => checkGrad('Sin', { x: [3, 4] }));
  test('Cos', () => checkGrad('Cos', { x: [3, 4] }));
  test('Tanh', () => checkGrad('Tanh', { x: [3, 4] }));
  test('Sigmoid', () => checkGrad('Sigmoid', { x: [3, 4] }));
  test('Softplus', () => checkGrad('Softplus', { x: [3, 4] }, {}, f32));
  test('Relu', () => checkGrad('Relu', { x: { shape: [3, 4], awayFromZero: true } }));
  test('LeakyRelu', () => checkGrad('LeakyRelu', { x: { shape: [3, 4], awayFromZero: true } }, { alpha: 0.1 }, f32));
  test('Erf (float32: no float64 kernel)', () => checkGrad('Erf', { x: [3, 4] }, {}, f32));
  test('Gelu', () => checkGrad('Gelu', { x: [3, 4] }, {}, f32));
  test('Gelu (tanh)', () => checkGrad('Gelu', { x: [3, 4] }, { approximate: 'tanh' }, f32));
  test('Clip', () =>
    checkGrad('Clip', { x: { shape: [3, 4], awayFromZero: true }, lo: floats([-0.55], []), hi: floats([0.65], []) }));
  test('Cast', () => checkGrad('Cast', { x: [3, 4] }, { to: 11 }));
  test('Where', () => checkGrad('Where', { c: bools([1, 0, 1, 0, 0, 1], [2, 3]), a: [2, 3], b: [3] }));
  test('MatMul', () => checkGrad('MatMul', { a: [3, 4], b: [4, 5] }));
  test('MatMul (batched x 2-D weight)', () => checkGrad('MatMul', { a: [2, 3, 4], b: [4, 5] }));
  test('MatMul (batched x batched, broadcast)', () => checkGrad('MatMul', { a: [2, 1, 3, 4], b: [3, 4, 2] }));
  test('MatMul (vector operands)', () => checkGrad('MatMul', { a: [4], b: [2, 4, 3] }));
  test('MatMul (float32, FusedMatMul path)', () => checkGrad('MatMul', { a: [2, 3, 4], b: [4, 5] }, {}, f32));
  test('FusedMatMul transA', () =>
    checkGrad(
      'FusedMatMul',
      { a: [2, 4, 3], b: [4, 5] },
      { transA: 1, alpha: 0.5 },
      { ...f32, domain: 'com.microsoft' },
    ));
  test('FusedMatMul transB', () =>
    checkGrad('FusedMatMul', { a: [2, 3, 4], b: [5, 4] }, { transB: 1 }, { ...f32, domain: 'com.microsoft' }));
  test('FusedMatMul transA transB', () =>
    checkGrad('FusedMatMul', { a: [4, 3], b: [5, 4] }, { transA: 1, transB: 1 }, { ...f32, domain: 'com.microsoft' }));
  test('Gemm', () => checkGrad('Gemm', { a: [3, 4], b: [4, 5], c: [5] }, { alpha: 0.5, beta: 2 }));
  test('Gemm transA transB', () => checkGrad('Gemm', { a: [4, 3], b: [5, 4], c: [3, 1] }, { transA: 1, transB: 1 }));
  test('Softmax', () => checkGrad('Softmax', { x: [3, 5] }, { axis: -1 }));
  test('Softmax (axis 1 of 3)', () => checkGrad('Softmax', { x: [2, 3, 4] }, { axis: 1 }));
  test('LogSoftmax', () => checkGrad('LogSoftmax', { x: [3, 5] }, { axis: -1 }));
  test('LayerNormalization', () =>
    checkGrad('LayerNormalization', { x: [2, 3, 6], s: [6], b: [6] }, { axis: -1, epsilon: 1e-5 }, { use: [0] }));
  test('LayerNormalization (two axes)', () =>
    checkGrad('LayerNormalization', { x: [2, 3, 4], s: [3, 4], b: NONE }, { axis: 1 }, { use: [0] }));
  test('ReduceSum', () => checkGrad('ReduceSum', { x: [2, 3, 4], axes: ints([1]) }, { keepdims: 0 }));
  test('ReduceSum (all)', () => checkGrad('ReduceSum', { x: [2, 3] }, { keepdims: 1 }));
  test('ReduceMean', () => checkGrad('ReduceMean', { x: [2, 3, 4], axes: ints([0, 2]) }, { keepdims: 1 }));
  test('ReduceSumSquare', () => checkGrad('ReduceSumSquare', { x: [2, 3, 4], axes: ints([-1]) }, { keepdims: 0 }));
  test('Reshape', () => checkGrad('Reshape', { x: [2, 3, 4], s: ints([4, -1]) }));
  test('Flatten', () => checkGrad('Flatten', { x: [2, 3, 4] }, { axis: 2 }));
  test('Unsqueeze', () => checkGrad('Unsqueeze', { x: [2, 3], a: ints([0, 3]) }));
  test('Squeeze', () => checkGrad('Squeeze', { x: [2, 1, 3], a: ints([1]) }));
  test('Transpose', () => checkGrad('Transpose', { x: [2, 3, 4] }, { perm: [2, 0, 1] }));
  test('Concat', () => checkGrad('Concat', { a: [2, 3], b: [2, 1], c: [2, 2] }, { axis: 1 }));
  test('Split', () => checkGrad('Split', { x: [2, 6], s: ints([1, 2, 3]) }, { axis: 1 }));
  test('Split (one output unused)', () =>
    checkGrad('Split', { x: [4, 3], s: ints([1, 3]) }, { axis: 0 }, { use: [1] }));
  test('Slice', () => checkGrad('Slice', { x: [3, 5], st: ints([1, -4]), en: ints([3, 4]), ax: ints([0, 1]) }));
  test('Gather (embedding rows, repeated ids)', () =>
    checkGrad('Gather', { w: [5, 3], i: ints([1, 4, 1, 0], [2, 2]) }, { axis: 0 }));
  test('Gather (axis 1)', () => checkGrad('Gather', { w: [2, 5, 3], i: ints([4, 0, 4]) }, { axis: 1 }));
  test('Expand', () => checkGrad('Expand', { x: [3, 1], s: ints([2, 3, 4]) }));
  test('GlobalAveragePool', () => checkGrad('GlobalAveragePool', { x: [2, 3, 2, 2] }, {}, f32));
  test('Conv', () => checkGrad('Conv', { x: [2, 3, 5, 5], w: [4, 3, 3, 3], b: [4] }, { pads: [1, 1, 1, 1] }, f32));
  test('Conv (stride 2, dilation, asymmetric pads)', () =>
    checkGrad(
      'Conv',
      { x: [1, 2, 7, 6], w: [3, 2, 2, 3] },
      { strides: [2, 2], dilations: [2, 1], pads: [0, 1, 1, 0] },
      f32,
    ));
  test('Conv (stride 1, asymmetric pads, 3x2 kernel: the flipped-kernel input gradient)', () =>
    checkGrad('Conv', { x: [1, 2, 5, 6], w: [3, 2, 3, 2] }, { pads: [0, 1, 2, 0] }, f32));
  test('Conv (groups)', () =>
    checkGrad('Conv', { x: [1, 4, 4, 4], w: [6, 2, 3, 3] }, { group: 2, pads: [1, 1, 1, 1] }, f32));
});

describe('gradient rules for convolutional and piecewise ops', () => {
  test('ConvTranspose', () =>
    checkGrad(
      'ConvTranspose',
      { x: [1, 3, 3, 3], w: [3, 2, 3, 3], b: [2] },
      { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] },
      f32,
    ));
  test('ConvTranspose (groups)', () =>
    checkGrad('ConvTranspose', { x: [1, 4, 3, 3], w: [4, 1, 2, 2] }, { group: 2 }, f32));
  test('Pad', () => checkGrad('Pad', { x: [2, 3], p: ints([1, 0, 0, 2]) }));
  test('AveragePool', () =>
    checkGrad('AveragePool', { x: [1, 2, 5, 5] }, { kernel_shape: [2, 2], strides: [2, 2] }, f32));
  test('AveragePool (padded, count_include_pad 0)', () =>
    checkGrad('AveragePool', { x: [1, 2, 4, 4] }, { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, f32));
  test('Max', () => checkGrad('Max', { a: [2, 3], b: [3] }));
  test('Min', () => checkGrad('Min', { a: [2, 3], b: [2, 1] }));
});
