/** y = a/b: da = dy/b, db = -dy*y/b. */
import { dy0, type GradRule } from '../rule';
import { unbroadcast } from '../util';

export const Div: GradRule = (ctx) => {
  const {
    g,
    x: [a, b],
    y: [y],
    needs,
  } = ctx;
  const dy = dy0(ctx);
  const da = g.div(dy, b!);
  return [
    a && needs[0] ? unbroadcast(g, da, a.shape) : undefined,
    b && needs[1] ? unbroadcast(g, g.neg(g.mul(da, y!)), b.shape) : undefined,
  ];
};
