/** d cast(x) = cast(dy) back to x's dtype (no gradient into integer inputs). */
import { isFloat } from '../../graph/types';
import { dy0, type GradRule } from '../rule';

export const Cast: GradRule = (ctx) => {
  const x = ctx.x[0]!;
  return [isFloat(x.dtype) ? ctx.g.cast(dy0(ctx), x.dtype) : undefined];
};
