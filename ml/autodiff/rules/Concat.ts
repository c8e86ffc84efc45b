/** d concat(xs, axis) = split(dy) by the input sizes. */
import { dy0, intAttr, type GradRule } from '../rule';

export const Concat: GradRule = (ctx) => {
  const xs = ctx.x.map((x) => x!);
  const axis = intAttr(ctx.node, 'axis', 0);
  const ax = axis < 0 ? axis + xs[0]!.rank : axis;
  const parts = ctx.g.split(
    dy0(ctx),
    xs.map((x) => x.shape[ax]!),
    ax,
  );
  return parts.map((p, i) => (ctx.needs[i] ? p : undefined));
};
