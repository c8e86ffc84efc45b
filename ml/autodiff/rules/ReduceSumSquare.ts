/** d sum(x^2) = 2 x dy, broadcast back. */
import type { GradRule } from '../rule';
import { spreadBack } from './ReduceSum';

export const ReduceSumSquare: GradRule = (ctx) => [ctx.g.mul(ctx.g.mul(spreadBack(ctx).grad, ctx.x[0]!), 2)];
