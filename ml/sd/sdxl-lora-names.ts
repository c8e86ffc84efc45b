/**
 * kohya's LoRA modules for SDXL, built from the checkpoint's widths. Unlike SD 1.x, kohya names SDXL UNet modules by
 * their ldm/SAI path (`lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q`): every Linear of the spatial
 * transformers, proj_in/proj_out included (Linear in SDXL), 722 at full size. The text encoders use the HF CLIP
 * layout with `lora_te1_` (CLIP-L, 72) and `lora_te2_` (bigG, 192), although the SAI file fuses bigG's q/k/v into
 * one `attn.in_proj_weight` [3C, C]: its q/k/v modules target that weight's row thirds (`rows`). LoCon (kohya's
 * conv_dim) adds, by the same ldm paths, the ResBlocks' `in_layers.2` / `out_layers.3` (3x3), `emb_layers.1`,
 * `skip_connection` where the width changes, and the samplers' `op` / `conv` (66 at full size).
 */
import { isLoconTarget, type KohyaModule, type LoraModuleOptions } from './lora-names';
import { addLowRank } from './merge-lora';
import { SDXL_CLIP_G_PREFIX, SDXL_CLIP_L_PREFIX, sdxlKeys } from './sdxl-keys';
import { sdxlToDiffusers } from './sdxl-diffusers-names';
import type { SdxlWidths } from './sdxl-widths';
import { UNET_PREFIX } from './spec';

/** An SDXL module: which text encoder, and for bigG's q/k/v the rows of the fused weight it changes. */
export interface SdxlKohyaModule extends KohyaModule {
  /** 1 = CLIP-L (`lora_te1_`), 2 = bigG (`lora_te2_`); absent for the UNet. */
  readonly encoder?: 1 | 2;
  /** Rows [start, start + out) of `target` this module changes (bigG's fused in_proj); absent = the whole weight. */
  readonly rows?: { readonly start: number; readonly count: number };
}

const SITE = String.raw`(input_blocks\.\d+\.1|output_blocks\.\d+\.1|middle_block\.1)`;
const UNET_MODULE = new RegExp(
  String.raw`^${SITE}\.(proj_in|proj_out|transformer_blocks\.\d+\.(attn[12]\.(to_[qkv]|to_out\.0)|ff\.net\.(0\.proj|2)))\.weight$`,
);
const CLIP_L_MODULE = /^encoder\.layers\.(\d+)\.(self_attn\.(q|k|v|out)_proj|mlp\.fc[12])\.weight$/;
const CLIP_G_MODULE =
  /^transformer\.resblocks\.(\d+)\.(attn\.in_proj_weight|attn\.out_proj\.weight|mlp\.c_(fc|proj)\.weight)$/;
const G_TO_HF: Record<string, string> = {
  'attn.out_proj.weight': 'self_attn.out_proj',
  'mlp.c_fc.weight': 'mlp.fc1',
  'mlp.c_proj.weight': 'mlp.fc2',
};

const key = (prefix: string, path: string) => `${prefix}${path.replace(/\./g, '_')}`;

/** The modules kohya's SDXL LoRA adapts, in checkpoint order (UNet, CLIP-L, bigG); LoCon's only with `conv`. */
export function sdxlLoraModules(widths: SdxlWidths, o: LoraModuleOptions = {}): SdxlKohyaModule[] {
  const out: SdxlKohyaModule[] = [];
  const levels = widths.vae.channelMult.length;
  for (const spec of sdxlKeys(widths)) {
    const [outF = 0, inF = 0, k] = spec.shape;
    const n = spec.name;
    if (n.startsWith(UNET_PREFIX)) {
      const inner = n.slice(UNET_PREFIX.length);
      const conv = isLoconTarget(inner);
      if (conv ? !o.conv : !UNET_MODULE.test(inner)) continue;
      const diffusersPath = (sdxlToDiffusers(n, levels)?.[0]?.name ?? '').replace(/\.weight$/, '');
      out.push({
        key: key('lora_unet_', inner.slice(0, -'.weight'.length)),
        target: n,
        diffusersPath,
        part: 'unet',
        conv,
        in: inF,
        out: outF,
        ...(spec.shape.length === 4 ? { kernel: k } : {}),
      });
      continue;
    }
    if (o.textEncoder === false) continue;
    if (n.startsWith(SDXL_CLIP_L_PREFIX) && CLIP_L_MODULE.test(n.slice(SDXL_CLIP_L_PREFIX.length))) {
      const diffusersPath = `text_model.${n.slice(SDXL_CLIP_L_PREFIX.length, -'.weight'.length)}`;
      out.push({
        key: key('lora_te1_', diffusersPath),
        target: n,
        diffusersPath,
        part: 'text_encoder',
        encoder: 1,
        conv: false,
        in: inF,
        out: outF,
      });
      continue;
    }
    const m = n.startsWith(SDXL_CLIP_G_PREFIX) ? n.slice(SDXL_CLIP_G_PREFIX.length).match(CLIP_G_MODULE) : null;
    if (!m) continue;
    const layer = `text_model.encoder.layers.${m[1]}`;
    const fused = m[2] === 'attn.in_proj_weight';
    const parts = fused
      ? (['q', 'k', 'v'] as const).map((x, i) => ({
          hf: `self_attn.${x}_proj`,
          rows: { start: (i * outF) / 3, count: outF / 3 },
        }))
      : [{ hf: G_TO_HF[m[2]!]!, rows: undefined }];
    for (const p of parts) {
      const diffusersPath = `${layer}.${p.hf}`;
      out.push({
        key: key('lora_te2_', diffusersPath),
        target: n,
        diffusersPath,
        part: 'text_encoder',
        encoder: 2,
        conv: false,
        in: inF,
        out: p.rows ? p.rows.count : outF,
        ...(p.rows ? { rows: p.rows } : {}),
      });
    }
  }
  return out;
}

/**
 * Adds one LoRA's change, scale · (up @ down), to the weight its module targets (float32, row-major [out, in]),
 * only on the module's rows for bigG's fused q/k/v: what ComfyUI and A1111 do when they load the file (the same
 * addLowRank every merge uses, merge-lora.ts).
 */
export function mergeSdxlLora(
  weight: Float32Array,
  m: SdxlKohyaModule,
  up: Float32Array,
  down: Float32Array,
  rank: number,
  scale: number,
): void {
  addLowRank(weight, { module: m.key, rank, alpha: rank, in: m.in, out: m.out, down, up }, scale, m.rows);
}
