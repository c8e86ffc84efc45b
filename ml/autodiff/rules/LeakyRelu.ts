/** d leakyrelu(x) = dy where x > 0, alpha*dy elsewhere. */
import type { GradRule } from '../rule';
import { dy0 } from '../rule';

export const LeakyRelu: GradRule = (ctx) => {
  const a = ctx.node.attrs.alpha;
  const alpha = typeof a === 'number' ? a : 0.01;
  const dy = dy0(ctx);
  return [ctx.g.where(ctx.g.greater(ctx.x[0]!, 0), dy, ctx.g.mul(dy, alpha))];
};
