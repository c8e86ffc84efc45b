// SGD with momentum, as torch.optim.SGD: coupled weight decay, optional dampening and Nesterov.
import { mathOn, type G } from './ops';
import {
  zerosFor,
  type Optimizer,
  type PackSpec,
  type SgdConfig,
  type UpdateInputs,
  type UpdateOutputs,
} from './types';
import type { Tensor } from '../graph/tensor';

/** SGD with momentum over packed tensors; state per pack: the momentum buffer. */
export function sgd(cfg: Omit<SgdConfig, 'kind'> = {}): Optimizer {
  const mu = cfg.momentum ?? 0.9,
    damp = cfg.dampening ?? 0,
    wd = cfg.weightDecay ?? 0,
    nesterov = cfg.nesterov ?? false;
  return {
    kind: 'sgd',
    stateSpecs: (packs: readonly PackSpec[]) =>
      packs.map((p) => ({ name: `${p.name}.momentum`, shape: [p.size], init: zerosFor(p.size) })),
    update(g: G, { params, grads, state, lr, step }: UpdateInputs): UpdateOutputs {
      const m = mathOn(g);
      // torch starts the buffer as a copy of the first gradient (no dampening on step 1); with a zero buffer that
      // is buf = g when dampening is 0. For dampening > 0 pick (1 - dampening) from step 2 on.
      const gradScale = damp === 0 ? m.t(1) : g.op1('Where', [g.op1('Equal', [step, m.t(1)]), m.t(1), m.t(1 - damp)]);
      const newParams: Tensor[] = [];
      const newState: Tensor[] = [];
      params.forEach((p, i) => {
        const grad = wd === 0 ? grads[i]! : m.add(grads[i]!, m.mul(p, wd));
        const buf = m.add(m.mul(state[i]!, mu), damp === 0 ? grad : m.mul(grad, gradScale));
        const dir = nesterov ? m.add(grad, m.mul(buf, mu)) : buf;
        newParams.push(m.sub(p, m.mul(dir, lr)));
        newState.push(buf);
      });
      return { params: newParams, state: newState };
    },
  };
}
