/** d exp(x) = dy * y. */
import { dy0, type GradRule } from '../rule';

export const Exp: GradRule = (ctx) => [ctx.g.mul(dy0(ctx), ctx.y[0]!)];
