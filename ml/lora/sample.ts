/** Sampling with LoRAs: each combination of (LoRA, strength) is merged into the base weights, then sampled. */
import type { DiTConfig } from '../dit/config';
import { DiTSampler, type SampleOptions } from '../dit/sampler';
import type { DiTModel } from '../dit/weights';
import { readLora } from './file';
import { appliedWords, mergeLoras } from './merge';
import type { LoraSet, WeightedLora } from './types';

/** A LoRA file at a strength, as a sampling job names it. */
export interface LoraFileUse {
  path: string;
  strength: number;
}

/** Reads the LoRA files of every combination, each file once. */
export async function readCombos(
  combos: readonly (readonly LoraFileUse[])[],
  config: DiTConfig,
): Promise<WeightedLora[][]> {
  const files = new Map<string, LoraSet>();
  const out: WeightedLora[][] = [];
  for (const combo of combos) {
    const list: WeightedLora[] = [];
    for (const l of combo) {
      let set = files.get(l.path);
      if (!set) files.set(l.path, (set = await readLora(l.path, config)));
      list.push({ set, strength: l.strength });
    }
    out.push(list);
  }
  return out;
}

/**
 * One image per prompt for each combination of LoRAs: [combos][prompts * S * S * 3] RGB bytes. `onStep` counts the
 * steps of all combinations; its `preview()` renders the current combination's x0 estimate.
 */
export async function sampleCombos(
  model: DiTModel,
  combos: readonly (readonly WeightedLora[])[],
  options: Omit<SampleOptions, 'onStep'>,
  threads = 2,
  onStep?: (done: number, total: number, preview: () => Uint8Array) => void,
): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const [i, loras] of combos.entries()) {
    options.signal?.throwIfAborted();
    const weights = loras.length ? mergeLoras(model.config, model.weights, loras) : model.weights;
    const sampler = new DiTSampler(model.config, weights, undefined, threads, appliedWords(loras));
    try {
      const onComboStep = (d: number, t: number, preview: () => Uint8Array): void =>
        onStep?.(i * t + d, combos.length * t, preview);
      out.push(await sampler.sample({ ...options, onStep: onComboStep }));
    } finally {
      await sampler.release();
    }
  }
  return out;
}
