/** Shared setup of the node-level LoRA tests: a tiny model, a captioned 32 px dataset, and a run helper. */
import { join } from 'node:path';
import { caption } from '../../nodes/dataset/caption';
import { loadImages } from '../../nodes/dataset/load-images';
import { resize } from '../../nodes/dataset/resize';
import { loadModelNode } from '../../nodes/model/load-model';
import type { JsonValue } from '../../protocol/values';
import { nodeContext, runNode, tempDataDir } from '../support/node-context';
import { writeStyleDataset, writeTinyModel } from './fixtures';

export { runNode };

export interface Prepared {
  dataDir: string;
  model: JsonValue;
  dataset: JsonValue;
}

/** A data folder with a tiny model (root/models/tiny.safetensors) and `count` captioned images at 32 px. */
export async function prepare(count = 10, trigger = 'xyz_style'): Promise<Prepared> {
  const dataDir = tempDataDir('lora');
  const ctx = nodeContext(dataDir);
  await writeTinyModel(join(dataDir, 'root', 'tiny.safetensors'));
  await writeStyleDataset(join(dataDir, 'root', 'style'), count);
  const { model } = await runNode(loadModelNode, { file: 'tiny.safetensors' }, {}, ctx);
  const loaded = await runNode(loadImages, { folder: 'style' }, {}, ctx);
  const captioned = await runNode(caption, { mode: 'keep', trigger }, { dataset: loaded.dataset }, ctx);
  const resized = await runNode(resize, { resolution: 32 }, { dataset: captioned.dataset }, ctx);
  return { dataDir, model: model!, dataset: resized.dataset! };
}

/** Tiny training settings: seconds on a CPU. */
export const TINY_TRAIN = {
  steps: 20,
  batch: 2,
  rank: 4,
  alpha: 4,
  learningRate: 0.003,
  checkpointEvery: 5,
  keepLast: 2,
  sampleEvery: 10,
  stepsPerRun: 5,
  samplePrompts: ['xyz_style, cat'],
};
