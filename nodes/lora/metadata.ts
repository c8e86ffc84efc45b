/**
 * The metadata users' tools show for a LoRA: kohya's `ss_*` keys, `modelspec.*`, and loraflow's own. All values are
 * strings; nested values are JSON strings (see ../shared/DOMAIN.md).
 */
import { ARCHITECTURE } from '../../ml/dit/weights';

export interface TrainingInfo {
  outputName: string;
  baseModel: { name: string; sha256: string };
  rank: number;
  alpha: number;
  dropout: number;
  learningRate: number;
  optimizer: string;
  schedule: string;
  steps: number;
  maxSteps: number;
  batch: number;
  seed: number;
  images: number;
  resolution: number;
  datasetName: string;
  captions: string[];
  trigger: string;
  startedAt: number;
  finishedAt: number;
  textEncoder: boolean;
  /** kohya's text_encoder_lr (defaults to the learning rate). */
  textEncoderLr?: number;
  /** Prior preservation: class images with their repeats (kohya's ss_num_reg_images) and their loss weight. */
  regImages?: number;
  priorLossWeight?: number;
  /** kohya's min/max_timestep when not the whole schedule. */
  timesteps?: readonly [number, number] | undefined;
}

/** Tag counts over comma-separated captions: kohya's ss_tag_frequency, by dataset name. */
export function tagFrequency(dataset: string, captions: readonly string[]): Record<string, Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const c of captions)
    for (const tag of c
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      counts[tag] = (counts[tag] ?? 0) + 1;
  return { [dataset]: counts };
}

/** The ss_* and modelspec.* keys for a training run. */
export function trainingMetadata(t: TrainingInfo): Record<string, string> {
  return {
    ss_network_module: 'networks.lora',
    ss_network_dim: String(t.rank),
    ss_network_alpha: String(t.alpha),
    ss_network_dropout: String(t.dropout),
    ss_base_model_version: ARCHITECTURE,
    ss_sd_model_name: t.baseModel.name,
    ss_new_sd_model_hash: t.baseModel.sha256,
    ss_learning_rate: String(t.learningRate),
    ss_unet_lr: String(t.learningRate),
    ss_text_encoder_lr: t.textEncoder ? String(t.textEncoderLr ?? t.learningRate) : '0',
    ss_max_train_steps: String(t.maxSteps),
    ss_steps: String(t.steps),
    ss_epoch: String(Math.floor((t.steps * t.batch) / Math.max(1, t.images))),
    ss_seed: String(t.seed),
    ss_optimizer: t.optimizer,
    ss_lr_scheduler: t.schedule,
    ss_batch_size_per_device: String(t.batch),
    ss_num_train_images: String(t.images),
    ...(t.regImages
      ? { ss_num_reg_images: String(t.regImages), ss_prior_loss_weight: String(t.priorLossWeight ?? 1) }
      : {}),
    ...(t.timesteps ? { ss_min_timestep: String(t.timesteps[0]), ss_max_timestep: String(t.timesteps[1]) } : {}),
    ss_resolution: `(${t.resolution}, ${t.resolution})`,
    ss_tag_frequency: JSON.stringify(tagFrequency(t.datasetName, t.captions)),
    ss_training_started_at: String(t.startedAt),
    ss_training_finished_at: String(t.finishedAt),
    ss_output_name: t.outputName,
    'modelspec.sai_model_spec': '1.0.0',
    'modelspec.architecture': `${ARCHITECTURE}/lora`,
    'modelspec.implementation': 'loraflow',
    'modelspec.title': t.outputName,
    'modelspec.resolution': `${t.resolution}x${t.resolution}`,
    'modelspec.trigger_phrase': t.trigger,
    'modelspec.date': new Date(t.finishedAt * 1000).toISOString(),
  };
}
