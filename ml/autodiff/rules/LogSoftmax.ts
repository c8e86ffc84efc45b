/** y = logsoftmax(x, axis): dx = dy - exp(y) * sum(dy, axis). */
import { dy0, intAttr, type GradRule } from '../rule';

export const LogSoftmax: GradRule = (ctx) => {
  const { g } = ctx;
  const dy = dy0(ctx);
  const axis = intAttr(ctx.node, 'axis', -1);
  return [g.sub(dy, g.mul(g.exp(ctx.y[0]!), g.reduceSum(dy, [axis], true)))];
};
