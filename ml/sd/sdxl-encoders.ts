/**
 * SDXL's text encoders and VAE for sampling and training caches (the shared machinery is encoders.ts): each chunk
 * goes through CLIP-L (penultimate layer, no final LayerNorm, padded with EOS) and OpenCLIP bigG (penultimate
 * layer without ln_final, padded with 0), concatenated into the 2048-wide context; bigG's pooled, projected EOS
 * embedding of the first chunk becomes the adm vector's first part (sdxl-cond.ts). VAE scale 0.13025, decoded in
 * float32; previews use ComfyUI's SDXL latent-to-RGB factors.
 */
import { Tensor as OrtTensor } from 'onnxruntime-node';
import { frozenCtx, type WeightSource } from './blocks';
import { buildClipText } from './clip';
import { int64Ids, SdEncoders, type ChunkEncoding, type EncoderOptions, type PreviewFactors } from './encoders';
import { buildOpenClipText, eosRows } from './openclip';
import { SDXL_VAE_SCALE } from './sdxl-cond';
import { SDXL_CLIP_G_PREFIX, SDXL_CLIP_L_PREFIX } from './sdxl-keys';
import { SIZE_EMBED_DIM } from './sdxl-widths';
import { CONTEXT, EOS } from './tokenizer';

/** ComfyUI's latent_rgb_factors (and bias) for the SDXL VAE. */
export const SDXL_PREVIEW: PreviewFactors = {
  factors: [
    [0.3651, 0.4232, 0.4341],
    [-0.2533, -0.0042, 0.1068],
    [0.1076, 0.1111, -0.0362],
    [-0.3165, -0.2492, -0.2188],
  ],
  bias: [0.1084, -0.0175, -0.0011],
};

/** Host-side sessions of SDXL's two text encoders and its VAE. */
export class SdxlEncoders extends SdEncoders {
  readonly family = 'sdxl';
  readonly width: number;
  readonly unet: { headDim: number; admWidth: number };
  protected readonly latentScale = SDXL_VAE_SCALE;
  protected readonly previewFactors = SDXL_PREVIEW;
  protected readonly pads = [EOS, 0];
  private readonly widthL: number;
  private readonly widthG: number;
  protected readonly textWidths: readonly number[];

  /** `weights` of an SDXL checkpoint; the UNet's head width is a constant of the family (64, sdxl-widths.ts). */
  constructor(weights: WeightSource, o: Omit<EncoderOptions, 'clipSkip'> & { headDim?: number } = {}) {
    super(weights, o);
    this.widthL = weights.shape(`${SDXL_CLIP_L_PREFIX}embeddings.token_embedding.weight`)[1] ?? 0;
    this.widthG = weights.shape(`${SDXL_CLIP_G_PREFIX}token_embedding.weight`)[1] ?? 0;
    this.width = this.widthL + this.widthG;
    this.textWidths = [this.widthL, this.widthG];
    const pooled = weights.shape(`${SDXL_CLIP_G_PREFIX}text_projection`)[1] ?? 0;
    this.unet = { headDim: o.headDim ?? 64, admWidth: pooled + 6 * SIZE_EMBED_DIM };
  }

  withWeights(weights: WeightSource, o: EncoderOptions = this.o): SdxlEncoders {
    return new SdxlEncoders(weights, { ...o, headDim: this.unet.headDim });
  }

  protected async encodeChunk(ids: readonly Int32Array[]): Promise<ChunkEncoding> {
    const [idsL, idsG] = ids as [Int32Array, Int32Array];
    const s = await this.session('text', (g) => {
      const ctx = frozenCtx(g, this.weights);
      const [extraL, extraG] = [this.extraRows(g, 0), this.extraRows(g, 1)];
      const l = buildClipText(ctx, g.input('ids_l', 'int64', [1, CONTEXT]), {
        prefix: SDXL_CLIP_L_PREFIX,
        clipSkip: 2,
        finalNorm: false,
        ...(extraL ? { extraTokens: extraL } : {}),
      });
      const ids = g.input('ids_g', 'int64', [1, CONTEXT]);
      const big = buildOpenClipText(ctx, ids, g.input('eos', 'int64', [1]), undefined, extraG);
      g.output(l, 'clip_l');
      g.output(big.penultimate, 'clip_g');
      g.output(big.pooled, 'pooled');
    });
    const r = await s.run({
      ids_l: int64Ids(idsL),
      ids_g: int64Ids(idsG),
      eos: new OrtTensor('int64', eosRows(idsG, CONTEXT), [1]),
    });
    const copy = (n: string) => Float32Array.from(r[n]!.data as Float32Array);
    return { parts: [copy('clip_l'), copy('clip_g')], pooled: copy('pooled') };
  }
}
