/**
 * Writes a workflow's training as sd-scripts configs: `<name>.toml` (the `--config_file` of train_network.py,
 * sdxl_train_network.py or flux_train_network.py), `<name>_dataset.toml` (its `--dataset_config`) and, with
 * sample prompts, `<name>_prompts.txt`. Every setting the importer reads is written, so a round trip keeps them.
 */
import { stringify } from 'smol-toml';
import type { WorkflowFile } from '../workflow';
import {
  chooseFamily,
  datasetFolder,
  fileStem,
  headerLines,
  num,
  trainsTextEncoder,
  promptsOf,
  resolutionFor,
  str,
  regFolder,
  triggerOf,
  warnCaptionsOnDisk,
} from './export-common';
import { DIRECT_MAPPINGS } from './mapping-table';
import type { WorkflowTraining } from './read-workflow';
import { kohyaSampler } from './prompts-into-nodes';
import { formatSamplePrompts } from './sample-prompts';
import type { ExportResult, ModelFamily } from './types';

const SCRIPTS: Record<ModelFamily, string> = {
  sd15: 'train_network.py',
  sd2: 'train_network.py',
  sdxl: 'sdxl_train_network.py',
  flux: 'flux_train_network.py',
};

type Toml = Record<string, unknown>;

function comment(lines: string[]): string {
  return lines.map((l) => `# ${l}`).join('\n') + '\n\n';
}

function trainingArgs(t: WorkflowTraining, family: ModelFamily, stem: string, warnings: string[]): Toml {
  const tr = t.setup.train;
  const args: Toml = { pretrained_model_name_or_path: t.modelPath };
  for (const m of DIRECT_MAPPINGS) {
    if (!m.kohya || m.kohyaDataset || m.role === 'images') continue;
    const value = t.setup[m.role][m.param];
    if (value !== undefined && value !== null) args[m.kohya] = value;
  }
  if (num(tr.steps) === 0) {
    delete args.max_train_steps;
    warnings.push("TrainLoRA's steps are automatic (0): set max_train_steps or max_train_epochs before training");
  }
  const withText = trainsTextEncoder(tr.targets, 'sd-scripts', warnings);
  if (num(tr.textEncoderLr) === 0 || !withText) delete args.text_encoder_lr;
  if (family === 'sd2') args.v2 = true;
  args.save_model_as = 'safetensors';
  args.save_precision = t.setup.save.dtype === 'fp32' ? 'float' : 'fp16';
  args.network_module = family === 'flux' ? 'networks.lora_flux' : 'networks.lora';
  args.network_train_unet_only = !withText;
  if (tr.targets === 'attention')
    warnings.push("sd-scripts' LoRA adapts the attention and MLP layers: 'attention' only is not expressible");
  args.optimizer_type = tr.optimizer === 'prodigy' ? 'Prodigy' : 'AdamW';
  args.lr_scheduler = tr.schedule === 'constant' && num(tr.warmupSteps) > 0 ? 'constant_with_warmup' : str(tr.schedule);
  if (num(tr.dropout) === 0) delete args.network_dropout;
  // Their "off" values: sd-scripts' defaults, left out so the config says only what the workflow changed.
  if (num(tr.minSnrGamma) === 0) delete args.min_snr_gamma;
  if (num(tr.noiseOffset) === 0) delete args.noise_offset;
  if (num(tr.minTimestep) === 0) delete args.min_timestep;
  if (num(tr.maxTimestep) === 1000) delete args.max_timestep;
  if (num(tr.clipSkip) <= 1) delete args.clip_skip;
  if (tr.prediction === 'v') args.v_parameterization = true;
  // LoCon: networks.lora reads the conv adapters' rank and alpha from its network_args.
  if (num(tr.convRank) > 0) args.network_args = [`conv_dim=${num(tr.convRank)}`, `conv_alpha=${num(tr.convAlpha)}`];
  if (family === 'flux')
    warnings.push('FLUX in sd-scripts also needs the ae, clip_l and t5xxl model paths: add them to the config');
  return args;
}

/** The caption settings, under their sd-scripts names (the same in the arguments and the dataset config). */
function captionSettings(t: WorkflowTraining): Toml {
  const out: Toml = {};
  for (const m of DIRECT_MAPPINGS) {
    if (!m.kohyaDataset || m.role !== 'train' || m.kohyaDataset === 'batch_size') continue;
    out[m.kohyaDataset] = t.setup.train[m.param];
  }
  out.caption_extension = t.saveDataset ? '.txt' : str(t.setup.images.captionExtension);
  return out;
}

/**
 * Whether LoadImages reads a folder of `<repeats>_<name>` subfolders (repeats from their names): that is
 * sd-scripts' `train_data_dir`, which a dataset config cannot express (its image_dir holds the images).
 */
function isParentFolder(t: WorkflowTraining): boolean {
  const base =
    str(t.setup.images.folder)
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  return !t.saveDataset && num(t.setup.images.repeats) === 0 && !/^\d+_./.test(base);
}

/** A `train_data_dir` training: the dataset settings go into the arguments. */
function folderArgs(t: WorkflowTraining, family: ModelFamily, warnings: string[]): Toml {
  const res = resolutionFor(t, family, warnings);
  warnCaptionsOnDisk(t, warnings);
  warnings.push(
    'train_data_dir: sd-scripts reads the images of its <repeats>_<name> subfolders only, ' +
      'as LoadImages does with Repeats 0',
  );
  const reg = str(t.setup.reg.folder);
  if (reg && num(t.setup.reg.repeats) > 0)
    warnings.push('reg_data_dir: sd-scripts takes the repeats from its <repeats>_<class> subfolders, not Repeats');
  return {
    ...(reg ? { reg_data_dir: reg } : {}),
    train_data_dir: str(t.setup.images.folder),
    resolution: `${res},${res}`,
    enable_bucket: t.setup.resize.mode === 'buckets',
    train_batch_size: num(t.setup.train.batch),
    ...captionSettings(t),
  };
}

function datasetConfig(t: WorkflowTraining, family: ModelFamily, warnings: string[]): Toml {
  const { folder, repeats } = datasetFolder(t, warnings);
  const general = captionSettings(t);
  const subset: Toml = { image_dir: folder, num_repeats: repeats };
  const trigger = triggerOf(t);
  if (trigger) subset.class_tokens = trigger;
  const reg = regFolder(t);
  const regSubset = reg
    ? [{ is_reg: true, image_dir: reg.folder, num_repeats: reg.repeats, caption_extension: reg.ext }]
    : [];
  const dataset: Toml = {
    resolution: resolutionFor(t, family, warnings),
    batch_size: num(t.setup.train.batch),
    enable_bucket: t.setup.resize.mode === 'buckets',
    subsets: [subset, ...regSubset],
  };
  return { general, datasets: [dataset] };
}

/** The sd-scripts files for the workflow's training. */
export function exportKohya(wf: WorkflowFile, t: WorkflowTraining, familyChoice?: ModelFamily): ExportResult {
  const warnings = [...t.warnings];
  const family = chooseFamily(t, familyChoice, warnings);
  const stem = fileStem(t, wf);
  const args = trainingArgs(t, family, stem, warnings);
  const parent = isParentFolder(t);
  if (parent) Object.assign(args, folderArgs(t, family, warnings));
  else args.dataset_config = `${stem}_dataset.toml`;
  const prompts = promptsOf(t, warnings);
  const files = [];
  if (prompts.length > 0) {
    args.sample_prompts = `${stem}_prompts.txt`;
    const samplers = new Set(t.setup.samples.map((s) => str(s.sampler)));
    const [sampler] = samplers;
    if (sampler) args.sample_sampler = kohyaSampler(sampler);
    if (samplers.size > 1)
      warnings.push(`the Sample nodes use different samplers: sample_sampler = ${sampler ?? ''} for all`);
    const header = headerLines(wf, t, 'sd-scripts sample prompts');
    files.push({ name: `${stem}_prompts.txt`, text: formatSamplePrompts(prompts, header) });
  } else {
    delete args.sample_every_n_steps;
  }
  const head = headerLines(wf, t, 'sd-scripts training config');
  head.push(`Train with: accelerate launch ${SCRIPTS[family]} --config_file ${stem}.toml`);
  if (!parent) {
    const dataset = stringify(datasetConfig(t, family, warnings));
    files.unshift({
      name: `${stem}_dataset.toml`,
      text: comment(headerLines(wf, t, 'sd-scripts dataset config')) + dataset + '\n',
    });
  }
  files.unshift({ name: `${stem}.toml`, text: comment(head) + stringify(args) + '\n' });
  return { target: 'kohya', files, warnings };
}
