/** d expand(x) = dy summed over the broadcast axes. */
import { dy0, type GradRule } from '../rule';
import { unbroadcast } from '../util';

export const Expand: GradRule = (ctx) => [unbroadcast(ctx.g, dy0(ctx), ctx.x[0]!.shape), undefined];
