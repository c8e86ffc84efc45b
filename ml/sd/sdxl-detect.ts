/**
 * SDXL base checkpoints, read from shapes: the widths (sdxl-widths.ts) and the check that every weight those widths
 * imply is present with its shape. detect.ts decides the family; this file reads and checks an SDXL one.
 */
import type { TensorSource } from './sources';
import { SdCheckpointError } from './errors';
import { SDXL_CLIP_G_PREFIX, SDXL_CLIP_L_PREFIX, sdxlKeys } from './sdxl-keys';
import { SIZE_EMBED_DIM, SDXL_WIDTHS, type SdxlWidths } from './sdxl-widths';
import { UNET_PREFIX, VAE_PREFIX } from './spec';
import { clipHeads } from './widths';
import { count, describe, readVaeWidths, type ShapeOf } from './detect';

/** Reads every width of an SDXL base model from the shapes; throws naming the first weight it needs and lacks. */
export function readSdxlWidths(path: string, shape: ShapeOf): SdxlWidths {
  const need = (name: string): readonly number[] => {
    const s = shape(name);
    if (!s) throw new SdCheckpointError(path, `lacks the weight "${name}" (truncated or not an SDXL base model?)`);
    return s;
  };
  const U = (n: string) => UNET_PREFIX + n;
  const [mc = 0, inChannels = 0] = need(U('input_blocks.0.0.weight'));
  const numResBlocks = count(shape, (i) => U(`input_blocks.${i}.0.in_layers.0.weight`), 1);
  const site = (level: number, r = 0) => `input_blocks.${(numResBlocks + 1) * level + 1 + r}`;
  const channelMult: number[] = [];
  const transformerDepths: number[] = [];
  let first = '';
  for (let l = 0; shape(U(`${site(l)}.0.out_layers.3.weight`)); l++) {
    channelMult.push((need(U(`${site(l)}.0.out_layers.3.weight`))[0] ?? 0) / mc);
    transformerDepths.push(count(shape, (t) => U(`${site(l)}.1.transformer_blocks.${t}.norm1.weight`)));
    if (!first && transformerDepths[l]) first = `${site(l)}.1`;
  }
  const G = (n: string) => SDXL_CLIP_G_PREFIX + n;
  const L = (n: string) => SDXL_CLIP_L_PREFIX + n;
  const [vocabL = 0, widthL = 0] = need(L('embeddings.token_embedding.weight'));
  const [vocabG = 0, widthG = 0] = need(G('token_embedding.weight'));
  return {
    unet: {
      inChannels,
      outChannels: need(U('out.2.weight'))[0] ?? 0,
      modelChannels: mc,
      channelMult,
      numResBlocks,
      transformerDepths,
      middleDepth: count(shape, (t) => U(`middle_block.1.transformer_blocks.${t}.norm1.weight`)),
      headDim: SDXL_WIDTHS.unet.headDim,
      contextDim: need(U(`${first || 'middle_block.1'}.transformer_blocks.0.attn2.to_k.weight`))[1] ?? 0,
      timeEmbedDim: need(U('time_embed.0.weight'))[0] ?? 0,
      admInChannels: need(U('label_emb.0.0.weight'))[1] ?? 0,
    },
    clipL: {
      vocabSize: vocabL,
      width: widthL,
      layers: count(shape, (l) => L(`encoder.layers.${l}.layer_norm1.weight`)),
      heads: clipHeads(widthL),
      positions: need(L('embeddings.position_embedding.weight'))[0] ?? 0,
      mlpWidth: need(L('encoder.layers.0.mlp.fc1.weight'))[0] ?? 0,
    },
    clipG: {
      vocabSize: vocabG,
      width: widthG,
      layers: count(shape, (l) => G(`transformer.resblocks.${l}.ln_1.weight`)),
      heads: clipHeads(widthG),
      positions: need(G('positional_embedding'))[0] ?? 0,
      mlpWidth: need(G('transformer.resblocks.0.mlp.c_fc.weight'))[0] ?? 0,
      projectionDim: need(G('text_projection'))[1] ?? 0,
    },
    vae: readVaeWidths(shape, need),
  };
}

/** The block structure, which no fine-tune changes (a layer missing in the middle shows up here too). */
const structureOf = ({ unet: u, clipL, clipG }: SdxlWidths): string =>
  `${u.channelMult.length} levels of ${u.numResBlocks} ResBlocks, transformer depths ` +
  `[${u.transformerDepths.join(', ')}], middle ${u.middleDepth}, text layers ${clipL.layers} + ${clipG.layers}`;

const SDXL_STRUCTURE = structureOf(SDXL_WIDTHS);

/** Checks a source is a whole SDXL base model; returns its widths and canonical weight names. */
export function checkSdxl(path: string, source: TensorSource): { widths: SdxlWidths; names: string[] } {
  const shape: ShapeOf = (n) => source.entries.get(n)?.shape;
  const names = [...source.entries.keys()];
  const lacks = [
    ['the CLIP-L text encoder (conditioner.embedders.0.transformer.*)', 'conditioner.embedders.0.transformer.'],
    ['the VAE (first_stage_model.*)', VAE_PREFIX],
    ['the UNet (model.diffusion_model.*)', UNET_PREFIX],
  ].filter(([, prefix]) => !names.some((n) => n.startsWith(prefix!)));
  if (lacks.length)
    throw new SdCheckpointError(
      path,
      `has SDXL's OpenCLIP bigG encoder but lacks ${lacks.map(([what]) => what).join(' and ')}`,
      'choose a full SDXL checkpoint with both text encoders and the VAE baked in',
    );
  const widths = readSdxlWidths(path, shape);
  const { unet, clipL, clipG } = widths;
  const structure = structureOf(widths);
  if (structure !== SDXL_STRUCTURE)
    throw new SdCheckpointError(path, `has an SDXL-like model with ${structure}; SDXL base has ${SDXL_STRUCTURE}`);
  if (unet.inChannels !== 4)
    throw new SdCheckpointError(
      path,
      `detected an SDXL UNet with ${unet.inChannels} input channels (an inpainting or instruct model); not supported`,
      'LoRAs are trained on a base model: choose the plain SDXL model this one was made from',
    );
  if (unet.contextDim !== clipL.width + clipG.width)
    throw new SdCheckpointError(
      path,
      `the UNet's cross-attention takes width ${unet.contextDim} but the text encoders give ` +
        `${clipL.width} + ${clipG.width}`,
    );
  if (unet.admInChannels !== clipG.projectionDim + 6 * SIZE_EMBED_DIM)
    throw new SdCheckpointError(
      path,
      `label_emb takes ${unet.admInChannels} values; SDXL base takes the pooled ` +
        `${clipG.projectionDim} + 6 x ${SIZE_EMBED_DIM}`,
    );
  const specs = sdxlKeys(widths);
  const wrong = specs.filter((s) => describe(shape(s.name)) !== describe(s.shape));
  if (wrong.length > 0)
    throw new SdCheckpointError(
      path,
      `is not a complete SDXL model: ${wrong.length} of its ${specs.length} weights are missing or mis-shaped, ` +
        wrong
          .slice(0, 3)
          .map((s) => `"${s.name}" is ${describe(shape(s.name))}, expected ${describe(s.shape)}`)
          .join('; '),
      'the file may be truncated or a merge of different models: download it again',
    );
  return { widths, names: specs.map((s) => s.name) };
}
