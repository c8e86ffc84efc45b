// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_: one norm over every packed gradient.
import { mathOn, type G } from './ops';
import type { Tensor } from '../graph/tensor';

/** Scales all gradients by min(1, maxNorm / (norm + 1e-6)); returns the clipped gradients and the norm before. */
export function clipByGlobalNorm(g: G, grads: readonly Tensor[], maxNorm: number): { grads: Tensor[]; norm: Tensor } {
  const m = mathOn(g);
  const norm = m.sqrt(m.sum(grads.map((x) => m.sumSquares(x))));
  const coef = m.min(m.div(maxNorm, m.add(norm, 1e-6)), 1);
  return { grads: grads.map((x) => m.mul(x, coef)), norm };
}

/** The global gradient norm without clipping (reported as a training metric). */
export function globalNorm(g: G, grads: readonly Tensor[]): Tensor {
  const m = mathOn(g);
  return m.sqrt(m.sum(grads.map((x) => m.sumSquares(x))));
}
