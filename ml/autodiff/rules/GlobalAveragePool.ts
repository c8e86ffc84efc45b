/** d mean over spatial axes = dy / (H*W...) broadcast back. */
import { dy0, type GradRule } from '../rule';

export const GlobalAveragePool: GradRule = (ctx) => {
  const x = ctx.x[0]!;
  const n = x.shape.slice(2).reduce((a, b) => a * b, 1);
  return [ctx.g.expand(ctx.g.mul(dy0(ctx), 1 / n), x.shape)];
};
