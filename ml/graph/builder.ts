/** GraphBuilder: typed op helpers, subgraphs for Loop, serialization and session creation on top of GraphCore. */
import type { InferenceSession } from 'onnxruntime-node';
import { GraphCore, type OpOptions } from './core';
import { createSession, type SessionOptions } from './session';
import { serializeModel, type SerializeOptions, type SerializedModel } from './serialize';
import type { Tensor } from './tensor';
import { ONNX_DTYPE, type DType, type Shape } from './types';

export interface GraphBuilderOptions {
  /** Graph name (shown in errors). */
  name?: string;
  /** Default-domain opset; 21 unless set (Gelu needs 20, ReduceMean's axes input 18). */
  opset?: number;
}

export type TensorLike = Tensor | number;

export interface ConvAttrs {
  strides?: number[];
  pads?: number[];
  dilations?: number[];
  group?: number;
}

export interface LoopSpec {
  /** Trip count: a number (becomes a constant; needed for scan outputs) or an int64 scalar tensor. */
  trip: number | Tensor;
  /** Optional bool scalar start condition. */
  cond?: Tensor;
  /** Loop-carried initial values. */
  carried: readonly Tensor[];
  /** Builds the body with the same API: `b` sees outer values; returns next carried values and per-step scan outputs. */
  body: (
    b: GraphBuilder,
    iter: Tensor,
    carried: Tensor[],
  ) => { carried: readonly Tensor[]; scans?: readonly Tensor[]; cond?: Tensor };
  name?: string;
}

export class GraphBuilder extends GraphCore {
  constructor(opts: GraphBuilderOptions = {}, parent?: GraphBuilder) {
    super(opts.name ?? 'graph', opts.opset ?? parent?.opset ?? 21, parent);
  }

  /** Turns a number into a scalar constant of `like`'s dtype. */
  lift(x: TensorLike, like: Tensor): Tensor {
    return typeof x === 'number' ? this.scalar(x, like.dtype) : x;
  }
  private bin(op: string, a: TensorLike, b: TensorLike): Tensor {
    if (typeof a === 'number' && typeof b === 'number') throw new Error(`${op}: at least one operand must be a tensor`);
    const like = (typeof a === 'number' ? b : a) as Tensor;
    return this.op1(op, [this.lift(a, like), this.lift(b, like)]);
  }

  add(a: TensorLike, b: TensorLike): Tensor {
    return this.bin('Add', a, b);
  }
  sub(a: TensorLike, b: TensorLike): Tensor {
    return this.bin('Sub', a, b);
  }
  mul(a: TensorLike, b: TensorLike): Tensor {
    return this.bin('Mul', a, b);
  }
  div(a: TensorLike, b: TensorLike): Tensor {
    return this.bin('Div', a, b);
  }
  pow(a: Tensor, b: TensorLike): Tensor {
    return this.bin('Pow', a, b);
  }
  max(a: TensorLike, b: TensorLike): Tensor {
    return this.bin('Max', a, b);
  }
  min(a: TensorLike, b: TensorLike): Tensor {
    return this.bin('Min', a, b);
  }
  greater(a: TensorLike, b: TensorLike): Tensor {
    return this.bin('Greater', a, b);
  }
  less(a: TensorLike, b: TensorLike): Tensor {
    return this.bin('Less', a, b);
  }
  equal(a: TensorLike, b: TensorLike): Tensor {
    return this.bin('Equal', a, b);
  }
  /** Elementwise sum of any number of tensors (one node). */
  sum(ts: readonly Tensor[]): Tensor {
    return ts.length === 1 ? ts[0]! : this.op1('Sum', ts);
  }

  neg(x: Tensor): Tensor {
    return this.op1('Neg', [x]);
  }
  exp(x: Tensor): Tensor {
    return this.op1('Exp', [x]);
  }
  log(x: Tensor): Tensor {
    return this.op1('Log', [x]);
  }
  sqrt(x: Tensor): Tensor {
    return this.op1('Sqrt', [x]);
  }
  abs(x: Tensor): Tensor {
    return this.op1('Abs', [x]);
  }
  sign(x: Tensor): Tensor {
    return this.op1('Sign', [x]);
  }
  reciprocal(x: Tensor): Tensor {
    return this.op1('Reciprocal', [x]);
  }
  tanh(x: Tensor): Tensor {
    return this.op1('Tanh', [x]);
  }
  sigmoid(x: Tensor): Tensor {
    return this.op1('Sigmoid', [x]);
  }
  relu(x: Tensor): Tensor {
    return this.op1('Relu', [x]);
  }
  erf(x: Tensor): Tensor {
    return this.op1('Erf', [x]);
  }
  sin(x: Tensor): Tensor {
    return this.op1('Sin', [x]);
  }
  cos(x: Tensor): Tensor {
    return this.op1('Cos', [x]);
  }
  identity(x: Tensor): Tensor {
    return this.op1('Identity', [x]);
  }
  gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
    return this.op1('Gelu', [x], approximate === 'none' ? {} : { approximate });
  }
  clip(x: Tensor, min?: number, max?: number): Tensor {
    return this.op1('Clip', [
      x,
      min === undefined ? undefined : this.scalar(min, x.dtype),
      max === undefined ? undefined : this.scalar(max, x.dtype),
    ]);
  }
  cast(x: Tensor, to: DType): Tensor {
    return x.dtype === to ? x : this.op1('Cast', [x], { to: ONNX_DTYPE[to] });
  }
  where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
    const like = (typeof a === 'number' ? b : a) as Tensor;
    return this.op1('Where', [cond, this.lift(a, like), this.lift(b, like)]);
  }

  matmul(a: Tensor, b: Tensor): Tensor {
    return this.op1('MatMul', [a, b]);
  }
  /** a' @ b' * alpha with optional transposes of the last two axes (com.microsoft FusedMatMul, float32 only). */
  fusedMatMul(a: Tensor, b: Tensor, o: { transA?: boolean; transB?: boolean; alpha?: number } = {}): Tensor {
    return this.op1('FusedMatMul', [a, b], { transA: o.transA ? 1 : 0, transB: o.transB ? 1 : 0, alpha: o.alpha ?? 1 });
  }
  gemm(
    a: Tensor,
    b: Tensor,
    c?: Tensor,
    o: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {},
  ): Tensor {
    return this.op1('Gemm', [a, b, c], {
      transA: o.transA ? 1 : 0,
      transB: o.transB ? 1 : 0,
      alpha: o.alpha ?? 1,
      beta: o.beta ?? 1,
    });
  }

  softmax(x: Tensor, axis = -1): Tensor {
    return this.op1('Softmax', [x], { axis });
  }
  logSoftmax(x: Tensor, axis = -1): Tensor {
    return this.op1('LogSoftmax', [x], { axis });
  }
  /** LayerNormalization over axes [axis..]; also returns the Mean and InvStdDev outputs the backward pass uses. */
  layerNorm(
    x: Tensor,
    scale: Tensor,
    bias?: Tensor,
    o: { axis?: number; epsilon?: number } = {},
  ): { y: Tensor; mean: Tensor; invStdDev: Tensor } {
    const [y, mean, invStdDev] = this.op('LayerNormalization', [x, scale, bias], {
      axis: o.axis ?? -1,
      epsilon: o.epsilon ?? 1e-5,
    });
    return { y: y!, mean: mean!, invStdDev: invStdDev! };
  }

  private red(op: string, x: Tensor, axes: readonly number[] | undefined, keepdims: boolean): Tensor {
    return this.op1(op, [x, axes ? this.ints(axes) : undefined], { keepdims: keepdims ? 1 : 0 });
  }
  /** Reductions: all axes when `axes` is omitted; keepdims defaults to false. */
  reduceSum(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
    return this.red('ReduceSum', x, axes, keepdims);
  }
  reduceMean(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
    return this.red('ReduceMean', x, axes, keepdims);
  }
  reduceMax(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
    return this.red('ReduceMax', x, axes, keepdims);
  }
  reduceSumSquare(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
    return this.red('ReduceSumSquare', x, axes, keepdims);
  }

  /** Reshape (0 copies a dim, -1 infers one); returns `x` itself when the shape is unchanged. */
  reshape(x: Tensor, shape: readonly number[]): Tensor {
    if (shape.length === x.rank && shape.every((d, i) => d === x.shape[i])) return x;
    return this.op1('Reshape', [x, this.ints(shape)]);
  }
  flatten(x: Tensor, axis = 1): Tensor {
    return this.op1('Flatten', [x], { axis });
  }
  transpose(x: Tensor, perm: readonly number[]): Tensor {
    return this.op1('Transpose', [x], { perm: [...perm] });
  }
  unsqueeze(x: Tensor, axes: readonly number[]): Tensor {
    return this.op1('Unsqueeze', [x, this.ints(axes)]);
  }
  squeeze(x: Tensor, axes: readonly number[]): Tensor {
    return this.op1('Squeeze', [x, this.ints(axes)]);
  }
  concat(xs: readonly Tensor[], axis: number): Tensor {
    return xs.length === 1 ? xs[0]! : this.op1('Concat', xs, { axis });
  }
  split(x: Tensor, sizes: readonly number[], axis: number): Tensor[] {
    return this.op('Split', [x, this.ints(sizes)], { axis });
  }
  slice(
    x: Tensor,
    starts: readonly number[],
    ends: readonly number[],
    axes?: readonly number[],
    steps?: readonly number[],
  ): Tensor {
    return this.op1('Slice', [
      x,
      this.ints(starts),
      this.ints(ends),
      axes && this.ints(axes),
      steps && this.ints(steps),
    ]);
  }
  gather(data: Tensor, indices: Tensor, axis = 0): Tensor {
    return this.op1('Gather', [data, indices], { axis });
  }
  expand(x: Tensor, shape: readonly number[]): Tensor {
    return this.op1('Expand', [x, this.ints(shape)]);
  }
  pad(x: Tensor, pads: readonly number[]): Tensor {
    return this.op1('Pad', [x, this.ints(pads)]);
  }

  conv(x: Tensor, w: Tensor, b?: Tensor, a: ConvAttrs = {}): Tensor {
    return this.op1('Conv', [x, w, b], convAttrs(a));
  }
  convTranspose(x: Tensor, w: Tensor, b?: Tensor, a: ConvAttrs & { outputPadding?: number[] } = {}): Tensor {
    return this.op1('ConvTranspose', [x, w, b], { ...convAttrs(a), output_padding: a.outputPadding });
  }
  averagePool(x: Tensor, kernel: number[], a: { strides?: number[]; pads?: number[] } = {}): Tensor {
    return this.op1('AveragePool', [x], { kernel_shape: kernel, strides: a.strides, pads: a.pads });
  }
  globalAveragePool(x: Tensor): Tensor {
    return this.op1('GlobalAveragePool', [x]);
  }
  /** Seeded standard normal noise shaped like `x` (a new draw every run). */
  randomNormalLike(x: Tensor, seed: number): Tensor {
    return this.op1('RandomNormalLike', [x], { seed: { kind: 'float', value: seed } });
  }

  /** A tensor of `value` broadcast to `shape` without storing it (Expand of a scalar). */
  fill(value: number, shape: Shape, dtype: DType = 'float32'): Tensor {
    return shape.length === 0 ? this.scalar(value, dtype) : this.expand(this.scalar(value, dtype), shape);
  }

  /** A child graph (for control-flow attributes) that can reference this graph's values. */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder({ name, opset: this.opset }, this);
  }

  /** ONNX Loop: runs `body` `trip` times; carried values flow between iterations, scans are stacked on a new axis 0. */
  loop(spec: LoopSpec): { carried: Tensor[]; scans: Tensor[] } {
    const body = this.subgraph(`${spec.name ?? 'loop'}_body`);
    const iter = body.input(body.claimName('iter'), 'int64', []);
    const condIn = body.input(body.claimName('cond_in'), 'bool', []);
    const carriedIn = spec.carried.map((c, i) => body.input(body.claimName(`${c.name}_in${i}`), c.dtype, c.shape));
    const r = spec.body(body, iter, carriedIn);
    body.output(body.op1('Identity', [r.cond ?? condIn]), body.claimName('cond_out'));
    r.carried.forEach((t, i) => body.output(t, body.claimName(`${spec.carried[i]?.name ?? 'v'}_next${i}`)));
    (r.scans ?? []).forEach((t, i) => body.output(t, body.claimName(`scan${i}`)));
    if (r.carried.length !== spec.carried.length)
      throw new Error(
        `Loop '${spec.name ?? 'loop'}': body returned ${r.carried.length} carried values, expected ${spec.carried.length}`,
      );
    const trip = typeof spec.trip === 'number' ? this.constant([spec.trip], [], 'int64') : spec.trip;
    const outs = this.op('Loop', [trip, spec.cond, ...spec.carried], { body: { subgraph: body } }, { name: spec.name });
    return { carried: outs.slice(0, spec.carried.length), scans: outs.slice(spec.carried.length) };
  }

  /** Reserves a generated unique name. */
  claimName(stem: string): string {
    const n = this.claim(stem);
    this.state.names.delete(n);
    return n;
  }

  /** Serializes the root graph to ONNX bytes plus in-memory external data for large initializers. */
  toOnnx(opts: SerializeOptions = {}): SerializedModel {
    return serializeModel(this.root as GraphBuilder, opts);
  }

  /** Serializes and opens an onnxruntime-node session (execution providers and other options passed through). */
  createSession(opts: SessionOptions = {}): Promise<InferenceSession> {
    return createSession(this.root as GraphBuilder, opts);
  }
}

function convAttrs(a: ConvAttrs): Record<string, number[] | number | undefined> {
  return { strides: a.strides, pads: a.pads, dilations: a.dilations, group: a.group };
}

export type { OpOptions };
