/** A LoRA in memory: one low-rank adapter per adapted linear layer, with kohya's semantics. */

/** The adapter of one linear layer W [out, in]: y = W x + strength * (alpha / rank) * up (down x). */
export interface LoraAdapter {
  /** The model's module name (e.g. `blocks.0.attn.q`), not the kohya key. */
  module: string;
  rank: number;
  alpha: number;
  /** [rank, in] (or [rank, in, k, k] for a conv), row-major. */
  down: Float32Array;
  /** [out, rank] (or [out, rank, 1, 1]), row-major. */
  up: Float32Array;
  in: number;
  out: number;
  /**
   * Set for a conv layer W [out, in, k, k] (SD's proj_in/proj_out are 1x1, LoCon's ResBlock convs 3x3): down is then
   * [rank, in, k, k] and up [out, rank, 1, 1], as kohya writes them. Absent for Linear layers.
   */
  kernel?: number;
}

/**
 * A trigger word's own input embedding, trained with the LoRA (pivotal tuning), bundled in the LoRA file as A1111
 * loads embeddings with a LoRA: `bundle_emb.<word>.string_to_param.*` ([vectors, width]; kohya's textual-inversion
 * files name the tensor `emb_params`, read too). The word is the prompt token that uses it.
 */
export interface TriggerEmbedding {
  word: string;
  /** [vectors, width], row-major (SDXL: CLIP-L's). */
  vectors: Float32Array;
  width: number;
  /**
   * SDXL: the same vectors' rows for the second text encoder (OpenCLIP bigG). The file then holds
   * `bundle_emb.<word>.clip_l` and `.clip_g`, the two tensors A1111 and kohya store an SDXL embedding as.
   */
  clipG?: { vectors: Float32Array; width: number };
}

/** A whole LoRA file's content. */
export interface LoraSet {
  adapters: LoraAdapter[];
  /** Embeddings of new trigger words bundled with the adapters (absent or empty: none). */
  embeddings?: TriggerEmbedding[];
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
