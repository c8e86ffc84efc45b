// AdamW as in Loshchilov & Hutter (and torch.optim.AdamW): bias-corrected moments, decoupled weight decay.
import { mathOn } from './ops';
import {
  zerosFor,
  type AdamWConfig,
  type Optimizer,
  type PackSpec,
  type StateSpec,
  type UpdateInputs,
  type UpdateOutputs,
} from './types';
import type { G } from './ops';

/** AdamW over packed tensors; state per pack: first moment m, second moment v. */
export function adamw(cfg: Omit<AdamWConfig, 'kind'> = {}): Optimizer {
  const b1 = cfg.beta1 ?? 0.9,
    b2 = cfg.beta2 ?? 0.999,
    eps = cfg.eps ?? 1e-8,
    wd = cfg.weightDecay ?? 0.01;
  return {
    kind: 'adamw',
    stateSpecs: (packs: readonly PackSpec[]): StateSpec[] =>
      packs.flatMap((p) => [
        { name: `${p.name}.adam_m`, shape: [p.size], init: zerosFor(p.size) },
        { name: `${p.name}.adam_v`, shape: [p.size], init: zerosFor(p.size) },
      ]),
    update(g: G, { params, grads, state, lr, step }: UpdateInputs): UpdateOutputs {
      const m = mathOn(g);
      // Scalar work once per update: bias corrections folded into one step size and one denominator scale.
      const bc1 = m.sub(1, m.pow(b1, step));
      const bc2 = m.sub(1, m.pow(b2, step));
      const stepSize = m.div(lr, bc1);
      const invSqrtBc2 = m.div(1, m.sqrt(bc2));
      const decay = m.sub(1, m.mul(lr, wd));
      const newParams: ReturnType<typeof m.t>[] = [];
      const newState: ReturnType<typeof m.t>[] = [];
      params.forEach((p, i) => {
        const grad = grads[i]!;
        const m1 = m.add(m.mul(state[2 * i]!, b1), m.mul(grad, 1 - b1));
        const v1 = m.add(m.mul(state[2 * i + 1]!, b2), m.mul(m.mul(grad, grad), 1 - b2));
        const denom = m.add(m.mul(m.sqrt(v1), invSqrtBc2), eps);
        const decayed = wd === 0 ? p : m.mul(p, decay);
        newParams.push(m.sub(decayed, m.mul(m.div(m1, denom), stepSize)));
        newState.push(m1, v1);
      });
      return { params: newParams, state: newState };
    },
  };
}
