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

/** Whether `folder` is the default, "loras": the LoRA folder of the model folders, see loraFolderOf. */
const isDefaultFolder = (folder: string | undefined): boolean => /^\s*loras\/?\s*$/.test(folder ?? '');

/**
 * Where the default folder is: the LoRA folder of the first `--models` install (the one ComfyUI or A1111 reads),
 * else loraflow's own <data>/loras (NodeContext.loraFolders lists <data>/loras first, then the installs'). "loras"
 * under the first allowed folder only where the engine knows no LoRA folders: with `--allow` that folder is the
 * user's, not loraflow's, and a LoRA landed there (QA helper B).
 */
function loraFolderOf(folder: string, loraFolders: readonly string[] | undefined): string {
  if (!isDefaultFolder(folder) || !loraFolders || loraFolders.length === 0) return folder;
  return loraFolders[1] ?? loraFolders[0]!;
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
          'Where the LoRA is written. “loras” (the default): the LoRA folder, <data>/loras, or with --models the install’s (ComfyUI’s models/loras, A1111’s models/Lora), whatever --allow says; “./loras” is a loras folder in the first allowed folder. The picker offers the LoRA folders.',
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

  // The default folder depends on --models: a run with another install writes there instead of serving the old file.
  fingerprint: (params, ctx) => loraFolderOf(params.folder, ctx.loraFolders),

  async execute(inputs, params, ctx) {
    const lora = readLoraValue(inputs.lora);
    const folder = ctx.paths.resolve(loraFolderOf(params.folder, ctx.loraFolders), 'write', 'folder');
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
