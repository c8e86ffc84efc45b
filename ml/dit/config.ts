/** The diffusion transformer's hyper-parameters, its presets, and what they cost (parameters, FLOPs). */

export interface DiTConfig {
  /** Image side in pixels (square RGB). */
  imageSize: number;
  /** Patch side: the image becomes (imageSize/patch)^2 tokens of patch*patch*3 values. */
  patch: number;
  /** Transformer width and depth of the image stream. */
  width: number;
  depth: number;
  heads: number;
  /** MLP hidden width = width * mlpRatio. */
  mlpRatio: number;
  /** Caption length in bytes (with the leading BOS token); longer captions are cut. */
  textLength: number;
  textWidth: number;
  textDepth: number;
  textHeads: number;
  /**
   * Word hash buckets of the text encoder's word embedding (see tokenizer.ts); 0 or absent: bytes only (the first
   * shipped model had none).
   */
  wordBuckets?: number;
  /** Sinusoidal features of the timestep before its MLP. */
  timeFeatures: number;
}

/** The shipped base model: sized for ~90 minutes of pretraining on a 2-core CPU (see MODEL_CARD.md). */
export const BASE_CONFIG: DiTConfig = {
  imageSize: 32,
  patch: 4,
  width: 128,
  depth: 6,
  heads: 4,
  mlpRatio: 4,
  textLength: 64,
  textWidth: 96,
  textDepth: 2,
  textHeads: 3,
  wordBuckets: 4096,
  timeFeatures: 128,
};

/** A model small enough to train for a few seconds in a test. */
export const TINY_CONFIG: DiTConfig = {
  imageSize: 32,
  patch: 8,
  width: 32,
  depth: 2,
  heads: 2,
  mlpRatio: 2,
  textLength: 24,
  textWidth: 16,
  textDepth: 1,
  textHeads: 2,
  wordBuckets: 64,
  timeFeatures: 16,
};

/** Number of image tokens. */
export const imageTokens = (c: DiTConfig): number => (c.imageSize / c.patch) ** 2;
/** Values per image token. */
export const patchDim = (c: DiTConfig): number => c.patch * c.patch * 3;

/** Checks that the numbers fit together; throws a message naming the bad field. */
export function validateConfig(c: DiTConfig): void {
  const bad = (msg: string): never => {
    throw new Error(`DiT config: ${msg}`);
  };
  if (c.imageSize % c.patch !== 0) bad(`imageSize ${c.imageSize} is not a multiple of patch ${c.patch}`);
  if (c.width % c.heads !== 0) bad(`width ${c.width} is not a multiple of heads ${c.heads}`);
  if (c.textWidth % c.textHeads !== 0) bad(`textWidth ${c.textWidth} is not a multiple of textHeads ${c.textHeads}`);
  if (c.timeFeatures % 2 !== 0) bad(`timeFeatures ${c.timeFeatures} must be even`);
  const { wordBuckets = 0, ...sizes } = c;
  for (const [k, v] of Object.entries(sizes))
    if (!Number.isInteger(v) || v <= 0) bad(`${k} must be a positive integer`);
  if (!Number.isInteger(wordBuckets) || wordBuckets === 1 || wordBuckets < 0)
    bad('wordBuckets must be 0 or an integer >= 2');
}

/**
 * Multiply-add FLOPs (2 per MAC) of one forward pass for one image and its caption, counting the matrix products
 * (the elementwise work is a few percent at these widths). Training costs about 3x this.
 */
export function forwardFlopsPerImage(c: DiTConfig): number {
  const T = imageTokens(c);
  const L = c.textLength;
  const D = c.width;
  const Dt = c.textWidth;
  const H = c.mlpRatio * D;
  const text = c.textDepth * (L * (4 * Dt * Dt + 2 * Dt * 4 * Dt) + 2 * L * L * Dt) + L * 256 * Dt;
  const block =
    T * 4 * D * D +
    2 * T * T * D + // self-attention
    T * 2 * D * D +
    L * 2 * Dt * D +
    2 * T * L * D + // cross-attention
    T * 2 * D * H + // MLP
    6 * D * D; // adaLN modulation
  const outer = T * patchDim(c) * D * 2 + c.timeFeatures * D + D * D + Dt * D + 2 * D * D;
  return 2 * (text + c.depth * block + outer);
}
