/** y = softmax(x, axis): dx = y * (dy - sum(dy * y, axis)). */
import { dy0, intAttr, type GradRule } from '../rule';

export const Softmax: GradRule = (ctx) => {
  const { g } = ctx;
  const y = ctx.y[0]!,
    dy = dy0(ctx);
  const axis = intAttr(ctx.node, 'axis', -1);
  return [g.mul(y, g.sub(dy, g.reduceSum(g.mul(dy, y), [axis], true)))];
};
