/**
 * Fitting LoRAs to a base model and merging them into its weights: W' = W + strength * (alpha/rank) * up @ down.
 * Merging makes sampling with any number of stacked LoRAs cost nothing extra per step.
 */
import type { DiTConfig } from '../dit/config';
import { extraWordsMismatch, type ExtraWord } from '../dit/extra-words';
import { linearModules } from '../dit/params';
import type { Weights } from '../dit/weights';
import { loraScale, type LoraSet, type WeightedLora } from './types';

/** Why a LoRA does not fit a model (undefined when it fits): names the first unknown module or bad shape. */
export function loraMismatch(config: DiTConfig, set: LoraSet): string | undefined {
  const mods = new Map(linearModules(config).map((m) => [m.name, m]));
  const words = embeddingWords(set);
  if (set.adapters.length === 0 && words.length === 0) return 'it holds no LoRA adapters';
  const badWords = extraWordsMismatch(config, words);
  if (badWords) return badWords;
  for (const a of set.adapters) {
    const m = mods.get(a.module);
    if (!m) return `the base model has no linear layer "${a.module}"`;
    if (m.in !== a.in || m.out !== a.out) {
      return `module "${a.module}" is ${m.out}x${m.in} in the base model but the LoRA expects ${a.out}x${a.in} (made for another model size?)`;
    }
    if (a.rank < 1 || a.down.length !== a.rank * a.in || a.up.length !== a.out * a.rank) {
      return `module "${a.module}": the adapter's matrices do not have rank ${a.rank}`;
    }
  }
  return undefined;
}

/** A LoRA's bundled trigger embeddings as the sampler's own words. */
export function embeddingWords(set: LoraSet): ExtraWord[] {
  return (set.embeddings ?? []).map((e) => ({ word: e.word, vector: e.vectors }));
}

/**
 * The trigger words of the LoRAs that are applied (strength not 0), as A1111 loads a LoRA's bundled embeddings:
 * whatever the strength, since an embedding is a word's meaning rather than a weight change.
 */
export function appliedWords(loras: readonly WeightedLora[]): ExtraWord[] {
  return loras.filter((l) => l.strength !== 0).flatMap((l) => embeddingWords(l.set));
}

/** Returns new weights with every LoRA merged at its strength; the input weights are not changed. */
export function mergeLoras(config: DiTConfig, weights: Weights, loras: readonly WeightedLora[]): Weights {
  const out: Weights = new Map(weights);
  for (const { set, strength } of loras) {
    const bad = loraMismatch(config, set);
    if (bad) throw new Error(`cannot apply LoRA: ${bad}`);
    if (strength === 0) continue;
    for (const a of set.adapters) {
      const name = `${a.module}.weight`;
      const base = out.get(name);
      if (!base) throw new Error(`model weights lack "${name}"`);
      const w = Float32Array.from(base);
      const s = strength * loraScale(a);
      for (let o = 0; o < a.out; o++) {
        for (let k = 0; k < a.rank; k++) {
          const u = a.up[o * a.rank + k]! * s;
          if (u === 0) continue;
          const row = o * a.in;
          const d = k * a.in;
          for (let i = 0; i < a.in; i++) w[row + i] = w[row + i]! + u * a.down[d + i]!;
        }
      }
      out.set(name, w);
    }
  }
  return out;
}
