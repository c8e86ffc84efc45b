/** Shape and dtype inference helpers used by the op table. Each throws through `ctx.fail` with a readable message. */
import type { ValueInfo } from './tensor';
import { fmtShape, isTypedAttr, type Attrs, type AttrValue, type DType, type Shape } from './types';

/** What an op's inference function sees. */
export class InferCtx {
  constructor(
    readonly op: string,
    readonly nodeName: string,
    readonly inputs: readonly (ValueInfo | undefined)[],
    readonly attrs: Attrs,
  ) {}

  /** Throws an error naming the op and node. */
  fail(msg: string): never {
    const ins = this.inputs.map((v) => (v ? `${v.dtype}${fmtShape(v.shape)}` : '-')).join(', ');
    throw new Error(`${this.op} '${this.nodeName}': ${msg} (inputs: ${ins})`);
  }

  /** A required input. */
  in(i: number): ValueInfo {
    const v = this.inputs[i];
    if (!v) this.fail(`input ${i} is required`);
    return v;
  }

  /** Integer values of a constant input (shape, axes, starts...), or undefined when the input is omitted. */
  ints(i: number, what: string): number[] | undefined {
    const v = this.inputs[i];
    if (!v) return undefined;
    if (!v.value) this.fail(`${what} (input ${i}) must be a constant so shapes are known at build time`);
    return Array.from(v.value as ArrayLike<number | bigint>, (x) => Number(x));
  }

  attr(name: string): AttrValue | undefined {
    const a = this.attrs[name];
    return isTypedAttr(a) ? (a.value as AttrValue) : a;
  }
  int(name: string, dflt: number): number {
    const a = this.attr(name);
    if (a === undefined) return dflt;
    if (typeof a !== 'number') this.fail(`attribute ${name} must be a number`);
    return a;
  }
  intList(name: string): number[] | undefined {
    const a = this.attr(name);
    if (a === undefined) return undefined;
    if (!Array.isArray(a)) this.fail(`attribute ${name} must be a list`);
    return a as number[];
  }
  str(name: string, dflt: string): string {
    const a = this.attr(name);
    return typeof a === 'string' ? a : dflt;
  }

  /** Normalises a possibly negative axis against `rank`. */
  axis(a: number, rank: number): number {
    if (a < -rank || a >= rank) this.fail(`axis ${a} out of range for rank ${rank}`);
    return a < 0 ? a + rank : a;
  }

  sameDtype(...idx: number[]): DType {
    const d = this.in(idx[0] ?? 0).dtype;
    for (const i of idx) if (this.in(i).dtype !== d) this.fail(`inputs must share one dtype`);
    return d;
  }
}

/** Numpy-style broadcast of several shapes. */
export function broadcastShapes(ctx: InferCtx, shapes: readonly Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const x = s[s.length - rank + i] ?? 1;
      if (x === 1) continue;
      if (d !== 1 && d !== x) ctx.fail(`shapes ${shapes.map(fmtShape).join(' and ')} do not broadcast`);
      d = x;
    }
    out.push(d);
  }
  return out;
}

/** Output of a reduction over `axes` (all axes when undefined). */
export function reducedShape(ctx: InferCtx, shape: Shape, axes: number[] | undefined, keep: boolean): number[] {
  const ax = new Set((axes ?? shape.map((_, i) => i)).map((a) => ctx.axis(a, shape.length)));
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!ax.has(i)) out.push(d);
    else if (keep) out.push(1);
  });
  return out;
}

/** Numpy matmul shape rule. */
export function matmulShape(ctx: InferCtx, a: Shape, b: Shape): number[] {
  if (a.length === 0 || b.length === 0) ctx.fail('MatMul inputs must have rank >= 1');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const k1 = a2[a2.length - 1]!;
  const k2 = b2[b2.length - 2]!;
  if (k1 !== k2) ctx.fail(`inner dimensions differ: ${fmtShape(a)} x ${fmtShape(b)}`);
  const batch = broadcastShapes(ctx, [a2.slice(0, -2), b2.slice(0, -2)]);
  const out = [...batch];
  if (a.length > 1) out.push(a2[a2.length - 2]!);
  if (b.length > 1) out.push(b2[b2.length - 1]!);
  return out;
}

/** Output spatial size of a convolution/pool window. */
export function convOut(inp: number, k: number, stride: number, pad0: number, pad1: number, dil: number): number {
  return Math.floor((inp + pad0 + pad1 - dil * (k - 1) - 1) / stride) + 1;
}

/** Resolves a Reshape target (0 = copy, -1 = infer). */
export function reshapeTarget(ctx: InferCtx, inShape: Shape, target: number[]): number[] {
  const total = inShape.reduce((a, b) => a * b, 1);
  const out = target.map((d, i) => (d === 0 ? (inShape[i] ?? ctx.fail('0 in shape past input rank')) : d));
  const neg = out.filter((d) => d === -1).length;
  if (neg > 1) ctx.fail('at most one -1 in the target shape');
  const known = out.reduce((a, d) => (d === -1 ? a : a * d), 1);
  if (neg === 1) {
    if (known === 0 || total % known !== 0) ctx.fail(`cannot reshape ${fmtShape(inShape)} to ${fmtShape(target)}`);
    out[out.indexOf(-1)] = total / known;
  } else if (known !== total)
    ctx.fail(`cannot reshape ${fmtShape(inShape)} (${total} elements) to ${fmtShape(target)}`);
  return out;
}

/** Python-style slice length with ONNX clamping rules. */
export function sliceLen(dim: number, start: number, end: number, step: number): number {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = clamp(s, 0, dim);
    e = clamp(e, 0, dim);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  s = clamp(s, -1, dim - 1);
  e = clamp(e, -1, dim - 1);
  return Math.max(0, Math.ceil((e - s) / step));
}
