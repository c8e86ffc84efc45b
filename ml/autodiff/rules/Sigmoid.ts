/** d sigmoid(x) = dy * y * (1 - y). */
import { dy0, type GradRule } from '../rule';

export const Sigmoid: GradRule = (ctx) => {
  const { g } = ctx;
  const y = ctx.y[0]!;
  return [g.mul(g.mul(dy0(ctx), y), g.sub(1, y))];
};
