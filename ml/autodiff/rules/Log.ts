/** d log(x) = dy / x. */
import { dy0, type GradRule } from '../rule';

export const Log: GradRule = (ctx) => [ctx.g.div(dy0(ctx), ctx.x[0]!)];
