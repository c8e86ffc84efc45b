/**
 * Conv. dX = ConvTranspose(dY, W) with output_padding chosen to give X's size back. For a W computed in the graph
 * (trainable) at stride 1, dilation 1 and one group, dX is instead a Conv of dY by W with in/out channels swapped and
 * the kernel flipped, padded by k - 1 - pad on each side: onnxruntime's CPU Conv (NCHWc kernels) ran the SD 1.5
 * UNet's 3x3 shapes 1.1-1.9x faster than its ConvTranspose. A frozen W (an initializer) keeps ConvTranspose for now:
 * its flipped copy (commit 1db64f5 wrote one beside the weights) left the 512 px SD 1.5 step's peak about the same
 * (11.8 against 11.7 GiB, bench:sd15), but the step's speed with it is not yet compared on a quiet machine.
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
  const frozen = w!.origin === 'initializer' || w!.origin === 'constant';
  if (needs[0] && !frozen && group === 1 && strides.every((v) => v === 1) && dil.every((v) => v === 1)) {
    const flipped = flippedKernel(g, w!, k);
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
