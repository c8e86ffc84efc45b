/** d clip(x, lo, hi) = dy where lo <= x <= hi (bounds treated as constants). */
import { dy0, type GradRule } from '../rule';
import { maskGrad } from '../util';

export const Clip: GradRule = (ctx) => {
  const {
    g,
    x: [x, lo, hi],
  } = ctx;
  const conds = [lo && g.op1('GreaterOrEqual', [x!, lo]), hi && g.op1('LessOrEqual', [x!, hi])].filter(
    (c) => c !== undefined,
  );
  if (conds.length === 0) return [dy0(ctx)];
  const mask = conds.length === 2 ? g.op1('And', conds) : conds[0]!;
  return [maskGrad(g, mask, dy0(ctx))];
};
