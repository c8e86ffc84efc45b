/** d |x| = dy * sign(x). */
import { dy0, type GradRule } from '../rule';

export const Abs: GradRule = (ctx) => [ctx.g.mul(dy0(ctx), ctx.g.sign(ctx.x[0]!))];
