/** Sampling with LoRAs: each combination of (LoRA, strength) is merged into the base weights, then sampled. */
import { DiTSampler, type SampleOptions } from '../dit/sampler';
import type { DiTModel } from '../dit/weights';
import { mergeLoras } from './merge';
import type { WeightedLora } from './types';

/** One image per prompt for each combination of LoRAs: [combos][prompts * S * S * 3] RGB bytes. */
export async function sampleCombos(
  model: DiTModel,
  combos: readonly (readonly WeightedLora[])[],
  options: Omit<SampleOptions, 'onStep'>,
  threads = 2,
  onStep?: (done: number, total: number) => void,
): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const [i, loras] of combos.entries()) {
    options.signal?.throwIfAborted();
    const weights = loras.length ? mergeLoras(model.config, model.weights, loras) : model.weights;
    const sampler = new DiTSampler(model.config, weights, undefined, threads);
    try {
      const onComboStep = (d: number, t: number): void => onStep?.(i * t + d, combos.length * t);
      out.push(await sampler.sample({ ...options, onStep: onComboStep }));
    } finally {
      await sampler.release();
    }
  }
  return out;
}
