/** d split(x) = concat of the output gradients (zeros for outputs without one). */
import { intAttr, type GradRule } from '../rule';

export const Split: GradRule = (ctx) => {
  const { g } = ctx;
  const x = ctx.x[0]!;
  const axis = intAttr(ctx.node, 'axis', 0);
  const parts = ctx.y.map((y, i) => ctx.dy[i] ?? g.fill(0, y.shape, y.dtype));
  return [g.concat(parts, axis < 0 ? axis + x.rank : axis)];
};
