/**
 * The widths of an SDXL base checkpoint: what the graphs need that is not a weight. Like SD 1.5's (widths.ts), every
 * field but the head width is read from tensor shapes (sdxl-detect.ts): SDXL's UNet uses 64-wide heads at every
 * level (5/10/20 heads), so the head count follows the channels; the text towers use 64-wide heads too.
 */
import { SD15_WIDTHS, type ClipWidths, type VaeWidths } from './widths';

export interface SdxlUnetWidths {
  readonly inChannels: number;
  readonly outChannels: number;
  /** Width of level 0 (320); level l has modelChannels * channelMult[l]. */
  readonly modelChannels: number;
  readonly channelMult: readonly number[];
  readonly numResBlocks: number;
  /** Transformer blocks per spatial transformer at each level (SDXL: 0, 2, 10; 0 = no attention there). */
  readonly transformerDepths: readonly number[];
  /** Transformer blocks of the middle block's spatial transformer (10). */
  readonly middleDepth: number;
  /** Width of one attention head (64 in SDXL; not in any shape, a constant of the family). */
  readonly headDim: number;
  /** Width of the cross-attention context: CLIP-L penultimate ‖ bigG penultimate (768 + 1280 = 2048). */
  readonly contextDim: number;
  /** Width of the time embedding (4 * modelChannels = 1280). */
  readonly timeEmbedDim: number;
  /** Input of label_emb: the pooled bigG embedding + 6 size/crop sinusoids (1280 + 6 * 256 = 2816). */
  readonly admInChannels: number;
}

/** OpenCLIP's text tower as SDXL stores it (`conditioner.embedders.1.model.*`): CLIP widths plus the projection. */
export interface OpenClipWidths extends ClipWidths {
  /** Output width of `text_projection` (1280), the pooled embedding's width. */
  readonly projectionDim: number;
}

export interface SdxlWidths {
  readonly unet: SdxlUnetWidths;
  /** CLIP ViT-L/14 (`conditioner.embedders.0.transformer.text_model.*`). */
  readonly clipL: ClipWidths;
  /** OpenCLIP ViT-bigG/14 (`conditioner.embedders.1.model.*`). */
  readonly clipG: OpenClipWidths;
  readonly vae: VaeWidths;
}

/** Width of each of the six size/crop sinusoids of the "adm" vector (original h, w; crop top, left; target h, w). */
export const SIZE_EMBED_DIM = 256;

/** The widths of sd_xl_base_1.0 and every fine-tune of it (Pony, Illustrious, NoobAI ...). */
export const SDXL_WIDTHS: SdxlWidths = {
  unet: {
    inChannels: 4,
    outChannels: 4,
    modelChannels: 320,
    channelMult: [1, 2, 4],
    numResBlocks: 2,
    transformerDepths: [0, 2, 10],
    middleDepth: 10,
    headDim: 64,
    contextDim: 2048,
    timeEmbedDim: 1280,
    admInChannels: 1280 + 6 * SIZE_EMBED_DIM,
  },
  clipL: SD15_WIDTHS.clip,
  clipG: { vocabSize: 49408, width: 1280, layers: 32, heads: 20, positions: 77, mlpWidth: 5120, projectionDim: 1280 },
  vae: SD15_WIDTHS.vae,
};

/**
 * The tiny SDXL test model: every key and the block structure of the real one (depths 2 and 10, all 12 + 32 text
 * layers, the full vocabulary) at narrow widths. UNet 32/64/128 with SDXL's 64-wide heads (1 and 2 heads: the
 * head width is in no shape, so a file read back must give the same widths); both text towers 64 wide (one head),
 * so the context is 128 and the adm vector 64 + 6 * 256.
 */
export const TINY_SDXL_WIDTHS: SdxlWidths = {
  unet: {
    ...SDXL_WIDTHS.unet,
    modelChannels: 32,
    contextDim: 128,
    timeEmbedDim: 128,
    admInChannels: 64 + 6 * SIZE_EMBED_DIM,
  },
  clipL: { vocabSize: 49408, width: 64, layers: 12, heads: 1, positions: 77, mlpWidth: 256 },
  clipG: { vocabSize: 49408, width: 64, layers: 32, heads: 1, positions: 77, mlpWidth: 256, projectionDim: 64 },
  vae: { ...SD15_WIDTHS.vae, ch: 32 },
};
