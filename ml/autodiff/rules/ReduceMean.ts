/** d mean(x) = dy / count, broadcast back. */
import type { GradRule } from '../rule';
import { spreadBack } from './ReduceSum';

export const ReduceMean: GradRule = (ctx) => {
  const { grad, count } = spreadBack(ctx);
  return [count === 1 ? grad : ctx.g.mul(grad, 1 / count)];
};
