/** d(a-b) = (dy, -dy), summed over broadcast axes. */
import { dy0, type GradRule } from '../rule';
import { unbroadcast } from '../util';

export const Sub: GradRule = (ctx) => {
  const {
    g,
    x: [a, b],
    needs,
  } = ctx;
  const dy = dy0(ctx);
  return [
    a && needs[0] ? unbroadcast(g, dy, a.shape) : undefined,
    b && needs[1] ? g.neg(unbroadcast(g, dy, b.shape)) : undefined,
  ];
};
