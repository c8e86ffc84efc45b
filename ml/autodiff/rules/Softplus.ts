/** d softplus(x) = dy * sigmoid(x). */
import { dy0, type GradRule } from '../rule';

export const Softplus: GradRule = (ctx) => [ctx.g.mul(dy0(ctx), ctx.g.sigmoid(ctx.x[0]!))];
