/** d(-x) = -dy. */
import { dy0, type GradRule } from '../rule';

export const Neg: GradRule = (ctx) => [ctx.g.neg(dy0(ctx))];
