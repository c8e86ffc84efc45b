/** Saving and loading DiT weights as safetensors, with the config in the metadata so a file describes itself. */
import { f16BitsToF32, f32ToF16Bits, readSafetensors, writeSafetensors, type TensorToWrite } from '../safetensors';
import { type DiTConfig, validateConfig } from './config';
import { paramSpecs } from './params';

export type Weights = Map<string, Float32Array>;

export interface DiTModel {
  config: DiTConfig;
  weights: Weights;
  /** Metadata the file carried (training settings, licences...). */
  metadata: Record<string, string>;
}

/** The architecture tag written to `modelspec.architecture`. */
export const ARCHITECTURE = 'loraflow-emoji-dit';
const CONFIG_KEY = 'loraflow.dit_config';

/** Writes weights atomically (temp file + rename), as fp16 by default (half the size; sampling is unchanged). */
export async function saveModel(
  path: string,
  model: { config: DiTConfig; weights: Weights },
  metadata: Record<string, string> = {},
  dtype: 'F16' | 'F32' = 'F16',
): Promise<void> {
  const tensors: Record<string, TensorToWrite> = {};
  for (const s of paramSpecs(model.config)) {
    const data = model.weights.get(s.name);
    if (!data) throw new Error(`saveModel: weights lack "${s.name}"`);
    tensors[s.name] = { shape: s.shape, data, dtype };
  }
  await writeSafetensors(path, tensors, {
    ...metadata,
    'modelspec.architecture': ARCHITECTURE,
    'modelspec.resolution': `${model.config.imageSize}x${model.config.imageSize}`,
    [CONFIG_KEY]: JSON.stringify(model.config),
  });
}

/** Reads a model file; refuses, naming the file and tensor, anything that is not a complete DiT of its config. */
export async function loadModel(path: string): Promise<DiTModel> {
  const { metadata, tensors } = await readSafetensors(path);
  const raw = metadata[CONFIG_KEY];
  if (!raw) throw new Error(`${path}: not a loraflow DiT model (no "${CONFIG_KEY}" in its metadata)`);
  let config: DiTConfig;
  try {
    config = JSON.parse(raw) as DiTConfig;
    validateConfig(config);
  } catch (e) {
    throw new Error(`${path}: bad model config: ${(e as Error).message}`);
  }
  const weights: Weights = new Map();
  for (const s of paramSpecs(config)) {
    const t = tensors.get(s.name);
    if (!t) throw new Error(`${path}: tensor "${s.name}" is missing`);
    if (t.shape.join(',') !== s.shape.join(',') || !(t.data instanceof Float32Array)) {
      throw new Error(
        `${path}: tensor "${s.name}" has shape [${t.shape.join(', ')}], expected [${s.shape.join(', ')}] floats`,
      );
    }
    weights.set(s.name, t.data);
  }
  return { config, weights, metadata };
}

/** Rounds weights through fp16, so that a model sampled before saving matches the one loaded back exactly. */
export function roundToF16(weights: Weights): Weights {
  const out: Weights = new Map();
  for (const [name, data] of weights)
    out.set(
      name,
      data.map((v) => f16BitsToF32(f32ToF16Bits(v))),
    );
  return out;
}
