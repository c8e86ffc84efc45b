/** d (1/x) = -dy * y^2. */
import { dy0, type GradRule } from '../rule';

export const Reciprocal: GradRule = (ctx) => {
  const y = ctx.y[0]!;
  return [ctx.g.neg(ctx.g.mul(dy0(ctx), ctx.g.mul(y, y)))];
};
