/**
 * SaveCheckpoint: writes a LORA as a kohya safetensors file (fp16 or fp32, atomically) into an allowed folder,
 * with the ss_* metadata, modelspec.*, sshs_model_hash and the workflow that produced it (loraflow.workflow).
 */
import * as path from 'node:path';
import { readLora, writeKohya } from '../../ml/lora/file';
import { defineNode } from '../api';
import { prepareOutput, writtenFileStillThere } from '../output-file';
import { loraFile, readLoraValue, type LoraValue } from './lora-value';

type SaveParams = { folder: string; name: string; dtype: string; overwrite: boolean };

/** Fills the name template: {name}, {step}, {trigger}, {rank}, {date}. */
export function fillName(template: string, v: LoraValue, now = new Date()): string {
  const filled = template
    .replace(/\{name\}/g, v.name)
    .replace(/\{step\}/g, v.step !== undefined ? String(v.step).padStart(6, '0') : 'final')
    .replace(/\{trigger\}/g, v.trigger ?? '')
    .replace(/\{rank\}/g, String(v.rank))
    .replace(/\{date\}/g, now.toISOString().slice(0, 10));
  const safe = filled
    .replace(/[\\/:*?"<>|\x00-\x1f]/g, '_')
    .replace(/^\.+/, '')
    .trim();
  return safe.endsWith('.safetensors') ? safe : `${safe}.safetensors`;
}

export const saveCheckpointNode = defineNode<SaveParams>({
  schema: {
    type: 'SaveCheckpoint',
    version: 1,
    category: 'lora',
    title: 'Save LoRA',
    description:
      'Writes the LoRA in kohya format (lora_unet_*/lora_te_* keys) for ComfyUI, A1111 and kohya, with the training metadata and this workflow inside, so it can be reproduced by loading it back into the editor.',
    inputs: [{ name: 'lora', type: 'LORA' }],
    outputs: [{ name: 'file', type: 'FILE' }],
    params: [
      {
        name: 'folder',
        kind: 'path',
        pathKind: 'folder',
        access: 'write',
        models: 'loras',
        default: 'loras',
        label: 'Folder',
        tooltip:
          'Where the LoRA is written: the picker offers the LoRA folders, ComfyUI’s and A1111’s too with --models.',
      },
      {
        name: 'name',
        kind: 'string',
        pathPart: 'name-template',
        default: '{name}',
        label: 'File name',
        tooltip: 'Template: {name}, {step}, {trigger}, {rank}, {date}; .safetensors is added.',
      },
      {
        name: 'dtype',
        kind: 'enum',
        options: ['fp16', 'fp32'],
        default: 'fp16',
        label: 'Precision',
        tooltip: 'fp16 halves the file; what kohya writes by default.',
      },
      { name: 'overwrite', kind: 'boolean', default: true, label: 'Overwrite' },
    ],
    resource: 'cpu',
    cacheable: true,
    output: true,
  },

  cacheStillValid: writtenFileStillThere,

  async execute(inputs, params, ctx) {
    const lora = readLoraValue(inputs.lora);
    const folder = ctx.paths.resolve(params.folder, 'write', 'folder');
    const fileName = fillName(params.name || '{name}', lora);
    // The filled template must still be one real name: `..` fills to ".safetensors", a hidden file with no name.
    ctx.paths.name(path.basename(fileName, '.safetensors'), 'name', 'file name');
    const target = ctx.paths.resolve(path.join(folder, fileName), 'write', 'name');
    prepareOutput(target, params.overwrite, target, 'name');
    const source = loraFile(lora, ctx);
    const { adapters, metadata, embeddings } = await readLora(source);
    const meta: Record<string, string> = {
      ...metadata,
      ss_output_name: path.basename(fileName, '.safetensors'),
      'modelspec.title': path.basename(fileName, '.safetensors'),
      'loraflow.saved_at': new Date().toISOString(),
    };
    delete meta.sshs_model_hash;
    if (ctx.workflow) meta['loraflow.workflow'] = JSON.stringify(ctx.workflow);
    const bytes = await writeKohya(target, adapters, meta, params.dtype === 'fp32' ? 'F32' : 'F16', embeddings);
    ctx.log('info', `wrote ${target} (${(bytes.length / 1e6).toFixed(2)} MB, ${adapters.length} adapted layers)`);
    return { file: { path: target, bytes: bytes.length } };
  },
});
