/**
 * The one table of settings that map one to one between loraflow's node parameters, kohya sd-scripts'
 * arguments (the TOML training config; `kohyaDataset` where the dataset config holds it) and ai-toolkit's job
 * config (a dotted path inside `config.process[0]`; `datasets.` means the first dataset). The importers read
 * these keys and the exporters write them, so that a round trip keeps every value. Settings that need more than
 * a copy (model family, optimizer and scheduler names, resolution, caption extension, sample prompts, trigger
 * words, network_args, the model path: LoadModel's path field depends on its family) are handled next to their
 * format, and listed in the README's table too.
 */
import type { Role } from './roles';

export type ValueKind = 'int' | 'number' | 'bool' | 'string';

export interface DirectMapping {
  role: Exclude<Role, 'sample'>;
  param: string;
  kind: ValueKind;
  /** sd-scripts argument name (also the kohya_ss GUI's, unless `kohyaGui` says otherwise). */
  kohya?: string;
  /** The key in the dataset config TOML ([general], [[datasets]] or [[datasets.subsets]]). */
  kohyaDataset?: string;
  /** Path inside one ai-toolkit process entry. */
  aitoolkit?: string;
}

export const DIRECT_MAPPINGS: readonly DirectMapping[] = [
  {
    role: 'images',
    param: 'folder',
    kind: 'string',
    kohya: 'train_data_dir',
    kohyaDataset: 'image_dir',
    aitoolkit: 'datasets.folder_path',
  },
  { role: 'images', param: 'repeats', kind: 'int', kohyaDataset: 'num_repeats', aitoolkit: 'datasets.num_repeats' },
  { role: 'train', param: 'rank', kind: 'int', kohya: 'network_dim', aitoolkit: 'network.linear' },
  { role: 'train', param: 'alpha', kind: 'number', kohya: 'network_alpha', aitoolkit: 'network.linear_alpha' },
  { role: 'train', param: 'dropout', kind: 'number', kohya: 'network_dropout', aitoolkit: 'network.dropout' },
  { role: 'train', param: 'learningRate', kind: 'number', kohya: 'learning_rate', aitoolkit: 'train.lr' },
  {
    role: 'train',
    param: 'textEncoderLr',
    kind: 'number',
    kohya: 'text_encoder_lr',
    aitoolkit: 'train.text_encoder_lr',
  },
  { role: 'train', param: 'priorLossWeight', kind: 'number', kohya: 'prior_loss_weight' },
  { role: 'train', param: 'warmupSteps', kind: 'int', kohya: 'lr_warmup_steps' },
  { role: 'train', param: 'steps', kind: 'int', kohya: 'max_train_steps', aitoolkit: 'train.steps' },
  {
    role: 'train',
    param: 'batch',
    kind: 'int',
    kohya: 'train_batch_size',
    kohyaDataset: 'batch_size',
    aitoolkit: 'train.batch_size',
  },
  { role: 'train', param: 'seed', kind: 'int', kohya: 'seed' },
  { role: 'train', param: 'checkpointEvery', kind: 'int', kohya: 'save_every_n_steps', aitoolkit: 'save.save_every' },
  { role: 'train', param: 'keepLast', kind: 'int', aitoolkit: 'save.max_step_saves_to_keep' },
  { role: 'train', param: 'sampleEvery', kind: 'int', kohya: 'sample_every_n_steps', aitoolkit: 'sample.sample_every' },
  {
    role: 'train',
    param: 'shuffleTags',
    kind: 'bool',
    kohya: 'shuffle_caption',
    kohyaDataset: 'shuffle_caption',
    aitoolkit: 'datasets.shuffle_tokens',
  },
  { role: 'train', param: 'keepTokens', kind: 'int', kohya: 'keep_tokens', kohyaDataset: 'keep_tokens' },
  {
    role: 'train',
    param: 'captionDropout',
    kind: 'number',
    kohya: 'caption_dropout_rate',
    kohyaDataset: 'caption_dropout_rate',
    aitoolkit: 'datasets.caption_dropout_rate',
  },
  {
    role: 'train',
    param: 'minSnrGamma',
    kind: 'number',
    kohya: 'min_snr_gamma',
    aitoolkit: 'train.min_snr_gamma',
  },
  { role: 'train', param: 'noiseOffset', kind: 'number', kohya: 'noise_offset', aitoolkit: 'train.noise_offset' },
  { role: 'train', param: 'minTimestep', kind: 'int', kohya: 'min_timestep' },
  { role: 'train', param: 'maxTimestep', kind: 'int', kohya: 'max_timestep' },
  // LoCon; sd-scripts gives these as network_args conv_dim / conv_alpha (kohya-network-args.ts).
  { role: 'train', param: 'convRank', kind: 'int', aitoolkit: 'network.conv' },
  { role: 'train', param: 'convAlpha', kind: 'number', aitoolkit: 'network.conv_alpha' },
  // sd-scripts samples with the training's clip skip too: the kohya importer copies it onto the Sample nodes.
  { role: 'train', param: 'clipSkip', kind: 'int', kohya: 'clip_skip' },
  { role: 'train', param: 'outputName', kind: 'string', kohya: 'output_name' },
  { role: 'save', param: 'folder', kind: 'string', kohya: 'output_dir', aitoolkit: 'training_folder' },
];

/**
 * A config value as a parameter value of `kind`: TOML and YAML give numbers and booleans, the kohya_ss GUI often
 * gives strings ("320", "0.0001", "") where an empty string means "not set". `undefined` = not set; an Error
 * says why the value cannot be used.
 */
export function coerce(kind: ValueKind, raw: unknown): string | number | boolean | undefined | Error {
  if (raw === undefined || raw === null || raw === '') return undefined;
  switch (kind) {
    case 'string':
      return typeof raw === 'string' ? raw : new Error('expected text');
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (raw === 'true' || raw === 'false') return raw === 'true';
      return new Error('expected true or false');
    case 'int':
    case 'number': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : NaN;
      if (!Number.isFinite(n)) return new Error('expected a number');
      if (kind === 'int' && !Number.isInteger(n)) return new Error('expected a whole number');
      return n;
    }
  }
}
