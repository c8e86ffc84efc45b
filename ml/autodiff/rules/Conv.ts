/**
 * Conv. dX = ConvTranspose(dY, W) with output_padding chosen to give X's size back. At stride 1, dilation 1 and one
 * group, dX is instead a Conv of dY by W with in/out channels swapped and the kernel flipped, padded by
 * k - 1 - pad on each side: onnxruntime's CPU ConvTranspose is a product into a [C_in·k·k, H·W] buffer and a
 * single-threaded col2im over it, where Conv works in small cached pieces; on the SD 1.5 UNet's 3x3 shapes the
 * Conv ran 1.1-3.4x faster (the most where C_in > C_out: the output blocks' concatenated inputs).
 * - A W computed in the graph (trainable) is flipped in the graph.
 * - A frozen W (an initializer, or computed from initializers alone) must not be flipped by ops onnxruntime would
 *   fold into a second, persistent copy (2.0 of the SD 1.5 UNet's 3.2 GiB are 3x3 kernels): its flip is a Slice
 *   whose starts depend on dY, so it runs in the step, just before its Conv, and is freed after it. That costs
 *   two passes over the kernel per step, which pays where dY is large next to the kernel (dY's spatial size at
 *   least its channels: the 64x64 and 32x32 levels at 512 px); smaller cases keep ConvTranspose.
 */
import type { GraphBuilder } from '../../graph/builder';
import type { Tensor } from '../../graph/tensor';
import { dy0, intAttr, intsAttr, type GradCtx, type GradRule } from '../rule';

export const Conv: GradRule = (ctx) => {
  const {
    g,
    x: [x, w, b],
    needs,
  } = ctx;
  const dy = dy0(ctx);
  const { sp, k, group, strides, dil, pads } = convAttrs(ctx);
  let dx;
  const frozen = fromConstants(w!);
  const plain = group === 1 && strides.every((v) => v === 1) && dil.every((v) => v === 1);
  const spatial = dy.shape.reduce((a, d, i) => (i === 1 ? a : a * d), 1);
  if (needs[0] && plain && (!frozen || spatial >= dy.shape[1]!)) {
    const flipped = frozen ? flippedInStep(g, w!, k, dy) : flippedKernel(g, w!, k);
    const back = pads.map((p, i) => k[i % sp]! - 1 - p);
    dx = g.conv(dy, flipped, undefined, { pads: back });
  } else if (needs[0]) {
    const outputPadding = k.map((kk, i) => {
      const full = strides[i]! * (dy.shape[i + 2]! - 1) + (kk - 1) * dil[i]! + 1 - pads[i]! - pads[i + sp]!;
      return x!.shape[i + 2]! - full;
    });
    dx = g.convTranspose(dy, w!, undefined, { strides, pads, dilations: dil, group, outputPadding });
  }
  let dw;
  if (needs[1]) {
    dw = perGroup(g, group, x!, dy, (xg, dyg) => weightGrad(g, xg, dyg, k, strides, dil, pads));
  }
  const db = b && needs[2] ? g.reduceSum(dy, [0, ...k.map((_, i) => i + 2)]) : undefined;
  return [dx, dw, db];
};

/** W [out, in, ...k] with in/out swapped and every spatial axis reversed (Transpose + Slice with negative steps). */
function flippedKernel(g: GraphBuilder, w: Tensor, k: number[]): Tensor {
  return g.slice(
    g.transpose(w, [1, 0, ...k.map((_, i) => i + 2)]),
    k.map((kk) => kk - 1),
    k.map((kk) => -kk - 1),
    k.map((_, i) => i + 2),
    k.map(() => -1),
  );
}

/** Whether `t` is an initializer or constant, or computed from those alone (onnxruntime folds such values). */
function fromConstants(t: Tensor, seen = new Map<Tensor, boolean>()): boolean {
  if (t.origin === 'initializer' || t.origin === 'constant') return true;
  if (t.origin !== 'node' || !t.producer) return false;
  let r = seen.get(t);
  if (r === undefined) {
    r = t.producer.inputs.every((x) => !x || fromConstants(x, seen));
    seen.set(t, r);
  }
  return r;
}

/**
 * flippedKernel for a frozen W, computed in the step: the Slice's starts are k - 1 plus a zero read from `dy` (the
 * ArgMax of one of its elements), so onnxruntime cannot fold the flip into an initializer.
 */
function flippedInStep(g: GraphBuilder, w: Tensor, k: number[], dy: Tensor): Tensor {
  const one = g.reshape(g.slice(g.reshape(dy, [-1]), [0], [1]), [1, 1]);
  const zero = g.op('ArgMax', [one], { axis: 1, keepdims: 0 })[0]!;
  const starts = g.add(zero, g.ints(k.map((kk) => kk - 1)));
  const axes = k.map((_, i) => i + 2);
  const ins = [w, starts, g.ints(k.map((kk) => -kk - 1)), g.ints(axes), g.ints(k.map(() => -1))];
  const reversed = g.op('Slice', ins, {}, { outputInfos: [{ dtype: w.dtype, shape: w.shape }] })[0]!;
  return g.transpose(reversed, [1, 0, ...axes]);
}

/** The spatial rank, kernel shape and attributes (with ONNX defaults) shared by Conv and ConvTranspose. */
export function convAttrs({ node, x: [x, w] }: GradCtx) {
  const sp = x!.rank - 2;
  return {
    sp,
    k: w!.shape.slice(2),
    group: intAttr(node, 'group', 1),
    strides: intsAttr(node, 'strides') ?? Array<number>(sp).fill(1),
    dil: intsAttr(node, 'dilations') ?? Array<number>(sp).fill(1),
    pads: intsAttr(node, 'pads') ?? Array<number>(sp * 2).fill(0),
  };
}

/** Splits `x` and `dy` into `group` channel groups, applies `f` to each pair and stacks the results (axis 0). */
export function perGroup(
  g: GraphBuilder,
  group: number,
  x: Tensor,
  dy: Tensor,
  f: (xg: Tensor, dyg: Tensor) => Tensor,
): Tensor {
  if (group === 1) return f(x, dy);
  const cg = x.shape[1]! / group,
    og = dy.shape[1]! / group;
  const parts: Tensor[] = [];
  for (let gi = 0; gi < group; gi++) {
    parts.push(f(g.slice(x, [gi * cg], [(gi + 1) * cg], [1]), g.slice(dy, [gi * og], [(gi + 1) * og], [1])));
  }
  return g.concat(parts, 0);
}

/** Gradient of a Conv's weight given its input `x` and output gradient `dy` (per group). */
export function weightGrad(
  g: GraphBuilder,
  x: Tensor,
  dy: Tensor,
  k: number[],
  strides: number[],
  dil: number[],
  pads: number[],
): Tensor {
  const swap = x.shape.map((_, i) => (i === 0 ? 1 : i === 1 ? 0 : i));
  const r = g.conv(g.transpose(x, swap), g.transpose(dy, swap), undefined, { strides: dil, dilations: strides, pads });
  const cropped = r.shape.slice(2).some((d, i) => d !== k[i])
    ? g.slice(
        r,
        k.map(() => 0),
        k,
        k.map((_, i) => i + 2),
      )
    : r;
  return g.transpose(cropped, swap);
}
