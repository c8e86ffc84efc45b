/** SaveModel: writes a MODEL's weights as a safetensors file (fp16 by default, atomically) with metadata. */
import * as fs from 'node:fs';
import { loadModel, saveModel } from '../../ml/dit/weights';
import { defineNode, NodeUserError } from '../api';
import { prepareOutput, writtenFileStillThere } from '../output-file';
import { modelFile, readModel } from './model-value';

type SaveModelParams = { file: string; dtype: string; title: string; overwrite: boolean };

export const saveModelNode = defineNode<SaveModelParams>({
  schema: {
    type: 'SaveModel',
    version: 1,
    category: 'model',
    title: 'Save model',
    description:
      'Writes the model as .safetensors (fp16 halves the size and does not change samples visibly), with its architecture, config and training settings in the metadata.',
    inputs: [{ name: 'model', type: 'MODEL' }],
    outputs: [{ name: 'file', type: 'FILE' }],
    params: [
      {
        name: 'file',
        kind: 'path',
        pathKind: 'file',
        access: 'write',
        default: 'models/emoji-base.safetensors',
        label: 'File',
      },
      { name: 'dtype', kind: 'enum', options: ['fp16', 'fp32'], default: 'fp16', label: 'Precision' },
      {
        name: 'title',
        kind: 'string',
        default: 'loraflow emoji base',
        label: 'Title',
        tooltip: 'Written to modelspec.title.',
      },
      {
        name: 'overwrite',
        kind: 'boolean',
        default: true,
        label: 'Overwrite',
        tooltip: 'Off: refuse to replace an existing file.',
      },
    ],
    resource: 'cpu',
    cacheable: true,
    output: true,
  },

  cacheStillValid: writtenFileStillThere,

  async execute(inputs, params, ctx) {
    const model = readModel(inputs.model);
    const target = ctx.paths.resolve(params.file, 'write', 'file');
    if (!target.endsWith('.safetensors'))
      throw new NodeUserError(`${params.file}: the file name must end in .safetensors`, undefined, 'file');
    prepareOutput(target, params.overwrite, params.file, 'file');
    const loaded = await loadModel(modelFile(model, ctx));
    const metadata = {
      ...loaded.metadata,
      'modelspec.title': params.title,
      'loraflow.saved_at': new Date().toISOString(),
    };
    await saveModel(target, loaded, metadata, params.dtype === 'fp32' ? 'F32' : 'F16');
    const bytes = fs.statSync(target).size;
    ctx.log('info', `wrote ${target} (${(bytes / 1e6).toFixed(1)} MB)`);
    return { file: { path: target, bytes } };
  },
});
