/**
 * sd-scripts' `train_network.py` arguments (as a TOML `--config_file` holds them, or as the kohya_ss GUI saves
 * them once renamed) mapped onto the workflow. The dataset config, when given, is read first: as in sd-scripts
 * its values win over the same arguments.
 */
import { shown, type ImportBuilder } from './import-builder';
import { importKohyaDataset } from './kohya-dataset';
import { importNetworkArgs } from './kohya-network-args';
import { DIRECT_MAPPINGS, coerce } from './mapping-table';
import { importSamplePrompts, samplerFor } from './prompts-into-nodes';
import { importResolution } from './resolution';
import type { ModelFamily } from './types';

/** Finds a companion file (dataset config, sample prompts) by the path the config gives. */
export type Companions = (path: string) => { name: string; text: string } | undefined;

/** Values sd-scripts uses when an argument is absent and loraflow's default differs. */
const KOHYA_DEFAULTS: Record<string, unknown> = {
  caption_extension: '.caption',
  caption_dropout_rate: 0,
  keep_tokens: 0,
  shuffle_caption: false,
  network_dim: 4,
  network_alpha: 1,
};

/** Why common arguments are not used, beyond "not supported". */
const REASONS: Record<string, string> = {
  mixed_precision: 'loraflow chooses the precision for the device',
  full_fp16: 'loraflow chooses the precision for the device',
  full_bf16: 'loraflow chooses the precision for the device',
  xformers: 'loraflow chooses the attention kernel',
  sdpa: 'loraflow chooses the attention kernel',
  cache_latents: 'loraflow caches what it can by itself',
  cache_latents_to_disk: 'loraflow caches what it can by itself',
  max_train_epochs: 'TrainLoRA counts steps: steps = images x repeats x epochs / batch',
  max_bucket_reso: "Resize's buckets span 256-1024 px in 64 px steps",
  min_bucket_reso: "Resize's buckets span 256-1024 px in 64 px steps",
  bucket_reso_steps: "Resize's buckets span 256-1024 px in 64 px steps",
  save_every_n_epochs: 'TrainLoRA checkpoints every N steps',
  sample_every_n_epochs: 'TrainLoRA samples every N steps',
};

const OPTIMIZERS: Record<string, { value: string; note?: string }> = {
  adamw: { value: 'adamw' },
  adamw8bit: { value: 'adamw', note: 'AdamW with full-precision state' },
  pagedadamw8bit: { value: 'adamw', note: 'AdamW with full-precision state' },
  prodigy: { value: 'prodigy' },
};

const SCHEDULES: Record<string, string> = {
  constant: 'constant',
  constant_with_warmup: 'constant',
  cosine: 'cosine',
  linear: 'linear',
};

function familyOf(args: Record<string, unknown>): [ModelFamily, string] | undefined {
  const module = String(args.network_module ?? '');
  if (module.endsWith('lora_flux') || args.ae !== undefined || args.t5xxl !== undefined)
    return ['flux', module.endsWith('lora_flux') ? `network_module = ${module}` : 'ae / t5xxl'];
  if (args.sdxl === true) return ['sdxl', 'sdxl = true'];
  if (args.v2 === true) return ['sd2', 'v2 = true'];
  return undefined;
}

function importNetwork(b: ImportBuilder, args: Record<string, unknown>, done: Set<string>): void {
  const module = args.network_module;
  if (module !== undefined) {
    done.add('network_module');
    if (typeof module !== 'string' || !/^networks\.lora(_flux|_sd3)?$/.test(module))
      b.ignore('network_module', module, 'not supported, ignored (TrainLoRA trains plain LoRA, networks.lora)');
    else b.note(`network_module = ${module}: plain LoRA, as TrainLoRA trains`);
  }
  const netArgs = args.network_args;
  if (netArgs !== undefined) {
    done.add('network_args');
    importNetworkArgs(b, netArgs);
  }
  const vPred = coerce('bool', args.v_parameterization);
  if (typeof vPred === 'boolean') {
    done.add('v_parameterization');
    b.set('v_parameterization', 'train', 'prediction', vPred ? 'v' : 'epsilon');
  }
  done.add('network_train_unet_only');
  const unetOnly = coerce('bool', args.network_train_unet_only);
  const targets = unetOnly === true ? 'attention+mlp' : 'attention+mlp+text';
  const note = unetOnly === undefined ? "not set: sd-scripts trains the text encoder's LoRA too" : undefined;
  b.set('network_train_unet_only', 'train', 'targets', targets, note);
}

function importRates(b: ImportBuilder, args: Record<string, unknown>, done: Set<string>): void {
  const unet = coerce('number', args.unet_lr);
  if (typeof unet === 'number' && unet > 0) {
    done.add('unet_lr').add('learning_rate');
    b.set('unet_lr', 'train', 'learningRate', unet);
    if (args.learning_rate !== undefined)
      b.ignore(
        'learning_rate',
        args.learning_rate,
        'not supported, ignored (unet_lr is the rate of the trained layers)',
      );
  }
  const opt = args.optimizer_type;
  if (opt !== undefined) {
    done.add('optimizer_type');
    const known = OPTIMIZERS[String(opt).toLowerCase()];
    if (known) b.set('optimizer_type', 'train', 'optimizer', known.value, known.note);
    else b.ignore('optimizer_type', opt, 'not supported, ignored (TrainLoRA has AdamW and Prodigy)');
  }
  const sched = args.lr_scheduler;
  if (sched !== undefined) {
    done.add('lr_scheduler');
    const known = SCHEDULES[String(sched).toLowerCase()];
    if (known) b.set('lr_scheduler', 'train', 'schedule', known);
    else b.ignore('lr_scheduler', sched, 'not supported, ignored (TrainLoRA has constant, cosine and linear)');
  }
  const warmup = coerce('number', args.lr_warmup_steps);
  const steps = coerce('int', args.max_train_steps);
  if (typeof warmup === 'number' && warmup > 0 && warmup < 1 && typeof steps === 'number') {
    done.add('lr_warmup_steps'); // sd-scripts reads a value below 1 as a share of the steps
    b.set('lr_warmup_steps', 'train', 'warmupSteps', Math.round(warmup * steps), `${warmup} of ${steps} steps`);
  }
}

function importSaving(b: ImportBuilder, args: Record<string, unknown>, done: Set<string>): void {
  const precision = args.save_precision;
  if (precision !== undefined) {
    done.add('save_precision');
    const p = String(precision).toLowerCase();
    const dtype = p === 'fp16' || p === 'float16' ? 'fp16' : p === 'float' || p === 'fp32' ? 'fp32' : undefined;
    if (dtype) b.set('save_precision', 'save', 'dtype', dtype);
    else b.ignore('save_precision', precision, 'not supported, ignored (SaveCheckpoint writes fp16 or fp32)');
  }
  const as = args.save_model_as;
  if (as !== undefined) {
    done.add('save_model_as');
    if (as === 'safetensors') b.note('save_model_as = safetensors: SaveCheckpoint writes safetensors');
    else b.ignore('save_model_as', as, 'not supported, ignored (SaveCheckpoint writes safetensors)');
  }
}

function importSampling(b: ImportBuilder, args: Record<string, unknown>, done: Set<string>, files: Companions): void {
  const file = args.sample_prompts;
  if (file === undefined) return;
  done.add('sample_prompts');
  const found = typeof file === 'string' ? files(file) : undefined;
  if (typeof file === 'string' && /\.(toml|json)$/i.test(file))
    return b.ignore('sample_prompts', file, 'not supported, ignored (only the .txt prompt format is read)');
  if (!found)
    return b.ignore('sample_prompts', file, 'not supported, ignored (the prompts file was not given with the config)');
  importSamplePrompts(b, `sample_prompts (${found.name})`, found.text);
  const sampler = args.sample_sampler;
  if (sampler !== undefined) {
    done.add('sample_sampler');
    const name = samplerFor(b, String(sampler));
    b.setup.samples.forEach((_, i) => b.setSample('sample_sampler', i, 'sampler', name));
  }
}

/** sd-scripts draws its samples with the training's clip_skip: the Sample nodes get TrainLoRA's. */
function copyClipSkipToSamples(b: ImportBuilder): void {
  const clipSkip = b.setup.train.clipSkip;
  if (typeof clipSkip !== 'number' || b.setup.samples.length === 0) return;
  b.setup.samples.forEach((_, i) => b.sampleDefault(i, 'clipSkip', clipSkip));
  b.note(`clip_skip = ${clipSkip}: the Sample nodes too, as sd-scripts samples with it`);
}

/** Maps sd-scripts arguments; every argument not handled here is reported as ignored. */
export function importKohyaArgs(b: ImportBuilder, args: Record<string, unknown>, files: Companions): void {
  const done = new Set<string>();
  const fromDataset = new Set<string>();
  const datasetFile = args.dataset_config;
  if (datasetFile !== undefined) {
    done.add('dataset_config').add('train_data_dir');
    const found = typeof datasetFile === 'string' ? files(datasetFile) : undefined;
    if (found) {
      b.note(`dataset_config = ${shown(datasetFile)}: read ${found.name}`);
      for (const p of importKohyaDataset(b, found.text, found.name)) fromDataset.add(p);
    } else
      b.ignore(
        'dataset_config',
        datasetFile,
        'not supported, ignored (the dataset config was not given with the config)',
      );
    if (args.train_data_dir !== undefined)
      b.ignore(
        'train_data_dir',
        args.train_data_dir,
        'not supported, ignored (sd-scripts ignores it when dataset_config is given)',
      );
  }
  if (
    typeof args.reg_data_dir === 'string' &&
    args.reg_data_dir &&
    !datasetFile &&
    b.hasInput('train', 'regularization')
  ) {
    done.add('reg_data_dir');
    b.set('reg_data_dir', 'reg', 'folder', args.reg_data_dir, "into TrainLoRA's regularization input");
  }
  const family = familyOf(args);
  if (family) b.family(family[0], family[1]);
  else
    b.note(
      'model family: not in the config (sd-scripts takes it from the script: train_network.py SD 1.x/2.x, ' +
        'sdxl_train_network.py SDXL); export asks for it',
    );
  const modelPath = args.pretrained_model_name_or_path;
  if (typeof modelPath === 'string' && modelPath) {
    done.add('pretrained_model_name_or_path');
    b.setModel('pretrained_model_name_or_path', modelPath, true);
  }
  for (const k of ['sdxl', 'v2', 'ae', 't5xxl', 'clip_l']) if (args[k] !== undefined && family) done.add(k);
  for (const k of ['sdxl', 'v2'])
    if (args[k] === false) {
      done.add(k);
      b.note(`${k} = false`);
    }
  importNetwork(b, args, done);
  importRates(b, args, done);
  importSaving(b, args, done);
  importSampling(b, args, done, files);
  if (args.resolution !== undefined && !fromDataset.has('resize.resolution'))
    importResolution(b, 'resolution', args.resolution);
  done.add('resolution');
  if (args.enable_bucket !== undefined && !fromDataset.has('resize.mode'))
    b.set('enable_bucket', 'resize', 'mode', args.enable_bucket === true ? 'buckets' : 'center-crop');
  done.add('enable_bucket');
  if (typeof args.training_comment === 'string' && args.training_comment) {
    b.description = args.training_comment;
    b.note('training_comment: the workflow description');
    done.add('training_comment');
  }
  for (const m of DIRECT_MAPPINGS) {
    if (!m.kohya || done.has(m.kohya)) continue;
    done.add(m.kohya);
    const raw = args[m.kohya] ?? KOHYA_DEFAULTS[m.kohya];
    const fromDefault = args[m.kohya] === undefined;
    if (fromDataset.has(`${m.role}.${m.param}`)) {
      if (!fromDefault)
        b.ignore(m.kohya, args[m.kohya], 'not supported, ignored (the dataset config sets it, and wins)');
      continue;
    }
    const value = coerce(m.kind, raw);
    if (value instanceof Error) b.ignore(m.kohya, raw, `not supported, ignored (${value.message})`);
    else if (value !== undefined)
      b.set(m.kohya, m.role, m.param, value, fromDefault ? "not set: sd-scripts' default" : undefined);
  }
  copyClipSkipToSamples(b);
  if (!fromDataset.has('images.captionExtension')) {
    const ext = args.caption_extension ?? KOHYA_DEFAULTS.caption_extension;
    const note = args.caption_extension === undefined ? "not set: sd-scripts' default .caption" : undefined;
    b.set('caption_extension', 'images', 'captionExtension', String(ext), note);
  } else if (args.caption_extension !== undefined) {
    b.ignore(
      'caption_extension',
      args.caption_extension,
      'not supported, ignored (the dataset config sets it, and wins)',
    );
  }
  done.add('caption_extension');
  for (const [key, value] of Object.entries(args)) {
    if (done.has(key)) continue;
    b.ignore(key, value, REASONS[key] ? `not supported, ignored (${REASONS[key]})` : 'not supported, ignored');
  }
}
