/**
 * LoadModel: the base model. The built-in emoji model (or a file SaveModel wrote), or a Stable Diffusion checkpoint
 * (SD 1.5 or SDXL base): a single `.safetensors` file or a diffusers folder. The family is read from the weights
 * (ml/sd/detect.ts), never the file name; "Model" says which family the user expects, so that an SD workflow
 * without a checkpoint fails validation instead of quietly training the emoji model, and a file of another family
 * is refused naming what it is.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel } from '../../ml/dit/weights';
import {
  openAnySdCheckpoint,
  openSdCheckpoint,
  openSdxlCheckpoint,
  SdCheckpointError,
  type SdCheckpoint,
} from '../../ml/sd/checkpoint';
import { checkpointHashes } from '../../ml/sd/hash';
import { SafetensorsFile } from '../../ml/safetensors';
import { defineNode, NodeUserError, type NodeContext } from '../api';
import { SHIPPED_WEIGHTS, toJson, type ModelValue } from './model-value';
import { SD_FAMILY_LABEL, type SdFamilyName, type SdModelValue } from './sd-model-value';

type LoadModelParams = { family: string; file: string; checkpoint: string };

function resolveFile(file: string, resolve: (p: string) => string): string {
  if (!file) {
    if (!fs.existsSync(SHIPPED_WEIGHTS)) {
      throw new NodeUserError(
        'the built-in emoji model has not been trained in this checkout yet',
        'run workflows/pretrain-emoji-base.json (npm run pretrain), or choose a model file',
        'file',
      );
    }
    return SHIPPED_WEIGHTS;
  }
  return resolve(file);
}

const isSdFamily = (family: string): family is SdFamilyName => family === 'sd15' || family === 'sdxl';

/** Which parameter holds the path, and the path through the policy. */
function chosenPath(params: LoadModelParams, resolve: (p: string, param: string) => string): [string, string] {
  if (isSdFamily(params.family)) {
    if (!params.checkpoint)
      throw new NodeUserError(
        `no ${SD_FAMILY_LABEL[params.family]} checkpoint chosen`,
        'choose a .safetensors file or a diffusers folder',
        'checkpoint',
      );
    return ['checkpoint', resolve(params.checkpoint, 'checkpoint')];
  }
  return ['file', resolveFile(params.file, (p) => resolve(p, 'file'))];
}

/** A loraflow DiT file says so in its metadata; everything else goes to the SD loader, which names what it finds. */
async function isDitFile(file: string): Promise<boolean> {
  if (!file.toLowerCase().endsWith('.safetensors') || fs.statSync(file).isDirectory()) return false;
  const st = await SafetensorsFile.open(file).catch(() => undefined);
  if (!st) return false;
  const dit = 'loraflow.dit_config' in st.metadata;
  await st.close();
  return dit;
}

/** The files whose size and time identify the model: the file, or a diffusers folder's index and weights. */
function fingerprintFiles(p: string): string[] {
  if (!fs.statSync(p).isDirectory()) return [p];
  const out = [path.join(p, 'model_index.json')];
  for (const sub of ['unet', 'text_encoder', 'text_encoder_2', 'vae']) {
    const dir = path.join(p, sub);
    if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir).sort()) out.push(path.join(dir, f));
  }
  return out;
}

/**
 * Opens the checkpoint as the family the user chose (another family's file is refused naming what it is), or as
 * whatever family the weights say when a non-DiT file was given under "emoji".
 */
function openFamily(family: SdFamilyName | undefined, file: string, param: string): SdCheckpoint {
  try {
    if (!family) return openAnySdCheckpoint(file);
    return family === 'sdxl' ? openSdxlCheckpoint(file) : openSdCheckpoint(file);
  } catch (e) {
    if (e instanceof SdCheckpointError) throw new NodeUserError(`cannot use ${e.message}`, e.hint, param);
    throw e;
  }
}

/** What LoadModel logs about the widths it read: the figures that tell a real model from a tiny or odd one. */
function describeWidths(ckpt: SdCheckpoint): string {
  const { unet, vae } = ckpt.widths;
  const levels = unet.channelMult.map((m) => m * unet.modelChannels).join('/');
  if (ckpt.family === 'sd15') {
    const { clip } = ckpt.widths;
    return `UNet ${levels}, text encoder ${clip.width} x ${clip.layers} layers, VAE ${vae.ch}`;
  }
  const { clipL, clipG } = ckpt.widths;
  return (
    `UNet ${levels} (transformer depths ${ckpt.widths.unet.transformerDepths.join('/')}), text encoders ` +
    `CLIP-L ${clipL.width} x ${clipL.layers} and bigG ${clipG.width} x ${clipG.layers} layers, VAE ${vae.ch}`
  );
}

async function loadSd(
  family: SdFamilyName | undefined,
  file: string,
  param: string,
  ctx: NodeContext,
): Promise<SdModelValue> {
  const ckpt = openFamily(family, file, param);
  try {
    ctx.progress(0, 1);
    const hashes = await checkpointHashes(ckpt.files, ctx.signal);
    ctx.log(
      'info',
      `${SD_FAMILY_LABEL[ckpt.family]} (${ckpt.layout}, ${ckpt.dtype}): ${describeWidths(ckpt)}; ` +
        `sha256 ${hashes.sha256}, A1111 hash ${hashes.autoV2} (legacy ${hashes.legacy}); ` +
        `${ckpt.ignored.length} extra tensors ignored`,
    );
    ctx.progress(1, 1);
    const common = {
      name: path.basename(file).replace(/\.safetensors$/i, ''),
      path: file,
      layout: ckpt.layout,
      files: [...ckpt.files],
      sha256: hashes.sha256,
      autoV2: hashes.autoV2,
      legacyHash: hashes.legacy,
      dtype: ckpt.dtype,
    };
    return ckpt.family === 'sdxl'
      ? { kind: 'sdxl', family: 'sdxl', ...common, widths: ckpt.widths, resolution: 1024 }
      : { kind: 'sd15', family: 'sd15', ...common, widths: ckpt.widths, resolution: 512 };
  } finally {
    ckpt.close();
  }
}

export const loadModelNode = defineNode<LoadModelParams>({
  schema: {
    type: 'LoadModel',
    version: 3,
    category: 'model',
    title: 'Load model',
    description:
      'A base text-to-image model: the built-in emoji model (a small diffusion transformer trained by loraflow on Noto and Fluent emoji, 32x32) or a file saved by SaveModel; or a Stable Diffusion 1.5 or SDXL base checkpoint (.safetensors, fp32/fp16/bf16, or a diffusers folder; SDXL fine-tunes such as Pony, Illustrious and NoobAI too). The family is read from the weights and a file of another family is refused, naming what it is; .ckpt pickles are refused.',
    inputs: [],
    outputs: [{ name: 'model', type: 'MODEL' }],
    params: [
      {
        name: 'family',
        kind: 'enum',
        default: 'emoji',
        options: ['emoji', 'sd15', 'sdxl'],
        label: 'Model',
        tooltip:
          'emoji: the built-in model (or a SaveModel file). sd15: a Stable Diffusion 1.5 checkpoint of yours. ' +
          'sdxl: an SDXL base checkpoint of yours (sd_xl_base_1.0 or a fine-tune: Pony, Illustrious, NoobAI).',
      },
      {
        name: 'file',
        kind: 'path',
        pathKind: 'file',
        access: 'read',
        models: 'checkpoints',
        default: '',
        optional: true,
        label: 'Model file',
        tooltip: 'Leave empty for the built-in emoji model.',
        visibleWhen: { param: 'family', equals: ['emoji'] },
      },
      {
        name: 'checkpoint',
        kind: 'path',
        pathKind: 'file-or-folder',
        access: 'read',
        models: 'checkpoints',
        default: '',
        label: 'Checkpoint',
        tooltip:
          'A .safetensors checkpoint (e.g. v1-5-pruned-emaonly.safetensors, sd_xl_base_1.0.safetensors or a fine-tune) or a diffusers folder (the one with model_index.json).',
        visibleWhen: { param: 'family', equals: ['sd15', 'sdxl'] },
      },
    ],
    resource: 'cpu',
    cacheable: true,
  },

  fingerprint(params, ctx) {
    try {
      const [, file] = chosenPath(params, (p, param) => ctx.paths.resolve(p, 'read', param));
      return fingerprintFiles(file)
        .map((f) => {
          const st = fs.statSync(f);
          return `${f}:${st.size}:${st.mtimeMs}`;
        })
        .join('\n');
    } catch (e) {
      return `missing:${(e as Error).message}:${Date.now()}`;
    }
  },

  async execute(_inputs, params, ctx) {
    const [param, file] = chosenPath(params, (p, name) => ctx.paths.resolve(p, 'read', name));
    if (!fs.existsSync(file)) throw new NodeUserError(`${file} does not exist`, 'check the path', param);
    if (!isSdFamily(params.family) && (await isDitFile(file))) {
      try {
        await loadModel(file); // validates the header, config and every tensor's shape
      } catch (e) {
        throw new NodeUserError(`cannot use ${file} as a model: ${(e as Error).message}`, undefined, param);
      }
      const sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      const value: ModelValue = { kind: 'loraflow.dit', name: path.basename(file, '.safetensors'), path: file, sha256 };
      return { model: toJson(value) };
    }
    const family = isSdFamily(params.family) ? params.family : undefined;
    if (await isDitFile(file))
      throw new NodeUserError(
        `${file} is a loraflow emoji model, not an ${SD_FAMILY_LABEL[family ?? 'sd15']} checkpoint`,
        'set Model to emoji',
        param,
      );
    return { model: toJson(await loadSd(family, file, param, ctx)) };
  },
});
