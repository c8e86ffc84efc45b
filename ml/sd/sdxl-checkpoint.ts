/**
 * An opened SDXL base checkpoint: the same API as SD 1.5's (checkpoint.ts: lazy float32 reads under canonical ldm/SAI
 * names, whatever the layout), with SDXL's widths and a dtype for each of its two text encoders. A diffusers folder's
 * split bigG q/k/v are served as the fused `attn.in_proj_weight` and its text_projection transposed back to P.
 */
import { checkedWeights, type Sd15Checkpoint, type SdDtype } from './checkpoint';
import { checkSdxl } from './sdxl-detect';
import { SDXL_CLIP_G_PREFIX, SDXL_CLIP_L_PREFIX } from './sdxl-keys';
import type { SdxlWidths } from './sdxl-widths';
import type { TensorSource } from './sources';
import { UNET_PREFIX, VAE_PREFIX } from './spec';

export interface SdxlCheckpoint extends Omit<Sd15Checkpoint, 'family' | 'widths' | 'dtypes'> {
  readonly family: 'sdxl';
  readonly widths: SdxlWidths;
  /** Per part: UNet, CLIP-L, bigG, VAE (files mix: an fp32 VAE in an fp16 file). */
  readonly dtypes: {
    readonly unet: SdDtype;
    readonly textEncoder: SdDtype;
    readonly textEncoder2: SdDtype;
    readonly vae: SdDtype;
  };
}

/** Wraps a source detected as SDXL after checking every weight (sdxl-detect.ts). */
export function makeSdxlCheckpoint(path: string, source: TensorSource): SdxlCheckpoint {
  const { widths, names } = checkSdxl(path, source);
  const { weights, dtypeOf } = checkedWeights(path, source, names);
  return {
    ...weights,
    family: 'sdxl',
    widths,
    dtype: dtypeOf(UNET_PREFIX),
    dtypes: {
      unet: dtypeOf(UNET_PREFIX),
      textEncoder: dtypeOf(SDXL_CLIP_L_PREFIX),
      textEncoder2: dtypeOf(SDXL_CLIP_G_PREFIX),
      vae: dtypeOf(VAE_PREFIX),
    },
  };
}
