/**
 * An opened SDXL base checkpoint: the same API as SD 1.5's (checkpoint.ts: lazy float32 reads under canonical ldm/SAI
 * names, whatever the layout), with SDXL's widths and a dtype for each of its two text encoders. A diffusers folder's
 * split bigG q/k/v are served as the fused `attn.in_proj_weight` and its text_projection transposed back to P.
 */
import { majorityDtype, type Sd15Checkpoint, type SdDtype } from './checkpoint';
import { SdCheckpointError } from './errors';
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
  const known = new Set(names);
  const ignored = [...source.entries.keys()].filter((n) => !known.has(n)).concat(source.unmapped);
  const dtypeOf = (prefix: string): SdDtype =>
    majorityDtype(
      names.filter((n) => n.startsWith(prefix)),
      source,
    );
  const shape = (name: string): readonly number[] => {
    const e = known.has(name) ? source.entries.get(name) : undefined;
    if (!e) throw new SdCheckpointError(path, `has no weight "${name}"`);
    return e.shape;
  };
  return {
    path,
    layout: source.layout,
    family: 'sdxl',
    widths,
    dtype: dtypeOf(UNET_PREFIX),
    dtypes: {
      unet: dtypeOf(UNET_PREFIX),
      textEncoder: dtypeOf(SDXL_CLIP_L_PREFIX),
      textEncoder2: dtypeOf(SDXL_CLIP_G_PREFIX),
      vae: dtypeOf(VAE_PREFIX),
    },
    names,
    ignored,
    bytes: source.bytes,
    files: source.files,
    has: (name) => known.has(name),
    shape,
    get: (name) => (known.has(name) ? source.read(name) : undefined),
    tensor(name) {
      shape(name);
      return source.read(name);
    },
    close: () => source.close(),
  };
}
