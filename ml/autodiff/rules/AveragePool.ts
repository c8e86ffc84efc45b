/**
 * AveragePool: each output spreads dy / (window count) over its window: a depthwise ConvTranspose with a ones kernel.
 * The window count (which varies at padded borders when count_include_pad is 0) is computed by pooling ones.
 */
import { dy0, intAttr, intsAttr, type GradRule } from '../rule';

export const AveragePool: GradRule = (ctx) => {
  const { g, node } = ctx;
  const x = ctx.x[0]!,
    dy = dy0(ctx);
  const sp = x.rank - 2,
    c = x.shape[1]!;
  const k = intsAttr(node, 'kernel_shape')!;
  const strides = intsAttr(node, 'strides') ?? Array<number>(sp).fill(1);
  const pads = intsAttr(node, 'pads') ?? Array<number>(sp * 2).fill(0);
  if ((intsAttr(node, 'dilations') ?? []).some((d) => d !== 1))
    throw new Error(`AveragePool '${node.name}': dilations are not differentiable here`);
  const size = k.reduce((a, b) => a * b, 1);
  const padded = pads.some((p) => p !== 0) && intAttr(node, 'count_include_pad', 0) === 0;
  const counts = padded
    ? g.mul(
        g.op1('AveragePool', [g.fill(1, [1, 1, ...x.shape.slice(2)], x.dtype)], {
          kernel_shape: k,
          strides,
          pads,
          count_include_pad: 1,
        }),
        size,
      )
    : size;
  const scaled = g.div(dy, counts);
  const ones = g.fill(1, [c, 1, ...k], x.dtype);
  const outputPadding = k.map(
    (kk, i) => x.shape[i + 2]! - (strides[i]! * (dy.shape[i + 2]! - 1) + kk - pads[i]! - pads[i + sp]!),
  );
  return [g.convTranspose(scaled, ones, undefined, { strides, pads, group: c, outputPadding })];
};
