/** Turns a training checkpoint into a LORA value: a kohya file with the run's metadata in the artifact store. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiTConfig } from '../../ml/dit/config';
import { writeKohya } from '../../ml/lora/file';
import type { LoraTrainJob } from '../../ml/lora/job';
import type { CheckpointEntry } from '../../ml/lora/checkpoints';
import type { NodeContext } from '../api';
import type { TrainerBackend } from './backend';
import type { LoraValue } from './lora-value';
import { trainingMetadata, type TrainingInfo } from './metadata';

/** Exports one checkpoint (fp32, full metadata) and returns its LORA value. */
export async function exportCheckpoint(
  entry: CheckpointEntry,
  ctx: NodeContext,
  backend: TrainerBackend,
  job: LoraTrainJob,
  config: DiTConfig,
  info: TrainingInfo,
): Promise<LoraValue> {
  const { adapters, embeddings } = await backend.readCheckpoint(entry.path, job, config);
  const name = `${info.outputName}-step${String(entry.step).padStart(6, '0')}`;
  const meta: Record<string, string> = {
    ...trainingMetadata({ ...info, steps: entry.step }),
    'loraflow.step': String(entry.step),
  };
  if (entry.valLoss !== undefined) meta['loraflow.val_loss'] = String(entry.valLoss);
  fs.mkdirSync(ctx.workDir, { recursive: true });
  const file = path.join(ctx.workDir, `${name}.safetensors`);
  if (embeddings.length) meta['loraflow.trigger_embedding'] = embeddings.map((e) => e.word).join(', ');
  await writeKohya(file, adapters, meta, 'F32', embeddings);
  const artifact = await ctx.artifacts.putFile(file, 'application/octet-stream', `${name}.safetensors`);
  return {
    kind: 'loraflow.lora',
    name,
    artifact,
    base: info.baseModel,
    rank: job.task.rank,
    alpha: job.task.alpha,
    modules: adapters.length,
    step: entry.step,
    ...(entry.valLoss !== undefined ? { valLoss: entry.valLoss } : {}),
    trigger: info.trigger,
  };
}
