/**
 * The canonical tensor names and shapes of an SDXL base checkpoint, from its widths, in the ldm/SAI single-file
 * layout that A1111 and ComfyUI load: `model.diffusion_model.*` (UNet), `conditioner.embedders.0.transformer.
 * text_model.*` (CLIP-L, HF layout), `conditioner.embedders.1.model.*` (OpenCLIP bigG, fused `in_proj`) and
 * `first_stage_model.*` (the VAE, SD 1.5's layout). The loader serves every layout under these names; the tiny
 * generator and the LoRA module list are built from the same lists.
 */
import { transformerBlock, unetBodyKeys } from './keys-unet';
import { textKeys } from './keys-text';
import { vaeKeys } from './keys-vae';
import { SpecList, TEXT_PREFIX, UNET_PREFIX, type TensorSpec } from './spec';
import type { OpenClipWidths, SdxlUnetWidths, SdxlWidths } from './sdxl-widths';

export const SDXL_CLIP_L_PREFIX = 'conditioner.embedders.0.transformer.text_model.';
export const SDXL_CLIP_G_PREFIX = 'conditioner.embedders.1.model.';

/** SDXL's SpatialTransformer: GN, Linear proj_in, `depth` transformer blocks, Linear proj_out. */
function spatialTransformer(s: SpecList, p: string, c: number, depth: number, w: SdxlUnetWidths): void {
  s.norm(`${p}.norm`, c);
  s.linear(`${p}.proj_in`, c, c);
  for (let t = 0; t < depth; t++) {
    transformerBlock(s, `${p}.transformer_blocks.${t}`, c, w.contextDim);
  }
  s.linear(`${p}.proj_out`, c, c);
}

/** Every SDXL UNet weight of these widths, in the order sgm builds its blocks. */
export function sdxlUnetKeys(w: SdxlUnetWidths): TensorSpec[] {
  const s = new SpecList(UNET_PREFIX);
  const T = w.timeEmbedDim;
  s.linear('time_embed.0', T, w.modelChannels);
  s.linear('time_embed.2', T, T);
  s.linear('label_emb.0.0', T, w.admInChannels);
  s.linear('label_emb.0.2', T, T);
  unetBodyKeys(s, w, (level) => {
    const depth = level === 'middle' ? w.middleDepth : (w.transformerDepths[level] ?? 0);
    return depth > 0 ? (p, c) => spatialTransformer(s, p, c, depth, w) : undefined;
  });
  return s.specs;
}

/**
 * OpenCLIP's text tower as SDXL stores it: q/k/v fused in `attn.in_proj_weight` [3C, C] (rows q, k, v), exact-GELU
 * MLP `c_fc`/`c_proj`, `ln_final`, and `text_projection` [C, P] applied as x·P (not a Linear's x·Wᵀ).
 */
export function openClipKeys(w: OpenClipWidths, prefix = SDXL_CLIP_G_PREFIX): TensorSpec[] {
  const s = new SpecList(prefix);
  const c = w.width;
  s.add('token_embedding.weight', [w.vocabSize, c], 'embedding');
  s.add('positional_embedding', [w.positions, c], 'embedding');
  for (let l = 0; l < w.layers; l++) {
    const p = `transformer.resblocks.${l}`;
    s.norm(`${p}.ln_1`, c);
    s.add(`${p}.attn.in_proj_weight`, [3 * c, c], 'fanIn');
    s.add(`${p}.attn.in_proj_bias`, [3 * c], 'bias');
    s.linear(`${p}.attn.out_proj`, c, c);
    s.norm(`${p}.ln_2`, c);
    s.linear(`${p}.mlp.c_fc`, w.mlpWidth, c);
    s.linear(`${p}.mlp.c_proj`, c, w.mlpWidth);
  }
  s.norm('ln_final', c);
  s.add('text_projection', [c, w.projectionDim], 'fanIn');
  return s.specs;
}

/** CLIP-L's weights under SDXL's prefix (the same HF layout as SD 1.5's text encoder). */
export function sdxlClipLKeys(w: SdxlWidths['clipL']): TensorSpec[] {
  return textKeys(w).map((t) => ({ ...t, name: SDXL_CLIP_L_PREFIX + t.name.slice(TEXT_PREFIX.length) }));
}

/** Every weight of an SDXL base model of these widths: UNet, CLIP-L, bigG, VAE. */
export function sdxlKeys(w: SdxlWidths): TensorSpec[] {
  return [...sdxlUnetKeys(w.unet), ...sdxlClipLKeys(w.clipL), ...openClipKeys(w.clipG), ...vaeKeys(w.vae)];
}
