/**
 * The one table of ONNX ops we use: input names (`?` optional, `...` variadic), attribute kinds (for serialization),
 * and static shape/dtype inference. Ops not listed can still be built with `g.op(...)` and explicit `outputs` info.
 */
import { broadcastShapes, convOut, type InferCtx, matmulShape, reducedShape, reshapeTarget, sliceLen } from './infer';
import type { ValueInfo } from './tensor';
import { fmtShape, type AttrKind, type DType } from './types';

export interface OpSpec {
  readonly domain?: string;
  readonly inputs: readonly string[];
  readonly attrs?: Readonly<Record<string, AttrKind>>;
  /** Random ops are never merged by common-subexpression elimination. */
  readonly random?: boolean;
  readonly infer: (ctx: InferCtx) => ValueInfo[];
}

/** A subgraph as the Loop inference sees it (implemented by GraphBuilder). */
export interface SubgraphInfo {
  readonly inputInfos: readonly ValueInfo[];
  readonly outputInfos: readonly ValueInfo[];
}

const FLOATS: readonly DType[] = ['float32', 'float64', 'float16'];
const same = (ctx: InferCtx): ValueInfo[] => [{ dtype: ctx.in(0).dtype, shape: ctx.in(0).shape }];
const floatSame = (ctx: InferCtx): ValueInfo[] => {
  if (!FLOATS.includes(ctx.in(0).dtype)) ctx.fail(`needs a float input, got ${ctx.in(0).dtype}`);
  return same(ctx);
};
const unary = (attrs?: Record<string, AttrKind>): OpSpec => ({ inputs: ['X'], attrs, infer: floatSame });
const anyUnary: OpSpec = { inputs: ['X'], infer: same };
const binary: OpSpec = {
  inputs: ['A', 'B'],
  infer: (ctx) => [{ dtype: ctx.sameDtype(0, 1), shape: broadcastShapes(ctx, [ctx.in(0).shape, ctx.in(1).shape]) }],
};
const compare: OpSpec = {
  inputs: ['A', 'B'],
  infer: (ctx) => [
    { dtype: (ctx.sameDtype(0, 1), 'bool'), shape: broadcastShapes(ctx, [ctx.in(0).shape, ctx.in(1).shape]) },
  ],
};
const variadic: OpSpec = {
  inputs: ['data_0...'],
  infer: (ctx) => {
    const ins = ctx.inputs.map((_, i) => ctx.in(i));
    return [
      {
        dtype: ctx.sameDtype(...ins.map((_, i) => i)),
        shape: broadcastShapes(
          ctx,
          ins.map((v) => v.shape),
        ),
      },
    ];
  },
};
const reduce = (float: boolean): OpSpec => ({
  inputs: ['data', 'axes?'],
  attrs: { keepdims: 'int', noop_with_empty_axes: 'int' },
  infer: (ctx) => {
    const x = ctx.in(0);
    if (float && !FLOATS.includes(x.dtype)) ctx.fail('needs a float input');
    const axes = ctx.ints(1, 'axes');
    const noop = ctx.int('noop_with_empty_axes', 0) === 1 && (!axes || axes.length === 0);
    const shape = noop
      ? [...x.shape]
      : reducedShape(ctx, x.shape, axes?.length ? axes : undefined, ctx.int('keepdims', 1) === 1);
    return [{ dtype: x.dtype, shape }];
  },
});

function convInfer(ctx: InferCtx, transpose: boolean): ValueInfo[] {
  const x = ctx.in(0),
    w = ctx.in(1);
  const sp = x.shape.length - 2;
  if (sp < 1 || w.shape.length !== x.shape.length) ctx.fail('X and W need the same rank >= 3');
  if (ctx.str('auto_pad', 'NOTSET') !== 'NOTSET') ctx.fail('only auto_pad NOTSET is supported; give pads');
  const group = ctx.int('group', 1);
  const k = ctx.intList('kernel_shape') ?? w.shape.slice(2);
  const strides = ctx.intList('strides') ?? Array(sp).fill(1);
  const dil = ctx.intList('dilations') ?? Array(sp).fill(1);
  const pads = ctx.intList('pads') ?? Array(sp * 2).fill(0);
  const out = [x.shape[0]!];
  if (!transpose) {
    if (x.shape[1] !== w.shape[1]! * group) ctx.fail(`X has ${x.shape[1]} channels, W expects ${w.shape[1]! * group}`);
    out.push(w.shape[0]!);
    for (let i = 0; i < sp; i++)
      out.push(convOut(x.shape[i + 2]!, k[i]!, strides[i]!, pads[i]!, pads[i + sp]!, dil[i]!));
  } else {
    if (x.shape[1] !== w.shape[0]) ctx.fail(`X has ${x.shape[1]} channels, W expects ${w.shape[0]}`);
    out.push(w.shape[1]! * group);
    const opad = ctx.intList('output_padding') ?? Array(sp).fill(0);
    const oshape = ctx.intList('output_shape');
    for (let i = 0; i < sp; i++) {
      out.push(
        oshape?.[i] ??
          strides[i]! * (x.shape[i + 2]! - 1) + opad[i]! + (k[i]! - 1) * dil[i]! + 1 - pads[i]! - pads[i + sp]!,
      );
    }
  }
  const b = ctx.inputs[2];
  if (b && (b.shape.length !== 1 || b.shape[0] !== out[1])) ctx.fail(`bias must be [${out[1]}]`);
  return [{ dtype: ctx.sameDtype(0, 1), shape: out }];
}

const CONV_ATTRS = {
  auto_pad: 'string',
  dilations: 'ints',
  group: 'int',
  kernel_shape: 'ints',
  pads: 'ints',
  strides: 'ints',
} as const;
const POOL_ATTRS = {
  auto_pad: 'string',
  ceil_mode: 'int',
  count_include_pad: 'int',
  dilations: 'ints',
  kernel_shape: 'ints',
  pads: 'ints',
  strides: 'ints',
} as const;

function poolInfer(ctx: InferCtx): ValueInfo[] {
  const x = ctx.in(0);
  const sp = x.shape.length - 2;
  const k = ctx.intList('kernel_shape') ?? ctx.fail('kernel_shape is required');
  const strides = ctx.intList('strides') ?? Array(sp).fill(1);
  const pads = ctx.intList('pads') ?? Array(sp * 2).fill(0);
  if (ctx.int('ceil_mode', 0) !== 0) ctx.fail('ceil_mode is not supported');
  const out = [x.shape[0]!, x.shape[1]!];
  for (let i = 0; i < sp; i++) out.push(convOut(x.shape[i + 2]!, k[i]!, strides[i]!, pads[i]!, pads[i + sp]!, 1));
  return [{ dtype: x.dtype, shape: out }];
}

/** Every op the builder knows, keyed by op type (contrib ops carry their domain). */
export const OPS: Readonly<Record<string, OpSpec>> = {
  Identity: anyUnary,
  Neg: unary(),
  Abs: unary(),
  Exp: unary(),
  Log: unary(),
  Sqrt: unary(),
  Reciprocal: unary(),
  Tanh: unary(),
  Sigmoid: unary(),
  Relu: unary(),
  Erf: unary(),
  Sin: unary(),
  Cos: unary(),
  Sign: unary(),
  Floor: unary(),
  Ceil: unary(),
  Softplus: unary(),
  Round: unary(),
  LeakyRelu: unary({ alpha: 'float' }),
  Gelu: unary({ approximate: 'string' }),
  Softmax: unary({ axis: 'int' }),
  LogSoftmax: unary({ axis: 'int' }),
  Not: { inputs: ['X'], infer: same },
  Add: binary,
  Sub: binary,
  Mul: binary,
  Div: binary,
  Pow: {
    inputs: ['X', 'Y'],
    infer: (ctx) => [{ dtype: ctx.in(0).dtype, shape: broadcastShapes(ctx, [ctx.in(0).shape, ctx.in(1).shape]) }],
  },
  Max: variadic,
  Min: variadic,
  Sum: variadic,
  Mean: variadic,
  Equal: compare,
  Less: compare,
  Greater: compare,
  LessOrEqual: compare,
  GreaterOrEqual: compare,
  And: compare,
  Or: compare,
  Where: {
    inputs: ['condition', 'X', 'Y'],
    infer: (ctx) => {
      if (ctx.in(0).dtype !== 'bool') ctx.fail('condition must be bool');
      return [
        {
          dtype: ctx.sameDtype(1, 2),
          shape: broadcastShapes(
            ctx,
            [0, 1, 2].map((i) => ctx.in(i).shape),
          ),
        },
      ];
    },
  },
  Clip: { inputs: ['input', 'min?', 'max?'], infer: same },
  MatMul: {
    inputs: ['A', 'B'],
    infer: (ctx) => [{ dtype: ctx.sameDtype(0, 1), shape: matmulShape(ctx, ctx.in(0).shape, ctx.in(1).shape) }],
  },
  FusedMatMul: {
    domain: 'com.microsoft',
    inputs: ['A', 'B'],
    attrs: { alpha: 'float', transA: 'int', transB: 'int', transBatchA: 'int', transBatchB: 'int' },
    infer: (ctx) => {
      if (ctx.in(0).dtype !== 'float32') ctx.fail('FusedMatMul runs on float32 only');
      const t = (s: readonly number[], on: boolean): number[] =>
        on && s.length >= 2 ? [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!] : [...s];
      return [
        {
          dtype: ctx.sameDtype(0, 1),
          shape: matmulShape(
            ctx,
            t(ctx.in(0).shape, ctx.int('transA', 0) === 1),
            t(ctx.in(1).shape, ctx.int('transB', 0) === 1),
          ),
        },
      ];
    },
  },
  Gemm: {
    inputs: ['A', 'B', 'C?'],
    attrs: { alpha: 'float', beta: 'float', transA: 'int', transB: 'int' },
    infer: (ctx) => {
      const a = ctx.in(0).shape,
        b = ctx.in(1).shape;
      if (a.length !== 2 || b.length !== 2) ctx.fail('A and B must be 2-D');
      const [m, k1] = ctx.int('transA', 0) ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
      const [k2, n] = ctx.int('transB', 0) ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
      if (k1 !== k2) ctx.fail(`inner dimensions differ: ${fmtShape(a)} x ${fmtShape(b)}`);
      const c = ctx.inputs[2];
      if (c) broadcastShapes(ctx, [[m, n], c.shape]);
      return [{ dtype: ctx.sameDtype(0, 1), shape: [m, n] }];
    },
  },
  ReduceSum: reduce(false),
  ReduceMean: reduce(true),
  ReduceMax: reduce(false),
  ReduceMin: reduce(false),
  ReduceSumSquare: reduce(true),
  ReduceL2: reduce(true),
  ReduceLogSumExp: reduce(true),
  ReduceProd: reduce(false),
  ArgMax: {
    inputs: ['data'],
    attrs: { axis: 'int', keepdims: 'int', select_last_index: 'int' },
    infer: (ctx) => [
      { dtype: 'int64', shape: reducedShape(ctx, ctx.in(0).shape, [ctx.int('axis', 0)], ctx.int('keepdims', 1) === 1) },
    ],
  },
  LayerNormalization: {
    inputs: ['X', 'Scale', 'B?'],
    attrs: { axis: 'int', epsilon: 'float', stash_type: 'int' },
    infer: (ctx) => {
      const x = ctx.in(0);
      const axis = ctx.axis(ctx.int('axis', -1), x.shape.length);
      const norm = x.shape.slice(axis);
      broadcastShapes(ctx, [norm, ctx.in(1).shape]);
      const stat = x.shape.map((d, i) => (i < axis ? d : 1));
      return [
        { dtype: x.dtype, shape: [...x.shape] },
        { dtype: 'float32', shape: stat },
        { dtype: 'float32', shape: stat },
      ];
    },
  },
  Reshape: {
    inputs: ['data', 'shape'],
    attrs: { allowzero: 'int' },
    infer: (ctx) => [{ dtype: ctx.in(0).dtype, shape: reshapeTarget(ctx, ctx.in(0).shape, ctx.ints(1, 'shape')!) }],
  },
  Flatten: {
    inputs: ['input'],
    attrs: { axis: 'int' },
    infer: (ctx) => {
      const s = ctx.in(0).shape;
      const a = ctx.int('axis', 1);
      const ax = a < 0 ? a + s.length : a;
      const p = (xs: readonly number[]): number => xs.reduce((x, y) => x * y, 1);
      return [{ dtype: ctx.in(0).dtype, shape: [p(s.slice(0, ax)), p(s.slice(ax))] }];
    },
  },
  Transpose: {
    inputs: ['data'],
    attrs: { perm: 'ints' },
    infer: (ctx) => {
      const s = ctx.in(0).shape;
      const perm = ctx.intList('perm') ?? s.map((_, i) => s.length - 1 - i);
      if (perm.length !== s.length || [...perm].sort().some((p, i) => p !== i))
        ctx.fail(`perm ${fmtShape(perm)} is not a permutation of rank ${s.length}`);
      return [{ dtype: ctx.in(0).dtype, shape: perm.map((p) => s[p]!) }];
    },
  },
  Unsqueeze: {
    inputs: ['data', 'axes'],
    infer: (ctx) => {
      const s = [...ctx.in(0).shape];
      const rank = s.length + ctx.ints(1, 'axes')!.length;
      const axes = ctx
        .ints(1, 'axes')!
        .map((a) => ctx.axis(a, rank))
        .sort((a, b) => a - b);
      for (const a of axes) s.splice(a, 0, 1);
      return [{ dtype: ctx.in(0).dtype, shape: s }];
    },
  },
  Squeeze: {
    inputs: ['data', 'axes?'],
    infer: (ctx) => {
      const s = ctx.in(0).shape;
      const axes = ctx.ints(1, 'axes')?.map((a) => ctx.axis(a, s.length));
      for (const a of axes ?? []) if (s[a] !== 1) ctx.fail(`cannot squeeze axis ${a} of size ${s[a]}`);
      return [{ dtype: ctx.in(0).dtype, shape: s.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)) }];
    },
  },
  Concat: {
    inputs: ['inputs...'],
    attrs: { axis: 'int' },
    infer: (ctx) => {
      const ins = ctx.inputs.map((_, i) => ctx.in(i));
      const first = ins[0] ?? ctx.fail('needs at least one input');
      const axis = ctx.axis(ctx.int('axis', 0), first.shape.length);
      let total = 0;
      for (const v of ins) {
        if (v.shape.length !== first.shape.length || v.shape.some((d, i) => i !== axis && d !== first.shape[i]))
          ctx.fail(`shapes differ off axis ${axis}`);
        total += v.shape[axis]!;
      }
      return [
        { dtype: ctx.sameDtype(...ins.map((_, i) => i)), shape: first.shape.map((d, i) => (i === axis ? total : d)) },
      ];
    },
  },
  Split: {
    inputs: ['input', 'split?'],
    attrs: { axis: 'int', num_outputs: 'int' },
    infer: (ctx) => {
      const s = ctx.in(0).shape;
      const axis = ctx.axis(ctx.int('axis', 0), s.length);
      let sizes = ctx.ints(1, 'split');
      if (!sizes) {
        const n = ctx.int('num_outputs', 0) || ctx.fail('give split sizes or num_outputs');
        const each = Math.ceil(s[axis]! / n);
        sizes = Array.from({ length: n }, (_, i) => Math.min(each, s[axis]! - each * i));
      }
      if (sizes.reduce((a, b) => a + b, 0) !== s[axis])
        ctx.fail(`split sizes ${fmtShape(sizes)} do not add up to ${s[axis]}`);
      return sizes.map((n) => ({ dtype: ctx.in(0).dtype, shape: s.map((d, i) => (i === axis ? n : d)) }));
    },
  },
  Slice: {
    inputs: ['data', 'starts', 'ends', 'axes?', 'steps?'],
    infer: (ctx) => {
      const s = [...ctx.in(0).shape];
      const starts = ctx.ints(1, 'starts')!,
        ends = ctx.ints(2, 'ends')!;
      const axes = ctx.ints(3, 'axes') ?? starts.map((_, i) => i);
      const steps = ctx.ints(4, 'steps') ?? starts.map(() => 1);
      axes.forEach((a, i) => {
        const ax = ctx.axis(a, s.length);
        s[ax] = sliceLen(s[ax]!, starts[i]!, ends[i]!, steps[i]!);
      });
      return [{ dtype: ctx.in(0).dtype, shape: s }];
    },
  },
  Gather: {
    inputs: ['data', 'indices'],
    attrs: { axis: 'int' },
    infer: (ctx) => {
      const d = ctx.in(0).shape,
        idx = ctx.in(1);
      if (idx.dtype !== 'int64' && idx.dtype !== 'int32') ctx.fail('indices must be int64 or int32');
      const a = ctx.axis(ctx.int('axis', 0), d.length);
      return [{ dtype: ctx.in(0).dtype, shape: [...d.slice(0, a), ...idx.shape, ...d.slice(a + 1)] }];
    },
  },
  GatherElements: {
    inputs: ['data', 'indices'],
    attrs: { axis: 'int' },
    infer: (ctx) => [{ dtype: ctx.in(0).dtype, shape: [...ctx.in(1).shape] }],
  },
  ScatterElements: { inputs: ['data', 'indices', 'updates'], attrs: { axis: 'int', reduction: 'string' }, infer: same },
  ScatterND: { inputs: ['data', 'indices', 'updates'], attrs: { reduction: 'string' }, infer: same },
  Expand: {
    inputs: ['input', 'shape'],
    infer: (ctx) => [{ dtype: ctx.in(0).dtype, shape: broadcastShapes(ctx, [ctx.in(0).shape, ctx.ints(1, 'shape')!]) }],
  },
  Tile: {
    inputs: ['input', 'repeats'],
    infer: (ctx) => [{ dtype: ctx.in(0).dtype, shape: ctx.in(0).shape.map((d, i) => d * ctx.ints(1, 'repeats')![i]!) }],
  },
  Pad: {
    inputs: ['data', 'pads', 'constant_value?', 'axes?'],
    attrs: { mode: 'string' },
    infer: (ctx) => {
      const s = ctx.in(0).shape,
        p = ctx.ints(1, 'pads')!;
      if (ctx.inputs[3]) ctx.fail('the axes input is not supported; give pads for every axis');
      return [{ dtype: ctx.in(0).dtype, shape: s.map((d, i) => d + p[i]! + p[i + s.length]!) }];
    },
  },
  Cast: {
    inputs: ['input'],
    attrs: { to: 'int', saturate: 'int' },
    infer: (ctx) => [{ dtype: castTarget(ctx), shape: [...ctx.in(0).shape] }],
  },
  Conv: { inputs: ['X', 'W', 'B?'], attrs: CONV_ATTRS, infer: (ctx) => convInfer(ctx, false) },
  ConvTranspose: {
    inputs: ['X', 'W', 'B?'],
    attrs: { ...CONV_ATTRS, output_padding: 'ints', output_shape: 'ints' },
    infer: (ctx) => convInfer(ctx, true),
  },
  AveragePool: { inputs: ['X'], attrs: POOL_ATTRS, infer: poolInfer },
  MaxPool: { inputs: ['X'], attrs: { ...POOL_ATTRS, storage_order: 'int' }, infer: poolInfer },
  GlobalAveragePool: {
    inputs: ['X'],
    infer: (ctx) => [{ dtype: ctx.in(0).dtype, shape: ctx.in(0).shape.map((d, i) => (i < 2 ? d : 1)) }],
  },
  Trilu: { inputs: ['input', 'k?'], attrs: { upper: 'int' }, infer: same },
  RandomNormalLike: {
    inputs: ['input'],
    attrs: { dtype: 'int', mean: 'float', scale: 'float', seed: 'float' },
    random: true,
    infer: same,
  },
  RandomUniformLike: {
    inputs: ['input'],
    attrs: { dtype: 'int', high: 'float', low: 'float', seed: 'float' },
    random: true,
    infer: same,
  },
  Loop: {
    inputs: ['M?', 'cond?', 'v_initial...'],
    attrs: { body: 'graph' },
    infer: (ctx) => {
      const body =
        (ctx.attrs.body as { subgraph: SubgraphInfo } | undefined)?.subgraph ?? ctx.fail('body graph is missing');
      const carried = ctx.inputs.slice(2);
      const outs = body.outputInfos.slice(1);
      carried.forEach((c, i) => {
        const o = outs[i];
        if (!c || !o || c.dtype !== o.dtype || fmtShape(c.shape) !== fmtShape(o.shape)) {
          ctx.fail(
            `loop-carried value ${i} changes type in the body: ${c?.dtype}${fmtShape(c?.shape ?? [])} -> ${o?.dtype}${fmtShape(o?.shape ?? [])}`,
          );
        }
      });
      const scans = outs.slice(carried.length);
      const trip = scans.length
        ? (ctx.ints(0, 'trip count')?.[0] ?? ctx.fail('scan outputs need a constant trip count'))
        : 0;
      return [...outs.slice(0, carried.length), ...scans.map((s) => ({ dtype: s.dtype, shape: [trip, ...s.shape] }))];
    },
  },
};

const CAST_CODES: Record<number, DType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
};
function castTarget(ctx: InferCtx): DType {
  const to = ctx.int('to', -1);
  return CAST_CODES[to] ?? ctx.fail(`unsupported cast target ${to}`);
}
