/** d sin(x) = dy * cos(x). */
import { dy0, type GradRule } from '../rule';

export const Sin: GradRule = (ctx) => [ctx.g.mul(dy0(ctx), ctx.g.cos(ctx.x[0]!))];
