/** d sqrt(x) = dy * 0.5 / y. */
import { dy0, type GradRule } from '../rule';

export const Sqrt: GradRule = (ctx) => [ctx.g.div(ctx.g.mul(dy0(ctx), 0.5), ctx.y[0]!)];
