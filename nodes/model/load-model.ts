/** LoadModel: a base model from a safetensors file, by default the shipped emoji model. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel } from '../../ml/dit/weights';
import { defineNode, NodeUserError } from '../api';
import { SHIPPED_WEIGHTS, toJson, type ModelValue } from './model-value';

type LoadModelParams = { file: string };

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

export const loadModelNode = defineNode<LoadModelParams>({
  schema: {
    type: 'LoadModel',
    version: 1,
    category: 'model',
    title: 'Load model',
    description:
      'A base text-to-image model. Empty: the built-in emoji model (a small diffusion transformer trained by loraflow on Noto and Fluent emoji, 32x32). Or a .safetensors file saved by SaveModel.',
    inputs: [],
    outputs: [{ name: 'model', type: 'MODEL' }],
    params: [
      {
        name: 'file',
        kind: 'path',
        pathKind: 'file',
        access: 'read',
        default: '',
        optional: true,
        label: 'Model file',
        tooltip: 'Leave empty for the built-in emoji model.',
      },
    ],
    resource: 'cpu',
    cacheable: true,
  },

  fingerprint(params, ctx) {
    try {
      const file = resolveFile(params.file, (p) => ctx.paths.resolve(p, 'read', 'file'));
      const st = fs.statSync(file);
      return `${file}:${st.size}:${st.mtimeMs}`;
    } catch (e) {
      return `missing:${(e as Error).message}:${Date.now()}`;
    }
  },

  async execute(_inputs, params, ctx) {
    const file = resolveFile(params.file, (p) => ctx.paths.resolve(p, 'read', 'file'));
    try {
      await loadModel(file); // validates the header, config and every tensor's shape
    } catch (e) {
      throw new NodeUserError(`cannot use ${file} as a model: ${(e as Error).message}`, undefined, 'file');
    }
    const sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const value: ModelValue = { kind: 'loraflow.dit', name: path.basename(file, '.safetensors'), path: file, sha256 };
    return { model: toJson(value) };
  },
});
