/** Shape-only ops (Reshape, Flatten, Squeeze, Unsqueeze): reshape dy back. */
import { dy0, type GradRule } from '../rule';

export const Reshape: GradRule = (ctx) => [ctx.g.reshape(dy0(ctx), ctx.x[0]!.shape)];
export const Flatten = Reshape;
export const Squeeze = Reshape;
export const Unsqueeze = Reshape;
