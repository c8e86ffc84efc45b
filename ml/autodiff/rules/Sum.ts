/** d(sum of inputs) = dy for each, summed over broadcast axes. */
import { dy0, type GradRule } from '../rule';
import { unbroadcast } from '../util';

export const Sum: GradRule = (ctx) =>
  ctx.x.map((x, i) => (x && ctx.needs[i] ? unbroadcast(ctx.g, dy0(ctx), x.shape) : undefined));
