/** d(a+b) = dy, summed over broadcast axes. */
import { dy0, type GradRule } from '../rule';
import { unbroadcast } from '../util';

export const Add: GradRule = (ctx) => {
  const dy = dy0(ctx);
  return ctx.x.map((x, i) => (x && ctx.needs[i] ? unbroadcast(ctx.g, dy, x.shape) : undefined));
};
