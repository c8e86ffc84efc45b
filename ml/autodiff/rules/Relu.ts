/** d relu(x) = dy where x > 0. */
import { dy0, type GradRule } from '../rule';
import { maskGrad } from '../util';

export const Relu: GradRule = (ctx) => [maskGrad(ctx.g, ctx.g.greater(ctx.x[0]!, 0), dy0(ctx))];
