/** y = where(c, a, b): da = dy where c, db = dy where not c (summed over broadcast axes). */
import { dy0, type GradRule } from '../rule';
import { unbroadcast } from '../util';

export const Where: GradRule = (ctx) => {
  const {
    g,
    x: [c, a, b],
    needs,
  } = ctx;
  const dy = dy0(ctx);
  return [
    undefined,
    a && needs[1] ? unbroadcast(g, g.where(c!, dy, 0), a.shape) : undefined,
    b && needs[2] ? unbroadcast(g, g.where(c!, 0, dy), b.shape) : undefined,
  ];
};
