// Training checkpoints: parameters, optimizer state, step, RNG state and config in one safetensors file,
// written atomically, so a resumed run continues with the same next losses as an uninterrupted one.
import { readSafetensors, writeSafetensors, SafetensorsError, type TensorToWrite } from '../safetensors';
import type { ParamLayout } from './layout';
import type { RngState } from './rng';
import type { NamedParams, TrainConfig } from './types';

const FORMAT = 'loraflow.train-checkpoint/1';

export interface CheckpointData {
  /** Optimizer steps completed. */
  readonly step: number;
  /** Parameters by name. */
  readonly params: NamedParams;
  /** Optimizer state tensors by state name. */
  readonly optimizerState: Record<string, Float32Array>;
  /** The parameters' moving average by name (when training keeps one). */
  readonly ema?: NamedParams;
  /** The data stream's PRNG state after the last completed step. */
  readonly dataRng: RngState;
  readonly config: TrainConfig;
}

/** Writes a checkpoint atomically (temp file + rename). */
export async function saveCheckpoint(path: string, c: CheckpointData): Promise<void> {
  const tensors: Record<string, TensorToWrite> = {};
  for (const [name, p] of Object.entries(c.params)) tensors[`param/${name}`] = { shape: p.shape, data: p.data };
  for (const [name, s] of Object.entries(c.optimizerState)) tensors[`optim/${name}`] = { shape: [s.length], data: s };
  for (const [name, p] of Object.entries(c.ema ?? {})) tensors[`ema/${name}`] = { shape: p.shape, data: p.data };
  await writeSafetensors(path, tensors, {
    format: FORMAT,
    step: String(c.step),
    rng: JSON.stringify(c.dataRng),
    config: JSON.stringify(c.config),
  });
}

/** Reads a checkpoint, refusing files that are not training checkpoints with an error naming the file. */
export async function loadCheckpoint(path: string): Promise<CheckpointData> {
  const { metadata, tensors } = await readSafetensors(path);
  if (metadata.format !== FORMAT)
    throw new SafetensorsError(
      path,
      `not a training checkpoint (format ${JSON.stringify(metadata.format ?? null)}, expected ${FORMAT})`,
    );
  const step = Number(metadata.step);
  if (!Number.isSafeInteger(step) || step < 0)
    throw new SafetensorsError(path, `bad step ${JSON.stringify(metadata.step)}`);
  let dataRng: RngState, config: TrainConfig;
  try {
    dataRng = JSON.parse(metadata.rng ?? '') as RngState;
    config = JSON.parse(metadata.config ?? '') as TrainConfig;
  } catch {
    throw new SafetensorsError(path, 'checkpoint metadata rng/config is not JSON');
  }
  const params: CheckpointData['params'] = {};
  const optimizerState: Record<string, Float32Array> = {};
  const ema: NonNullable<CheckpointData['ema']> = {};
  for (const [key, t] of tensors) {
    if (!(t.data instanceof Float32Array)) throw new SafetensorsError(path, `tensor "${key}" is not float`);
    if (key.startsWith('param/')) params[key.slice(6)] = { shape: t.shape, data: t.data };
    else if (key.startsWith('optim/')) optimizerState[key.slice(6)] = t.data;
    else if (key.startsWith('ema/')) ema[key.slice(4)] = { shape: t.shape, data: t.data };
  }
  return { step, params, optimizerState, dataRng, config, ...(Object.keys(ema).length ? { ema } : {}) };
}

/** Checks that a checkpoint's parameters match the task's layout, naming the first mismatch. */
export function checkCheckpointFits(path: string, c: CheckpointData, layout: ParamLayout): void {
  for (const p of layout.params) {
    const got = c.params[p.name];
    if (!got) throw new Error(`${path}: checkpoint has no parameter '${p.name}'`);
    if (got.shape.join(',') !== p.shape.join(','))
      throw new Error(
        `${path}: parameter '${p.name}' has shape [${got.shape.join(', ')}], the model expects [${p.shape.join(', ')}]`,
      );
  }
  const extra = Object.keys(c.params).filter((n) => !layout.params.some((p) => p.name === n));
  if (extra.length)
    throw new Error(`${path}: checkpoint has parameters the model lacks: ${extra.slice(0, 5).join(', ')}`);
}
