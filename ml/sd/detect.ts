/**
 * Which model family a checkpoint is, decided in one place from key names and tensor shapes, never the file name.
 * Families loraflow cannot open yet are named ("detected FLUX.1 dev; not supported yet") so a user knows what they
 * chose; an SDXL base is returned as 'sdxl' and checked by sdxl-detect.ts, which reads its widths.
 */
import type { TensorSource } from './sources';
import { SdCheckpointError } from './errors';
import { sd15Keys } from './keys';
import { TEXT_PREFIX, UNET_PREFIX, VAE_PREFIX } from './spec';
import { clipHeads, type Sd15Widths } from './widths';

const NOT_YET = 'loraflow opens SD 1.5 and SDXL base checkpoints today; FLUX is planned';

function refuse(path: string, what: string, hint = NOT_YET): never {
  throw new SdCheckpointError(path, `detected ${what}; not supported yet`, hint);
}

function sample(names: readonly string[]): string {
  return names
    .slice(0, 4)
    .map((n) => `"${n}"`)
    .join(', ');
}

/**
 * Refuses LoRAs and the families loraflow cannot open by their marker keys (the names of a single file); returns
 * the family of the others: 'sdxl' for an SDXL base (checked by sdxl-detect.ts), 'sd15' once the SD 1.x checks pass.
 */
export function refuseOtherFamilies(path: string, names: readonly string[]): 'sd15' | 'sdxl' {
  const has = (re: RegExp) => names.some((n) => re.test(n));
  const lora = names.filter((n) => /^lora_(unet|te\d?)_|\.lora_(down|up|A|B)\.weight$/.test(n));
  if (lora.length > 0)
    throw new SdCheckpointError(
      path,
      `is a LoRA (${lora.length} adapter tensors such as ${sample(lora)}), not a base model`,
      'choose a full checkpoint here; load LoRAs with LoadLoRA',
    );
  if (has(/^conditioner\.embedders\.1\.model\./)) return 'sdxl';
  if (has(/^conditioner\.embedders\.0\.model\./))
    refuse(
      path,
      'SDXL refiner',
      'LoRAs are trained on the base model: choose the SDXL base checkpoint (sd_xl_base_1.0)',
    );
  if (has(/^(model\.diffusion_model\.)?double_blocks\.0\.img_attn\.qkv\.weight$/))
    refuse(path, has(/(^|\.)guidance_in\./) ? 'FLUX.1 dev' : 'FLUX.1 (schnell or a distilled variant)');
  if (has(/^(model\.diffusion_model\.)?joint_blocks\.0\./)) refuse(path, 'Stable Diffusion 3');
  if (has(/^cond_stage_model\.model\.transformer\.resblocks\.0\./))
    refuse(path, 'Stable Diffusion 2.x (OpenCLIP ViT-H text encoder)');
  if (!has(/^model\.diffusion_model\.input_blocks\.0\.0\.weight$/)) {
    const diffusersUnet = has(/^down_blocks\.0\.resnets\.0\.conv1\.weight$/);
    throw new SdCheckpointError(
      path,
      diffusersUnet
        ? 'is the UNet of a diffusers folder, not a whole model'
        : `is not a Stable Diffusion checkpoint: no UNet (model.diffusion_model.*) among its ${names.length} tensors` +
            (names.length ? ` (${sample(names)}, ...)` : ''),
      diffusersUnet
        ? 'choose the diffusers folder itself (the one holding model_index.json)'
        : 'choose an SD 1.5 checkpoint (.safetensors) or a diffusers folder',
    );
  }
  const missing = [
    has(/^cond_stage_model\.transformer\./) ? '' : 'the text encoder (cond_stage_model.transformer.*)',
    has(/^first_stage_model\./) ? '' : 'the VAE (first_stage_model.*)',
  ].filter(Boolean);
  if (missing.length)
    throw new SdCheckpointError(
      path,
      `has an SD UNet but lacks ${missing.join(' and ')}: a UNet-only file`,
      'choose a full checkpoint with the text encoder and VAE baked in',
    );
  return 'sd15';
}

/** Whether a diffusers folder is an SDXL base pipeline (its class, or a second text encoder). */
export function isSdxlPipeline(className: string, hasSecondTextEncoder: boolean): boolean {
  return className === 'StableDiffusionXLPipeline' || (!className && hasSecondTextEncoder);
}

/** Refuses diffusers pipelines of other families by model_index.json's `_class_name`. */
export function refuseOtherPipelines(dir: string, className: string, hasSecondTextEncoder: boolean): void {
  if (/XL/.test(className) || hasSecondTextEncoder)
    refuse(dir, `SDXL (diffusers ${className || 'folder with text_encoder_2'})`);
  if (/Flux/.test(className)) refuse(dir, `FLUX.1 (diffusers ${className})`);
  if (/StableDiffusion3/.test(className)) refuse(dir, `Stable Diffusion 3 (diffusers ${className})`);
  if (className && !/^StableDiffusion(Img2Img|Inpaint)?Pipeline$/.test(className))
    throw new SdCheckpointError(dir, `is a diffusers ${className}, not a Stable Diffusion 1.5 pipeline`);
}

export type ShapeOf = (name: string) => readonly number[] | undefined;

/** How many consecutive weights `name(from)`, `name(from + 1)`, ... the file has. */
export function count(shape: ShapeOf, name: (i: number) => string, from = 0): number {
  let i = from;
  while (shape(name(i))) i++;
  return i - from;
}

/** Reads every width of an SD 1.x model from the shapes; throws naming the first weight it needs and lacks. */
export function readSd15Widths(path: string, shape: ShapeOf, hasPrefix: (prefix: string) => boolean): Sd15Widths {
  const need = (name: string): readonly number[] => {
    const s = shape(name);
    if (!s) throw new SdCheckpointError(path, `lacks the weight "${name}" (truncated or not an SD 1.5 model?)`);
    return s;
  };
  const U = (n: string) => UNET_PREFIX + n;
  const [mc = 0, inChannels = 0] = need(U('input_blocks.0.0.weight'));
  const numResBlocks = count(shape, (i) => U(`input_blocks.${i}.0.in_layers.0.weight`), 1);
  const site = (level: number) => `input_blocks.${(numResBlocks + 1) * level + 1}`;
  const channelMult: number[] = [];
  const attentionLevels: number[] = [];
  for (let l = 0; shape(U(`${site(l)}.0.out_layers.3.weight`)); l++) {
    channelMult.push((need(U(`${site(l)}.0.out_layers.3.weight`))[0] ?? 0) / mc);
    if (hasPrefix(U(`${site(l)}.1.`))) attentionLevels.push(l);
  }
  const first = `${site(attentionLevels[0] ?? 0)}.1`;
  const projIn = shape(U(`${first}.proj_in.weight`)) ?? [];
  if (projIn.length === 2)
    throw new SdCheckpointError(
      path,
      `has Linear proj_in layers (${projIn.length}-D): an SD 2.x UNet, not SD 1.5`,
      'SD 2.x models are not supported: choose an SD 1.5 or SDXL base checkpoint',
    );
  const T = (n: string) => TEXT_PREFIX + n;
  const [vocabSize = 0, width = 0] = need(T('embeddings.token_embedding.weight'));
  return {
    unet: {
      inChannels,
      outChannels: need(U('out.2.weight'))[0] ?? 0,
      modelChannels: mc,
      channelMult,
      numResBlocks,
      attentionLevels,
      transformerDepth: count(shape, (t) => U(`${first}.transformer_blocks.${t}.norm1.weight`)),
      heads: 8,
      contextDim: need(U(`${first}.transformer_blocks.0.attn2.to_k.weight`))[1] ?? 0,
      timeEmbedDim: need(U('time_embed.0.weight'))[0] ?? 0,
    },
    clip: {
      vocabSize,
      width,
      layers: count(shape, (l) => T(`encoder.layers.${l}.self_attn.q_proj.weight`)),
      heads: clipHeads(width),
      positions: need(T('embeddings.position_embedding.weight'))[0] ?? 0,
      mlpWidth: need(T('encoder.layers.0.mlp.fc1.weight'))[0] ?? 0,
    },
    vae: readVaeWidths(shape, need),
  };
}

/** The VAE's widths from the shapes: SD 1.5 and SDXL files carry the same VAE layout. */
export function readVaeWidths(shape: ShapeOf, need: (name: string) => readonly number[]): Sd15Widths['vae'] {
  const V = (n: string) => VAE_PREFIX + n;
  const [ch = 0, imageChannels = 0] = need(V('encoder.conv_in.weight'));
  const channelMult: number[] = [];
  for (let l = 0; shape(V(`encoder.down.${l}.block.0.conv1.weight`)); l++)
    channelMult.push((need(V(`encoder.down.${l}.block.0.conv1.weight`))[0] ?? 0) / ch);
  return {
    ch,
    channelMult,
    numResBlocks: count(shape, (b) => V(`encoder.down.0.block.${b}.conv1.weight`)),
    latentChannels: need(V('post_quant_conv.weight'))[0] ?? 0,
    imageChannels,
  };
}

const SD15_STRUCTURE = '4 levels of 2 ResBlocks, attention at levels [0, 1, 2], transformer depth 1';

/** A shape as the refusal messages print it. */
export function describe(s: readonly number[] | undefined): string {
  return s ? `[${s.join(', ')}]` : 'missing';
}

/**
 * Checks a source is a whole SD 1.5 model: widths from the shapes, then every weight those widths imply present with
 * its shape. Returns the widths and the canonical weight names.
 */
export function checkSd15(path: string, source: TensorSource): { widths: Sd15Widths; names: string[] } {
  const shape: ShapeOf = (n) => source.entries.get(n)?.shape;
  const names = [...source.entries.keys()];
  const widths = readSd15Widths(path, shape, (p) => names.some((n) => n.startsWith(p)));
  const { unet, clip } = widths;
  const structure = `${unet.channelMult.length} levels of ${unet.numResBlocks} ResBlocks, attention at levels [${unet.attentionLevels.join(', ')}], transformer depth ${unet.transformerDepth}`;
  if (structure !== SD15_STRUCTURE)
    throw new SdCheckpointError(path, `has a UNet with ${structure}; SD 1.5 has ${SD15_STRUCTURE}`);
  if (unet.inChannels !== 4)
    throw new SdCheckpointError(
      path,
      `detected an SD 1.x UNet with ${unet.inChannels} input channels (an inpainting or instruct model); not supported yet`,
      'LoRAs are trained on a base model: choose the plain SD 1.5 model this one was made from',
    );
  if (unet.contextDim !== clip.width)
    throw new SdCheckpointError(
      path,
      `the UNet's cross-attention takes width ${unet.contextDim} but the text encoder is ${clip.width} wide`,
    );
  const specs = sd15Keys(widths);
  const wrong = specs.filter((s) => describe(shape(s.name)) !== describe(s.shape));
  if (wrong.length > 0)
    throw new SdCheckpointError(
      path,
      `is not a complete SD 1.5 model: ${wrong.length} of its ${specs.length} weights are missing or mis-shaped, ` +
        wrong
          .slice(0, 3)
          .map((s) => `"${s.name}" is ${describe(shape(s.name))}, expected ${describe(s.shape)}`)
          .join('; '),
      'the file may be truncated or a merge of different models: download it again',
    );
  return { widths, names: specs.map((s) => s.name) };
}
