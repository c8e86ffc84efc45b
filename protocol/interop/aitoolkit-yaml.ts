/**
 * ai-toolkit job configs (YAML): `config.process[]` entries with `network`, `save`, `datasets`, `train`, `model`
 * and `sample` sections. The first process is imported (and of it the first dataset that is not regularisation
 * images); `trigger_word` becomes the Caption and TrainLoRA trigger, and `[trigger]` in captions and prompts is
 * replaced as ai-toolkit does.
 */
import { parse } from 'yaml';
import { shown, type ImportBuilder } from './import-builder';
import { DIRECT_MAPPINGS, coerce } from './mapping-table';
import type { ModelFamily } from './types';

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses YAML with an error that names the file. */
export function parseYaml(text: string, file: string): unknown {
  try {
    return parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Whether a parsed YAML/JSON value is an ai-toolkit job. */
export function isAiToolkitJob(v: unknown): v is Table {
  return isTable(v) && isTable(v.config) && Array.isArray(v.config.process);
}

const ARCHES: Record<string, ModelFamily> = { sd1: 'sd15', sd15: 'sd15', sd2: 'sd2', sdxl: 'sdxl', flux: 'flux' };

function familyOf(model: Table): [ModelFamily, string] | undefined {
  const arch = typeof model.arch === 'string' ? ARCHES[model.arch.toLowerCase()] : undefined;
  if (arch) return [arch, `model.arch = ${String(model.arch)}`];
  if (model.is_flux === true) return ['flux', 'model.is_flux'];
  if (model.is_xl === true) return ['sdxl', 'model.is_xl'];
  if (model.is_v2 === true) return ['sd2', 'model.is_v2'];
  return undefined;
}

/** Known keys of each section, and the reason their value is not used where it is not obvious. */
const REASONS: Record<string, string> = {
  device: 'loraflow schedules the device',
  'train.gradient_checkpointing': 'loraflow chooses memory use by itself',
  'train.dtype': 'loraflow chooses the precision for the device',
  'train.noise_scheduler': "the model family's own schedule is used",
  'model.quantize': 'loraflow chooses the precision for the device',
  'sample.sampler': "ai-toolkit's samplers are not loraflow's; Sample keeps its own",
  'sample.walk_seed': 'Sample draws every prompt with its own seed from the one given',
};

export function importAiToolkit(b: ImportBuilder, job: Table, file: string): void {
  const config = job.config as Table;
  const processes = (config.process as unknown[]).filter(isTable);
  for (const k of Object.keys(job)) if (k !== 'config' && k !== 'job') b.ignore(k, job[k]);
  if (job.job !== undefined) b.note(`job = ${shown(job.job)}: a training job`);
  for (const k of Object.keys(config)) if (k !== 'process' && k !== 'name') b.ignore(`config.${k}`, config[k]);
  if (typeof config.name === 'string' && config.name) {
    b.name = config.name;
    b.set('config.name', 'train', 'outputName', config.name);
  }
  processes
    .slice(1)
    .forEach((p, i) =>
      b.ignore(`config.process[${i + 1}]`, p.type ?? '…', 'not supported, ignored (one TrainLoRA per workflow)'),
    );
  const proc = processes[0];
  if (!proc) return b.note(`${file} has no process to import`);
  if (proc.type !== undefined && proc.type !== 'sd_trainer' && proc.type !== 'ui_trainer')
    b.note(`process type "${String(proc.type)}" imported as a LoRA training`);
  const done = new Set<string>(['type', 'datasets']);
  const datasets = Array.isArray(proc.datasets) ? proc.datasets.filter(isTable) : [];
  const chosen = datasets.findIndex((d) => d.is_reg !== true);
  const regAt = b.hasInput('train', 'regularization') ? datasets.findIndex((d) => d.is_reg === true) : -1;
  datasets.forEach((d, i) => {
    if (i === chosen) return;
    if (i === regAt) return importRegDataset(b, d, i);
    const why =
      d.is_reg === true ? 'is_reg: regularisation images are not supported yet' : 'one image folder per TrainLoRA';
    b.ignore(`datasets[${i}]`, d.folder_path ?? '…', `not supported, ignored (${why})`);
  });
  const dataset = chosen >= 0 ? datasets[chosen]! : {};
  const get = (path: string): unknown => {
    const [section = '', key] = path.split('.');
    if (key === undefined) return proc[section];
    const t = section === 'datasets' ? dataset : proc[section];
    return isTable(t) ? t[key] : undefined;
  };
  const used = (path: string) => done.add(path.startsWith('datasets.') ? `datasets[${chosen}].${path.slice(9)}` : path);

  const model = isTable(proc.model) ? proc.model : {};
  const family = familyOf(model);
  if (family) b.family(family[0], family[1]);
  for (const k of ['arch', 'is_flux', 'is_xl', 'is_v2']) if (model[k] !== undefined) used(`model.${k}`);
  if (typeof model.name_or_path === 'string' && model.name_or_path) {
    used('model.name_or_path');
    b.setModel('model.name_or_path', model.name_or_path, true);
  }

  const network = isTable(proc.network) ? proc.network : {};
  if (network.type !== undefined) {
    used('network.type');
    if (network.type !== 'lora')
      b.ignore('network.type', network.type, 'not supported, ignored (TrainLoRA trains plain LoRA)');
  }
  if (network.rank !== undefined && network.linear === undefined) {
    used('network.rank');
    b.set('network.rank', 'train', 'rank', network.rank as number);
  }
  const alpha = network.linear_alpha ?? network.alpha;
  if (alpha === undefined) b.set('network.linear_alpha', 'train', 'alpha', 1, "not set: ai-toolkit's default 1");
  else if (network.linear_alpha === undefined) {
    used('network.alpha');
    b.set('network.alpha', 'train', 'alpha', alpha as number);
  }

  const trigger = proc.trigger_word;
  if (typeof trigger === 'string' && trigger) {
    used('trigger_word');
    b.set('trigger_word', 'caption', 'trigger', trigger);
    b.set('trigger_word', 'train', 'trigger', trigger);
  }
  const ext = dataset.caption_ext;
  used('datasets.caption_ext');
  const extValue = typeof ext === 'string' && ext ? (ext.startsWith('.') ? ext : `.${ext}`) : '.txt';
  b.set(
    'datasets.caption_ext',
    'images',
    'captionExtension',
    extValue,
    ext === undefined ? 'not set: .txt' : undefined,
  );
  if (dataset.num_repeats === undefined && chosen >= 0)
    b.set('datasets.num_repeats', 'images', 'repeats', 1, "not set: ai-toolkit's default 1");
  if (dataset.caption_dropout_rate === undefined)
    b.set('datasets.caption_dropout_rate', 'train', 'captionDropout', 0, "not set: ai-toolkit's default 0");
  b.assume('train', 'keepTokens', 0, 'ai-toolkit keeps no tags in place when shuffling');
  importResolutionList(b, dataset.resolution, used);
  b.assume('resize', 'mode', 'buckets', 'ai-toolkit buckets images by aspect ratio');
  const trainSection = isTable(proc.train) ? proc.train : {};
  if (trainSection.train_unet !== undefined) {
    used('train.train_unet');
    if (trainSection.train_unet === true) b.note('train.train_unet = true: TrainLoRA trains the diffusion model');
    else b.ignore('train.train_unet', false, 'not supported, ignored (TrainLoRA always trains the diffusion model)');
  }
  const trainText = trainSection.train_text_encoder;
  used('train.train_text_encoder');
  b.set('train.train_text_encoder', 'train', 'targets', trainText === true ? 'attention+mlp+text' : 'attention+mlp');
  importNames(b, proc, used);
  importSample(b, proc, trigger, used);

  for (const m of DIRECT_MAPPINGS) {
    if (!m.aitoolkit) continue;
    const raw = get(m.aitoolkit);
    used(m.aitoolkit);
    const value = coerce(m.kind, raw);
    if (value instanceof Error) b.ignore(m.aitoolkit, raw, `not supported, ignored (${value.message})`);
    else if (value !== undefined) b.set(m.aitoolkit, m.role, m.param, value);
  }
  reportRest(b, proc, dataset, chosen, done);
}

/** ai-toolkit's `is_reg` dataset: its own LoadImages into TrainLoRA's `regularization` input. */
function importRegDataset(b: ImportBuilder, d: Table, i: number): void {
  const at = `datasets[${i}]`;
  b.note(`${at}.is_reg: regularisation images, into TrainLoRA's regularization input`);
  if (typeof d.folder_path === 'string') b.set(`${at}.folder_path`, 'reg', 'folder', d.folder_path);
  const repeats = coerce('int', d.num_repeats ?? 1);
  if (typeof repeats === 'number') b.set(`${at}.num_repeats`, 'reg', 'repeats', repeats);
  const ext = typeof d.caption_ext === 'string' && d.caption_ext ? d.caption_ext : 'txt';
  b.set(`${at}.caption_ext`, 'reg', 'captionExtension', ext.startsWith('.') ? ext : `.${ext}`);
  for (const k of Object.keys(d))
    if (!['folder_path', 'num_repeats', 'caption_ext', 'is_reg'].includes(k)) b.ignore(`${at}.${k}`, d[k]);
}

function importResolutionList(b: ImportBuilder, raw: unknown, used: (p: string) => void): void {
  used('datasets.resolution');
  const list = (Array.isArray(raw) ? raw : raw === undefined ? [512] : [raw]).map(Number);
  if (list.some((n) => !Number.isInteger(n) || n <= 0)) return b.ignore('datasets.resolution', raw);
  const side = Math.max(...list);
  const note = list.length > 1 ? `the largest of ${list.join(', ')}; loraflow trains at one resolution` : undefined;
  b.set('datasets.resolution', 'resize', 'resolution', side, raw === undefined ? "not set: ai-toolkit's 512" : note);
}

function importNames(b: ImportBuilder, proc: Table, used: (p: string) => void): void {
  const train = isTable(proc.train) ? proc.train : {};
  if (train.optimizer !== undefined) {
    used('train.optimizer');
    const opt = String(train.optimizer).toLowerCase();
    const value = opt === 'adamw' || opt === 'adamw8bit' ? 'adamw' : opt === 'prodigy' ? 'prodigy' : undefined;
    if (value)
      b.set(
        'train.optimizer',
        'train',
        'optimizer',
        value,
        opt === 'adamw8bit' ? 'AdamW with full-precision state' : undefined,
      );
    else b.ignore('train.optimizer', train.optimizer, 'not supported, ignored (TrainLoRA has AdamW and Prodigy)');
  }
  if (train.lr_scheduler !== undefined) {
    used('train.lr_scheduler');
    const s = String(train.lr_scheduler).toLowerCase();
    if (s === 'constant' || s === 'cosine' || s === 'linear') b.set('train.lr_scheduler', 'train', 'schedule', s);
    else
      b.ignore(
        'train.lr_scheduler',
        train.lr_scheduler,
        'not supported, ignored (TrainLoRA has constant, cosine and linear)',
      );
  }
  const save = isTable(proc.save) ? proc.save : {};
  if (save.dtype !== undefined) {
    used('save.dtype');
    const d = String(save.dtype).toLowerCase();
    const dtype = d === 'float16' || d === 'fp16' ? 'fp16' : d === 'float32' || d === 'fp32' ? 'fp32' : undefined;
    if (dtype) b.set('save.dtype', 'save', 'dtype', dtype);
    else b.ignore('save.dtype', save.dtype, 'not supported, ignored (SaveCheckpoint writes fp16 or fp32)');
  }
}

function importSample(b: ImportBuilder, proc: Table, trigger: unknown, used: (p: string) => void): void {
  const sample = isTable(proc.sample) ? proc.sample : undefined;
  if (!sample) return;
  const prompts = Array.isArray(sample.prompts) ? sample.prompts.map(String) : [];
  used('sample.prompts');
  if (prompts.length === 0) return;
  b.set('sample.prompts', 'train', 'samplePrompts', prompts);
  // Sample does not know the trigger word: put it in, as ai-toolkit does when it samples.
  const word = typeof trigger === 'string' ? trigger : '';
  const filled = prompts.map((p) => (word ? p.replace(/\[trigger\]/gi, word) : p));
  b.setSample(
    'sample.prompts',
    0,
    'prompts',
    filled,
    word && filled.join() !== prompts.join() ? '[trigger] replaced' : undefined,
  );
  const pairs: [string, string, 'int' | 'number' | 'string'][] = [
    ['neg', 'negative', 'string'],
    ['seed', 'seed', 'int'],
    ['guidance_scale', 'guidance', 'number'],
    ['sample_steps', 'steps', 'int'],
    ['width', 'width', 'int'],
    ['height', 'height', 'int'],
  ];
  for (const [key, param, kind] of pairs) {
    used(`sample.${key}`);
    const value = kind === 'string' && sample[key] === '' ? '' : coerce(kind, sample[key]);
    if (value instanceof Error) b.ignore(`sample.${key}`, sample[key], `not supported, ignored (${value.message})`);
    else if (value !== undefined) b.setSample(`sample.${key}`, 0, param, value);
  }
  b.sampleDefault(0, 'loraStrengths', ['1.0']);
}

function reportRest(b: ImportBuilder, proc: Table, dataset: Table, chosen: number, done: Set<string>): void {
  for (const [key, value] of Object.entries(proc)) {
    if (done.has(key)) continue;
    if (!isTable(value)) {
      b.ignore(key, value, REASONS[key] ? `not supported, ignored (${REASONS[key]})` : undefined);
      continue;
    }
    for (const [k, v] of Object.entries(value)) {
      const path = `${key}.${k}`;
      if (!done.has(path)) b.ignore(path, v, REASONS[path] ? `not supported, ignored (${REASONS[path]})` : undefined);
    }
  }
  for (const [k, v] of Object.entries(dataset))
    if (!done.has(`datasets[${chosen}].${k}`)) b.ignore(`datasets[${chosen}].${k}`, v);
}
