/** d pad(x) (constant mode, non-negative pads) = the slice of dy where x sits. */
import { constInts, dy0, strAttr, type GradRule } from '../rule';

export const Pad: GradRule = (ctx) => {
  const { node } = ctx;
  const x = ctx.x[0]!;
  const pads = constInts(node, ctx.x[1], 'pads')!;
  if (strAttr(node, 'mode', 'constant') !== 'constant' || pads.some((p) => p < 0)) {
    throw new Error(`Pad '${node.name}': gradient supports constant mode with non-negative pads only`);
  }
  const starts = x.shape.map((_, i) => pads[i]!);
  return [
    ctx.g.slice(
      dy0(ctx),
      starts,
      x.shape.map((d, i) => starts[i]! + d),
      x.shape.map((_, i) => i),
    ),
  ];
};
