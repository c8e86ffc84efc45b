/** LoadLoRA: a LoRA file in kohya (lora_down/lora_up/alpha) or PEFT (lora_A/lora_B) format, checked against the model. */
import { loadModel } from '../../ml/dit/weights';
import { writeKohya } from '../../ml/lora/file';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineNode, NodeUserError } from '../api';
import { modelFile, readModel } from '../model/model-value';
import { isSdModel } from '../model/sd-model-value';
import { loadSdLora } from './load-sd15-lora';
import { readFittingLora } from './fit';
import { loraJson, type LoraValue } from './lora-value';
import { STRENGTH_HINT } from './strength';

type LoadLoraParams = { file: string; strength: number };

export const loadLoraNode = defineNode<LoadLoraParams>({
  schema: {
    type: 'LoadLoRA',
    version: 2,
    category: 'lora',
    title: 'Load LoRA',
    description:
      'Reads a LoRA .safetensors file (kohya or PEFT keys; a missing alpha means alpha = rank) and checks that every adapted layer exists in the model with the right shape. For an SD 1.5 or SDXL model, adapters that match no module are named in a warning and a LoRA of the other family is refused.',
    inputs: [{ name: 'model', type: 'MODEL', tooltip: 'The base model the LoRA must fit.' }],
    outputs: [{ name: 'lora', type: 'LORA' }],
    params: [
      {
        name: 'file',
        kind: 'path',
        pathKind: 'file',
        access: 'read',
        models: 'loras',
        default: 'loras/lora.safetensors',
        label: 'LoRA file',
      },
      {
        name: 'strength',
        kind: 'number',
        default: 0.7,
        min: -2,
        max: 2,
        step: 0.05,
        label: 'Strength',
        hint: STRENGTH_HINT,
      },
    ],
    resource: 'cpu',
    cacheable: true,
  },

  fingerprint(params, ctx) {
    try {
      const st = fs.statSync(ctx.paths.resolve(params.file, 'read', 'file'));
      return `${st.size}:${st.mtimeMs}`;
    } catch (e) {
      return `missing:${(e as Error).message}`;
    }
  },

  async execute(inputs, params, ctx) {
    const model = isSdModel(inputs.model) ? undefined : readModel(inputs.model);
    const file = ctx.paths.resolve(params.file, 'read', 'file');
    if (!fs.existsSync(file)) throw new NodeUserError(`${params.file} does not exist`, undefined, 'file');
    if (!model) return { lora: loraJson(await loadSdLora(inputs.model, file, params.strength, ctx)) };
    const base = await loadModel(modelFile(model, ctx));
    const set = await readFittingLora(file, base.config, model.name, 'file');
    // Stored as kohya fp32 whatever it was, so every consumer reads one format.
    const name = path.basename(file, '.safetensors');
    const out = path.join(ctx.workDir, `${name}.safetensors`);
    fs.mkdirSync(ctx.workDir, { recursive: true });
    const meta = { ...set.metadata, 'loraflow.source_format': set.format };
    await writeKohya(out, set.adapters, meta, 'F32', set.embeddings);
    const first = set.adapters[0] ?? { rank: 0, alpha: 0 };
    const words = (set.embeddings ?? []).map((e) => e.word);
    const value: LoraValue = {
      kind: 'loraflow.lora',
      name: set.metadata.ss_output_name || name,
      artifact: await ctx.artifacts.putFile(out, 'application/octet-stream', `${name}.safetensors`),
      rank: first.rank,
      alpha: first.alpha,
      modules: set.adapters.length,
      strength: params.strength,
      trigger: set.metadata['modelspec.trigger_phrase'] || undefined,
      ...(set.metadata['loraflow.step'] ? { step: Number(set.metadata['loraflow.step']) } : {}),
    };
    ctx.log(
      'info',
      `${set.format} LoRA: ${set.adapters.length} adapted layers, rank ${first.rank}, alpha ${first.alpha}` +
        (words.length ? `; the trigger word(s) ${words.join(', ')} bring their own trained embedding` : ''),
    );
    return { lora: loraJson(value) };
  },
});
