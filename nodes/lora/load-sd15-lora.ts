/**
 * LoadLoRA's Stable Diffusion branch (SD 1.5 and SDXL): a kohya, ldm-keyed or PEFT LoRA mapped onto the
 * checkpoint's modules of its family (ml/sd/lora-file.ts; SDXL's bigG q/k/v onto their thirds of in_proj),
 * re-stored in kohya's fp32 format like every LORA value. A LoRA of the other family is refused naming the file.
 * Keys that match no module are what ComfyUI logs as "lora key not loaded": they are named in a warning, and a
 * file none of whose keys match is refused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeKohya } from '../../ml/lora/file';
import { SafetensorsError } from '../../ml/safetensors';
import { readSdLora } from '../../ml/sd/lora-file';
import type { JsonValue } from '../../protocol/values';
import { NodeUserError, type NodeContext } from '../api';
import { readSdModel, SD_FAMILY_LABEL } from '../model/sd-model-value';
import type { LoraValue } from './lora-value';

/** What to do when a file does not read as a LoRA: a damaged file and a base checkpoint need other advice than a family. */
function readFailureHint(e: Error, family: string): string {
  if (e instanceof SafetensorsError)
    return 'the file is damaged or incomplete: download it again or save it again from its training run';
  if (/: not a LoRA file \(/.test(e.message))
    return "choose a LoRA file here; a base checkpoint (a model's full weights) goes in LoadModel's Checkpoint";
  return `choose a LoRA trained for ${family}`;
}

/** Reads `file` as a LoRA for the SD model on `modelInput`; throws a NodeUserError naming the file otherwise. */
export async function loadSdLora(
  modelInput: JsonValue | undefined,
  file: string,
  strength: number,
  ctx: NodeContext,
): Promise<LoraValue> {
  const model = readSdModel(modelInput);
  const family = SD_FAMILY_LABEL[model.family];
  let lora;
  try {
    lora = await readSdLora(file, model);
  } catch (e) {
    throw new NodeUserError((e as Error).message, readFailureHint(e as Error, family), 'file');
  }
  if (lora.adapters.length === 0 && lora.embeddings.length === 0)
    throw new NodeUserError(
      `${file}: none of its ${lora.unmatched.length} adapters matches a module of ${family} ` +
        `(such as "${lora.unmatched[0] ?? ''}")` +
        (lora.madeFor && lora.madeFor !== family ? `; its metadata says it is for ${lora.madeFor}` : ''),
      'the LoRA was made for another model or by a tool with other module names',
      'file',
    );
  if (lora.unmatched.length > 0)
    ctx.warn(
      `${lora.unmatched.length} adapters of ${path.basename(file)} match no ${family} module and are not loaded: ` +
        lora.unmatched.slice(0, 5).join(', '),
    );
  const name = path.basename(file, '.safetensors');
  const out = path.join(ctx.workDir, `${name}.safetensors`);
  fs.mkdirSync(ctx.workDir, { recursive: true });
  const adapters = lora.adapters.map((a) => a.adapter);
  const meta = { ...lora.metadata, 'loraflow.source_format': lora.format };
  await writeKohya(out, adapters, meta, 'F32', lora.embeddings);
  const first = adapters[0] ?? { rank: 0, alpha: 0 };
  const words = lora.embeddings.map((e) => `${e.word} (${e.vectors.length / e.width} vectors)`);
  const unet = lora.adapters.filter((a) => a.module.part === 'unet').length;
  const conv = lora.adapters.filter((a) => a.module.conv).length;
  ctx.log(
    'info',
    `${lora.format} ${family} LoRA: ${unet} UNet modules${conv ? ` (${conv} conv)` : ''}, ` +
      `${adapters.length - unet} text-encoder modules, rank ${first.rank}, alpha ${first.alpha}` +
      (words.length ? `; the trigger word(s) ${words.join(', ')} bring their own trained embedding` : ''),
  );
  return {
    kind: 'loraflow.lora',
    family: model.family,
    name: lora.metadata.ss_output_name || name,
    artifact: await ctx.artifacts.putFile(out, 'application/octet-stream', `${name}.safetensors`),
    base: { name: model.name, sha256: model.sha256 },
    rank: first.rank,
    alpha: first.alpha,
    modules: adapters.length,
    strength,
    trigger: lora.metadata['modelspec.trigger_phrase'] || undefined,
  };
}

/** The SD 1.5 name of loadSdLora (one branch for every SD family). */
export const loadSd15Lora = loadSdLora;
