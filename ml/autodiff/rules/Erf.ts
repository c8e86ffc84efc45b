/** d erf(x) = dy * 2/sqrt(pi) * exp(-x^2). */
import { dy0, type GradRule } from '../rule';

export const Erf: GradRule = (ctx) => {
  const { g } = ctx;
  const x = ctx.x[0]!;
  return [g.mul(dy0(ctx), g.mul(g.exp(g.neg(g.mul(x, x))), 2 / Math.sqrt(Math.PI)))];
};
