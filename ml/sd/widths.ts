/**
 * The widths of an SD 1.5 checkpoint: everything the graphs need that is not a weight. Every field is read from
 * tensor shapes (ml/sd/detect.ts) except the head counts, which no shape carries: SD 1.x always uses 8 UNet heads
 * (the head width follows the channels) and CLIP text towers use 64-wide heads.
 */

export interface UnetWidths {
  /** Latent channels in (4; 9 for inpainting models). */
  readonly inChannels: number;
  readonly outChannels: number;
  /** Width of level 0 (320 in SD 1.5); level l has modelChannels * channelMult[l]. */
  readonly modelChannels: number;
  readonly channelMult: readonly number[];
  /** ResBlocks per level on the way down (the way up has one more). */
  readonly numResBlocks: number;
  /** Levels whose blocks carry a spatial transformer (SD 1.5: 0, 1, 2). */
  readonly attentionLevels: readonly number[];
  /** Transformer blocks per spatial transformer (SD 1.5: 1). */
  readonly transformerDepth: number;
  /** Attention heads at every level (SD 1.x: 8, a constant of the family). */
  readonly heads: number;
  /** Width of the cross-attention context (the CLIP width: 768). */
  readonly contextDim: number;
  /** Width of the time embedding (4 * modelChannels). */
  readonly timeEmbedDim: number;
}

export interface ClipWidths {
  readonly vocabSize: number;
  readonly width: number;
  readonly layers: number;
  /** width / 64: CLIP text towers use 64-wide heads (ViT-L/14: 12 heads). */
  readonly heads: number;
  /** Token positions (77). */
  readonly positions: number;
  readonly mlpWidth: number;
}

export interface VaeWidths {
  /** Width of level 0 (128 in SD 1.5). */
  readonly ch: number;
  readonly channelMult: readonly number[];
  /** ResBlocks per encoder level (the decoder has one more). */
  readonly numResBlocks: number;
  /** Latent channels (4); the encoder emits twice as many (mean, log-variance). */
  readonly latentChannels: number;
  /** Image channels (3). */
  readonly imageChannels: number;
}

export interface Sd15Widths {
  readonly unet: UnetWidths;
  readonly clip: ClipWidths;
  readonly vae: VaeWidths;
}

/** The widths of a real SD 1.5 checkpoint (v1-5-pruned and every fine-tune of it). */
export const SD15_WIDTHS: Sd15Widths = {
  unet: {
    inChannels: 4,
    outChannels: 4,
    modelChannels: 320,
    channelMult: [1, 2, 4, 4],
    numResBlocks: 2,
    attentionLevels: [0, 1, 2],
    transformerDepth: 1,
    heads: 8,
    contextDim: 768,
    timeEmbedDim: 1280,
  },
  clip: { vocabSize: 49408, width: 768, layers: 12, heads: 12, positions: 77, mlpWidth: 3072 },
  vae: { ch: 128, channelMult: [1, 2, 4, 4], numResBlocks: 2, latentChannels: 4, imageChannels: 3 },
};

/**
 * The tiny test model (../shared/SD-MODELS.md): the same keys and block structure with narrow layers. UNet 32 is
 * the narrowest GroupNorm(32) allows (8 heads of 4 there); CLIP keeps all 12 layers and the full vocabulary so the
 * real tokenizer's ids fit.
 */
export const TINY_SD15_WIDTHS: Sd15Widths = {
  unet: { ...SD15_WIDTHS.unet, modelChannels: 32, contextDim: 64, timeEmbedDim: 128 },
  clip: { vocabSize: 49408, width: 64, layers: 12, heads: 1, positions: 77, mlpWidth: 256 },
  vae: { ...SD15_WIDTHS.vae, ch: 32 },
};

/** The head count of a CLIP text tower of `width` (64-wide heads, at least one). */
export function clipHeads(width: number): number {
  return Math.max(1, Math.floor(width / 64));
}
