/** d(x) = dy. */
import { dy0, type GradRule } from '../rule';

export const Identity: GradRule = (ctx) => [dy0(ctx)];
