/** d(a*b) = (dy*b, dy*a), summed over broadcast axes. */
import { dy0, type GradRule } from '../rule';
import { unbroadcast } from '../util';

export const Mul: GradRule = (ctx) => {
  const {
    g,
    x: [a, b],
    needs,
  } = ctx;
  const dy = dy0(ctx);
  return [
    a && b && needs[0] ? unbroadcast(g, g.mul(dy, b), a.shape) : undefined,
    a && b && needs[1] ? unbroadcast(g, g.mul(dy, a), b.shape) : undefined,
  ];
};
