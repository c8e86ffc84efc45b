/**
 * kohya's LoRA modules for SD 1.5, built from the checkpoint's widths so a tiny test model and the real one take
 * the same path. kohya names SD 1.x modules by their diffusers path, dots turned into underscores, with the prefix
 * `lora_unet_` or `lora_te_`; each module targets one canonical (ldm) weight. Default LoRA: every Linear and 1x1 conv
 * of the 16 spatial transformers (12 each: 192) and of the 12 text-encoder layers (6 each: 72). LoCon (kohya's
 * conv_dim) adds the ResBlocks' conv1/conv2 (3x3), time_emb_proj, conv_shortcut and the samplers' 3x3 convs (86).
 */
import { toDiffusers } from './diffusers-names';
import { sd15Keys } from './keys';
import { TEXT_PREFIX, UNET_PREFIX } from './spec';
import type { Sd15Widths } from './widths';

/** One module a LoRA can adapt. */
export interface KohyaModule {
  /** kohya key prefix, e.g. `lora_unet_down_blocks_0_attentions_0_proj_in`. */
  readonly key: string;
  /** The canonical weight it changes, e.g. `model.diffusion_model.input_blocks.1.1.proj_in.weight`. */
  readonly target: string;
  /** The diffusers module path (PEFT files name modules this way). */
  readonly diffusersPath: string;
  readonly part: 'unet' | 'text_encoder';
  /** A conv LoRA (LoCon) module, trained only when conv LoRA is on. */
  readonly conv: boolean;
  readonly in: number;
  readonly out: number;
  /** Kernel size for convs (1 for proj_in/proj_out), undefined for Linear layers. */
  readonly kernel?: number;
}

export interface LoraModuleOptions {
  /** Include the 72 text-encoder modules (default true). */
  readonly textEncoder?: boolean;
  /** Include the 86 LoCon modules (default false). */
  readonly conv?: boolean;
}

const SITE = String.raw`(input_blocks\.\d+\.1|output_blocks\.\d+\.1|middle_block\.1)`;
const TRANSFORMER_MODULE = new RegExp(
  String.raw`^${SITE}\.(proj_in|proj_out|transformer_blocks\.\d+\.(attn[12]\.(to_[qkv]|to_out\.0)|ff\.net\.(0\.proj|2)))\.weight$`,
);
const RES_MODULE =
  /^(input_blocks\.\d+\.0|output_blocks\.\d+\.0|middle_block\.[02])\.(in_layers\.2|out_layers\.3|emb_layers\.1|skip_connection)\.weight$/;
const SAMPLER_MODULE = /^(input_blocks\.\d+\.0\.op|output_blocks\.\d+\.[12]\.conv)\.weight$/;
const TEXT_MODULE = /^encoder\.layers\.\d+\.(self_attn\.(q|k|v|out)_proj|mlp\.fc[12])\.weight$/;

/**
 * Whether a UNet weight (ldm path after `model.diffusion_model.`) is one of kohya's LoCon targets: the Linear and
 * Conv2d layers inside its ResnetBlock2D, Downsample2D and Upsample2D modules (networks/lora.py's
 * UNET_TARGET_REPLACE_MODULE_CONV2D_3X3). SD 1.x and SDXL share the ldm layout of these blocks.
 */
export const isLoconTarget = (ldmPath: string): boolean => RES_MODULE.test(ldmPath) || SAMPLER_MODULE.test(ldmPath);

function classify(name: string): { part: 'unet' | 'text_encoder'; conv: boolean } | undefined {
  if (name.startsWith(TEXT_PREFIX))
    return TEXT_MODULE.test(name.slice(TEXT_PREFIX.length)) ? { part: 'text_encoder', conv: false } : undefined;
  if (!name.startsWith(UNET_PREFIX)) return undefined;
  const inner = name.slice(UNET_PREFIX.length);
  if (TRANSFORMER_MODULE.test(inner)) return { part: 'unet', conv: false };
  if (isLoconTarget(inner)) return { part: 'unet', conv: true };
  return undefined;
}

/** kohya's key prefix for a diffusers module path of a part. */
export function kohyaKeyOf(part: 'unet' | 'text_encoder', diffusersPath: string): string {
  return `${part === 'unet' ? 'lora_unet_' : 'lora_te_'}${diffusersPath.replace(/\./g, '_')}`;
}

/** The modules kohya's SD 1.x LoRA adapts, in checkpoint order (UNet, then text encoder). */
export function sd15LoraModules(widths: Sd15Widths, o: LoraModuleOptions = {}): KohyaModule[] {
  const levels = widths.vae.channelMult.length;
  const out: KohyaModule[] = [];
  for (const spec of sd15Keys(widths)) {
    const c = classify(spec.name);
    if (!c || (c.conv && !o.conv) || (c.part === 'text_encoder' && o.textEncoder === false)) continue;
    const d = toDiffusers(spec.name, levels);
    if (!d) throw new Error(`no diffusers name for ${spec.name}`);
    const diffusersPath = d.name.replace(/\.weight$/, '');
    const [outF = 0, inF = 0, k] = spec.shape;
    out.push({
      key: kohyaKeyOf(c.part, diffusersPath),
      target: spec.name,
      diffusersPath,
      part: c.part,
      conv: c.conv,
      in: inF,
      out: outF,
      ...(spec.shape.length === 4 ? { kernel: k } : {}),
    });
  }
  return out;
}

/** The shapes kohya writes for a module at rank r: down [r, in(, k, k)], up [out, r(, 1, 1)]. */
export function loraShapes(m: KohyaModule, rank: number): { down: number[]; up: number[] } {
  if (m.kernel === undefined) return { down: [rank, m.in], up: [m.out, rank] };
  return { down: [rank, m.in, m.kernel, m.kernel], up: [m.out, rank, 1, 1] };
}
