/** A LoRA in memory: one low-rank adapter per adapted linear layer, with kohya's semantics. */

/** The adapter of one linear layer W [out, in]: y = W x + strength * (alpha / rank) * up (down x). */
export interface LoraAdapter {
  /** The model's module name (e.g. `blocks.0.attn.q`), not the kohya key. */
  module: string;
  rank: number;
  alpha: number;
  /** [rank, in], row-major. */
  down: Float32Array;
  /** [out, rank], row-major. */
  up: Float32Array;
  in: number;
  out: number;
}

/** A whole LoRA file's content. */
export interface LoraSet {
  adapters: LoraAdapter[];
  /** The file's `__metadata__` (ss_*, modelspec.*, loraflow.*). */
  metadata: Record<string, string>;
  /** Which key convention the file used. */
  format: 'kohya' | 'peft';
}

/** A LoRA applied at a strength (the seed: start at 0.7). */
export interface WeightedLora {
  set: LoraSet;
  strength: number;
}

/** kohya's scale: alpha / rank. */
export const loraScale = (a: Pick<LoraAdapter, 'alpha' | 'rank'>): number => a.alpha / a.rank;
