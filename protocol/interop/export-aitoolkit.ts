/**
 * Writes a workflow's training as an ai-toolkit job (`python run.py <name>.yaml`): one `sd_trainer` process with
 * network, save, datasets, train, model and sample sections. Every setting the importer reads is written.
 */
import { stringify } from 'yaml';
import type { WorkflowFile } from '../workflow';
import {
  chooseFamily,
  datasetFolder,
  fileStem,
  headerLines,
  num,
  trainsTextEncoder,
  regFolder,
  resolutionFor,
  str,
  triggerOf,
} from './export-common';
import { DIRECT_MAPPINGS } from './mapping-table';
import type { WorkflowTraining } from './read-workflow';
import type { ExportResult, ModelFamily } from './types';

type Yaml = Record<string, unknown>;

const ARCH: Record<ModelFamily, { arch: string; legacy?: string }> = {
  sd15: { arch: 'sd1' },
  sd2: { arch: 'sd2', legacy: 'is_v2' },
  sdxl: { arch: 'sdxl', legacy: 'is_xl' },
  flux: { arch: 'flux', legacy: 'is_flux' },
};

/** Sets `path` ("section.key", or "datasets.key" for the dataset) in the process. */
function put(proc: Yaml, dataset: Yaml, path: string, value: unknown): void {
  const [section = '', key] = path.split('.');
  if (key === undefined) {
    proc[section] = value;
    return;
  }
  const t = section === 'datasets' ? dataset : ((proc[section] as Yaml | undefined) ?? (proc[section] = {}));
  t[key] = value;
}

function samplesSection(t: WorkflowTraining): Yaml | undefined {
  const own = Array.isArray(t.setup.train.samplePrompts) ? t.setup.train.samplePrompts : [];
  const first = t.setup.samples[0];
  const fromSamples = first && Array.isArray(first.prompts) ? first.prompts : [];
  const prompts = own.length > 0 ? own : fromSamples;
  if (prompts.length === 0) return undefined;
  const sample: Yaml = { sample_every: num(t.setup.train.sampleEvery), prompts };
  if (first) {
    Object.assign(sample, { neg: str(first.negative), seed: num(first.seed), guidance_scale: num(first.guidance) });
    sample.sample_steps = num(first.steps);
    // Sample's 0 means the model's own resolution: left out, as ai-toolkit then uses its default.
    if (typeof first.width === 'number' && first.width > 0) sample.width = first.width;
    if (typeof first.height === 'number' && first.height > 0) sample.height = first.height;
  }
  return sample;
}

function warnUnexpressible(t: WorkflowTraining, warnings: string[]): void {
  const tr = t.setup.train;
  if (num(tr.warmupSteps) > 0)
    warnings.push(`warmupSteps ${num(tr.warmupSteps)}: ai-toolkit's job has no warmup setting; not written`);
  if (tr.shuffleTags === true && num(tr.keepTokens) > 0)
    warnings.push(`keepTokens ${num(tr.keepTokens)}: ai-toolkit shuffles every tag; not written`);
  if (num(tr.seed) !== 0) warnings.push(`seed ${num(tr.seed)}: ai-toolkit's training has no seed setting; not written`);
  if (t.setup.samples.length > 1)
    warnings.push("only the first Sample node's options are written (ai-toolkit has one sample section)");
}

/** The ai-toolkit job for the workflow's training. */
export function exportAiToolkit(wf: WorkflowFile, t: WorkflowTraining, familyChoice?: ModelFamily): ExportResult {
  const warnings = [...t.warnings];
  const family = chooseFamily(t, familyChoice, warnings);
  const stem = fileStem(t, wf);
  const tr = t.setup.train;
  const proc: Yaml = { type: 'sd_trainer', device: 'cuda:0' };
  const trigger = triggerOf(t);
  if (trigger) proc.trigger_word = trigger;
  proc.network = { type: 'lora' };
  const { folder, repeats } = datasetFolder(t, warnings);
  const ext = t.saveDataset ? 'txt' : str(t.setup.images.captionExtension).replace(/^\./, '');
  const dataset: Yaml = { folder_path: folder, caption_ext: ext };
  for (const m of DIRECT_MAPPINGS) {
    if (!m.aitoolkit) continue;
    const value = m.role === 'images' ? undefined : t.setup[m.role][m.param];
    if (value !== undefined && value !== null) put(proc, dataset, m.aitoolkit, value);
  }
  dataset.num_repeats = repeats;
  dataset.resolution = [resolutionFor(t, family, warnings)];
  if (num(tr.steps) === 0) {
    delete (proc.train as Yaml).steps;
    warnings.push("TrainLoRA's steps are automatic (0): set train.steps before training");
  }
  if (num(tr.dropout) === 0) delete (proc.network as Yaml).dropout;
  if (num(tr.convRank) === 0) {
    delete (proc.network as Yaml).conv;
    delete (proc.network as Yaml).conv_alpha;
  }
  if (num(tr.minSnrGamma) === 0) delete (proc.train as Yaml).min_snr_gamma;
  if (num(tr.noiseOffset) === 0) delete (proc.train as Yaml).noise_offset;
  const withText = trainsTextEncoder(tr.targets, 'ai-toolkit', warnings);
  if (num(tr.textEncoderLr) === 0 || !withText) delete (proc.train as Yaml).text_encoder_lr;
  const reg = regFolder(t);
  const regSet = reg
    ? [{ folder_path: reg.folder, is_reg: true, num_repeats: reg.repeats, caption_ext: reg.ext.replace(/^\./, '') }]
    : [];
  proc.datasets = [dataset, ...regSet];
  Object.assign(proc.train as Yaml, {
    optimizer: tr.optimizer === 'prodigy' ? 'prodigy' : 'adamw',
    lr_scheduler: str(tr.schedule),
    train_unet: true,
    train_text_encoder: withText,
  });
  (proc.save as Yaml).dtype = t.setup.save.dtype === 'fp32' ? 'float32' : 'float16';
  const arch = ARCH[family];
  proc.model = { name_or_path: t.modelPath, arch: arch.arch, ...(arch.legacy ? { [arch.legacy]: true } : {}) };
  const sample = samplesSection(t);
  if (sample) proc.sample = sample;
  else delete (proc.train as Yaml).sample_every;
  if (!sample && proc.sample) delete proc.sample;
  warnUnexpressible(t, warnings);
  const job = { job: 'extension', config: { name: stem, process: [proc] }, meta: { name: '[name]', version: '1.0' } };
  const head = [...headerLines(wf, t, 'ai-toolkit job'), `Train with: python run.py ${stem}.yaml`];
  const text = head.map((l) => `# ${l}`).join('\n') + '\n' + stringify(job, { lineWidth: 0 });
  return { target: 'ai-toolkit', files: [{ name: `${stem}.yaml`, text }], warnings };
}
