/** y = a^b: da = dy * b * a^(b-1) (a constant exponent folds to one Pow), db = dy * y * ln(a). */
import { dy0, type GradRule } from '../rule';
import { unbroadcast } from '../util';

export const Pow: GradRule = (ctx) => {
  const {
    g,
    x: [a, b],
    y: [y],
    needs,
  } = ctx;
  const dy = dy0(ctx);
  let da;
  if (a && b && needs[0]) {
    const bv = b.value && b.value.length === 1 ? Number(b.value[0]) : undefined;
    const inner =
      bv === undefined
        ? g.mul(b, g.pow(a, g.sub(g.cast(b, a.dtype), 1)))
        : bv === 2
          ? g.mul(a, 2)
          : g.mul(g.pow(a, g.scalar(bv - 1, b.dtype)), bv);
    da = unbroadcast(g, g.mul(dy, inner), a.shape);
  }
  const db = a && b && needs[1] ? unbroadcast(g, g.mul(g.mul(dy, y!), g.log(a)), b.shape) : undefined;
  return [da, db];
};
