/** d tanh(x) = dy * (1 - y^2) = dy - dy*y*y. */
import { dy0, type GradRule } from '../rule';

export const Tanh: GradRule = (ctx) => {
  const { g } = ctx;
  const y = ctx.y[0]!;
  const dy = dy0(ctx);
  return [g.sub(dy, g.mul(g.mul(dy, y), y))];
};
