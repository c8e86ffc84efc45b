/** d cos(x) = -dy * sin(x). */
import { dy0, type GradRule } from '../rule';

export const Cos: GradRule = (ctx) => [ctx.g.neg(ctx.g.mul(dy0(ctx), ctx.g.sin(ctx.x[0]!)))];
