/** TrainLoRA's parameters: names, defaults, ranges and the guide's advice as hints. */
import type { TrainConfig } from '../../ml/train/types';
import type { ParamSpec } from '../../protocol/schema';
import { BACKENDS } from './backend';

export type TrainLoraParams = {
  loraType: string;
  steps: number;
  learningRate: number;
  optimizer: string;
  schedule: string;
  warmupSteps: number;
  batch: number;
  rank: number;
  alpha: number;
  dropout: number;
  targets: string;
  seed: number;
  captionDropout: number;
  shuffleTags: boolean;
  keepTokens: number;
  trigger: string;
  checkpointEvery: number;
  keepLast: number;
  sampleEvery: number;
  samplePrompts: string[];
  validationImages: number;
  stepsPerRun: number;
  outputName: string;
  backend: string;
  textEncoderLr: number;
  triggerDropout: number;
  minTimestep: number;
  maxTimestep: number;
  classPrompts: string[];
  classImages: number;
  priorLossWeight: number;
  priorTarget: string;
  priorConcepts: number;
  priorExclude: string[];
  pivotal: boolean;
  triggerInit: string;
  embeddingLr: number;
  embeddingVectors: number;
  loraCheck: boolean;
  checkPrompts: string[];
  checkStrengths: string[];
  /** SD 1.5 only (kohya options). */
  prediction: string;
  minSnrGamma: number;
  noiseOffset: number;
  clipSkip: number;
  convRank: number;
  convAlpha: number;
};

export const TARGETS = [
  'attention+mlp',
  'attention',
  'attention+mlp+text',
  'cross-attention kv+text',
  'cross-attention kv',
  'trigger embedding only',
] as const;

/** TrainLoRA's priorTarget options (see its tooltip); the last adds the training images without the trigger. */
export const PRIOR_TARGETS = ['class images', 'base model', 'base model, training images'] as const;

/**
 * The optimizer, schedule and clipping every model family trains with: AdamW (or Prodigy) with weight decay 0.01,
 * the chosen schedule decaying to a tenth of the rate, gradients clipped to norm 1.
 */
export function trainConfigOf(params: TrainLoraParams, steps: number): TrainConfig {
  return {
    seed: params.seed,
    optimizer:
      params.optimizer === 'prodigy'
        ? { kind: 'prodigy', weightDecay: 0.01 }
        : { kind: 'adamw', beta1: 0.9, beta2: 0.999, weightDecay: 0.01 },
    schedule: {
      kind: params.schedule as 'constant',
      lr: params.learningRate,
      totalSteps: steps,
      warmupSteps: params.warmupSteps,
      minLr: params.learningRate * 0.1,
    },
    clipNorm: 1,
    stepsPerRun: params.stepsPerRun,
  };
}

/**
 * When a run writes checkpoints and samples, for every model family: samples are taken at checkpoints only (the
 * nearest multiple of `checkpointEvery`), so each sample shows a checkpoint the user can pick.
 */
export function checkpointsAndSamples(params: TrainLoraParams, checkpointEvery: number, prompts: string[]) {
  return {
    checkpointEvery,
    keepLast: params.keepLast,
    sampleEvery:
      params.sampleEvery > 0 ? Math.max(1, Math.round(params.sampleEvery / checkpointEvery)) * checkpointEvery : 0,
    samplePrompts: prompts,
    sampleSeed: params.seed,
    sampleSteps: 20,
  };
}

/** Whether a layer set adapts the text encoder. */
export const adaptsText = (targets: string): boolean => targets.endsWith('+text');

/**
 * The modules of a layer set among the model's default LoRA targets. 'cross-attention kv+text' adapts only what
 * reads the caption (the cross-attention keys and values, and the text encoder): its change follows the words.
 */
export function selectTargets(targets: string, names: readonly string[]): string[] {
  // Textual inversion: pivotal tuning's embedding alone, no adapter (nothing changes for prompts without the trigger).
  if (targets === 'trigger embedding only') return [];
  if (targets === 'cross-attention kv+text')
    return names.filter((m) => m.startsWith('text.') || /\.cross\.(k|v)$/.test(m));
  if (targets === 'cross-attention kv') return names.filter((m) => /\.cross\.(k|v)$/.test(m));
  if (targets === 'attention') return names.filter((m) => !/\.mlp\./.test(m));
  return [...names];
}

/** Shown only when the MODEL comes from LoadModel set to an SD family (hidden on the built-in emoji model). */
const SD_MODELS = { input: 'model', param: 'family', equals: ['sd15', 'sdxl'] };

export const TRAIN_PARAMS: ParamSpec[] = [
  {
    name: 'loraType',
    kind: 'enum',
    options: ['style', 'character', 'object', 'likeness'],
    default: 'style',
    label: 'LoRA type',
    tooltip: 'Used for the dataset-size and steps warnings.',
    hint: 'Style 10 min (20-50), character 15 (30-100), object 10 (20-40), likeness 20 (40-100) images.',
  },
  {
    name: 'steps',
    kind: 'int',
    default: 0,
    min: 0,
    label: 'Steps',
    tooltip:
      "0: the guide's ~100 per image (with repeats) divided by the batch size: steps = images x repeats x epochs / batch, about 100 epochs. Raising it later continues from the last checkpoint.",
    hint: 'At batch 1: 10 images 1000-1500; 20: 2000-2500; 50: 4000-5000; 100+: 5000-8000. Divide by the batch size.',
  },
  {
    name: 'learningRate',
    kind: 'number',
    default: 0.0001,
    min: 0,
    exclusiveMin: true,
    // Adam-type rates are about 1e-4 and Prodigy's is 1 (a factor on its own estimate): above 1 only diverges.
    max: 1,
    slider: false,
    step: 0.00001,
    label: 'Learning rate',
    hint: 'First attempt 0.0001; not learning fast enough 0.0002-0.0003; overfitting quickly 0.00005-0.0001; Prodigy 1.0.',
  },
  {
    name: 'optimizer',
    kind: 'enum',
    options: ['adamw', 'prodigy'],
    default: 'adamw',
    label: 'Optimizer',
    tooltip: 'Prodigy adapts its own rate: set the learning rate to 1.0.',
  },
  {
    name: 'schedule',
    kind: 'enum',
    options: ['constant', 'cosine', 'linear'],
    default: 'constant',
    label: 'LR schedule',
    tooltip:
      'After warmup. Constant keeps "raise the steps and continue" exact; cosine decays to a tenth by the last step.',
  },
  { name: 'warmupSteps', kind: 'int', default: 0, min: 0, label: 'Warmup steps' },
  { name: 'batch', kind: 'int', default: 1, min: 1, max: 64, label: 'Batch size' },
  {
    name: 'rank',
    kind: 'int',
    default: 16,
    min: 1,
    max: 256,
    label: 'Rank',
    hint: '8-16: simple styles, small adjustments; 32: most character and style LoRAs; 64-128: complex subjects. Start with 32; lower it if it overfits.',
  },
  {
    name: 'alpha',
    kind: 'number',
    default: 16,
    min: 0.0001,
    label: 'Alpha',
    tooltip:
      "The adapter is scaled by alpha/rank (kohya). alpha = rank: scale 1; kohya's default alpha 1 makes the effective rate smaller.",
  },
  {
    name: 'dropout',
    kind: 'number',
    default: 0,
    min: 0,
    max: 0.9,
    step: 0.05,
    label: 'LoRA dropout',
    tooltip: 'kohya network_dropout on the rank features; 0.1 can reduce overfitting.',
  },
  {
    name: 'targets',
    kind: 'enum',
    options: [...TARGETS],
    default: 'attention+mlp',
    label: 'Adapted layers',
    tooltip:
      'Attention projections (q, k, v, o of self- and cross-attention) and MLPs of every block; optionally the text encoder too (lora_te_). "cross-attention kv+text": only what reads the caption, so the change follows the words. "cross-attention kv": the same without the text encoder (with pivotal tuning, the trigger\'s own embedding does the text side). "trigger embedding only": no adapters, only the trigger word\'s own embedding (pivotal tuning; textual inversion).',
  },
  {
    name: 'textEncoderLr',
    kind: 'number',
    default: 0,
    min: 0,
    max: 1, // as learningRate's
    slider: false,
    step: 0.00001,
    label: 'Text encoder learning rate',
    tooltip:
      "kohya's text_encoder_lr: the rate of the text encoder's adapters (so the trigger word can acquire meaning). 0: the learning rate. AdamW only.",
    visibleWhen: { param: 'targets', equals: ['attention+mlp+text', 'cross-attention kv+text'] },
  },
  { name: 'seed', kind: 'seed', default: 0, min: 0, label: 'Seed' },
  {
    name: 'captionDropout',
    kind: 'number',
    default: 0.05,
    min: 0,
    max: 1,
    step: 0.01,
    label: 'Caption dropout',
    tooltip: 'Share of steps trained with an empty caption (keeps guidance working).',
  },
  {
    name: 'triggerDropout',
    kind: 'number',
    default: 0,
    min: 0,
    max: 1,
    step: 0.05,
    label: 'Trigger dropout',
    tooltip: 'Share of steps whose caption has the trigger word taken out (the rest of the caption kept).',
  },
  {
    name: 'minTimestep',
    kind: 'int',
    default: 0,
    min: 0,
    max: 999,
    label: 'Min timestep',
    tooltip:
      "kohya's min_timestep, of 1,000 (0: the clean image): trains only at this much noise or more. Above 0 leaves fine detail to the base model.",
  },
  {
    name: 'maxTimestep',
    kind: 'int',
    default: 1000,
    min: 1,
    max: 1000,
    label: 'Max timestep',
    tooltip:
      "kohya's max_timestep, of 1,000 (1,000: pure noise): trains only at this much noise or less. Below 1,000 leaves the layout (the subject) to the base model, so a style LoRA changes the rendering more than what is drawn.",
  },
  {
    name: 'classPrompts',
    kind: 'list',
    default: [],
    label: 'Class prompts (prior preservation)',
    tooltip:
      'Prompts of what the LoRA must leave alone, without the trigger: the base model draws classImages of each (cached), trained beside the dataset with the prior-loss weight. "[captions]": every training caption without the trigger.',
  },
  {
    name: 'classImages',
    kind: 'int',
    default: 1,
    min: 1,
    max: 100,
    label: 'Images per class prompt',
  },
  {
    name: 'priorLossWeight',
    kind: 'number',
    default: 1,
    min: 0,
    step: 0.1,
    label: 'Prior-loss weight',
    tooltip:
      "kohya's prior_loss_weight: the loss weight of regularisation images (the regularization input or the class prompts). Half of the batch slots draw from them on average.",
  },
  {
    name: 'priorTarget',
    kind: 'enum',
    options: [...PRIOR_TARGETS],
    default: 'class images',
    label: 'Prior target',
    tooltip:
      'What regularisation samples are trained towards. "class images": their own image (kohya, DreamBooth). "base model": the frozen base model\'s prediction on the same noisy image and caption, so the LoRA learns to change nothing for those captions (one more forward pass per step). "base model, training images": the same, with the training images under their captions without the trigger as regularisation samples too. Built-in model only.',
  },
  {
    name: 'priorConcepts',
    kind: 'int',
    default: 0,
    min: 0,
    max: 2000,
    label: 'Prior concepts (built-in model)',
    tooltip:
      'Beside the class prompts, this many of the built-in model\'s own concepts ("red apple", no trigger), spread over its vocabulary, each with the corpus image it learned it from: with the prior target "base model" they are held to what the base model predicts, so prompts the dataset never mentions keep their look. Nothing is sampled for them. The LoRA check\'s subjects and priorExclude are left out. Built-in model only.',
  },
  {
    name: 'priorExclude',
    kind: 'list',
    default: [],
    label: 'Keep out of the prior',
    tooltip:
      'Concepts never used as prior concepts: prompts you will judge the LoRA on without its trigger, so that their bleeding is measured, not trained away.',
  },
  {
    name: 'pivotal',
    kind: 'boolean',
    default: false,
    label: 'Pivotal tuning (trigger embedding)',
    tooltip:
      "Gives the trigger word an input embedding of its own, trained with the LoRA and saved in its file (A1111's bundle_emb): the trigger's meaning lives in the new word, not in weights every prompt uses. Needs a trigger word.",
  },
  {
    name: 'triggerInit',
    kind: 'string',
    default: '',
    optional: true,
    label: 'Start the trigger from',
    tooltip:
      'Words whose embedding the trigger starts from: the class of what you teach ("style", "plush toy"). Empty: what the trigger reads today.',
    visibleWhen: { param: 'pivotal', equals: [true] },
  },
  {
    name: 'embeddingLr',
    kind: 'number',
    default: 0,
    min: 0,
    max: 1, // as learningRate's
    slider: false,
    step: 0.0001,
    label: 'Embedding learning rate',
    tooltip: "The trigger embedding's rate. 0: the learning rate. AdamW only.",
    visibleWhen: { param: 'pivotal', equals: [true] },
  },
  {
    name: 'embeddingVectors',
    kind: 'int',
    default: 1,
    min: 1,
    max: 32,
    label: 'Embedding vectors',
    tooltip:
      "Vectors of the trigger's embedding (kohya's vectors per token). Built-in model: the trigger's first bytes get one each, the rest share the last. SD 1.5/SDXL: each vector takes one of the prompt's 75 token places, as in A1111. More vectors hold more of a style.",
    visibleWhen: { param: 'pivotal', equals: [true] },
  },
  {
    name: 'shuffleTags',
    kind: 'boolean',
    default: false,
    label: 'Shuffle tags',
    tooltip: 'Shuffle comma-separated tags each step, keeping the first ones in place.',
  },
  {
    name: 'keepTokens',
    kind: 'int',
    default: 1,
    min: 0,
    label: 'Keep first tags',
    tooltip: 'Tags kept in front when shuffling (the trigger word first).',
    visibleWhen: { param: 'shuffleTags', equals: [true] },
  },
  {
    name: 'trigger',
    kind: 'string',
    default: '',
    optional: true,
    label: 'Trigger word',
    tooltip: "Empty: the dataset's (set by Caption). Used in the sample prompts and the metadata.",
  },
  {
    name: 'checkpointEvery',
    kind: 'int',
    default: 100,
    min: 1,
    label: 'Checkpoint every N steps',
    tooltip: 'Each checkpoint gets a validation loss; rerunning after an interruption resumes from the last one.',
  },
  {
    name: 'keepLast',
    kind: 'int',
    default: 3,
    min: 1,
    label: 'Keep last K checkpoints',
    tooltip: 'Plus the best by validation loss.',
  },
  {
    name: 'sampleEvery',
    kind: 'int',
    default: 200,
    min: 0,
    label: 'Samples every N steps',
    tooltip: '0: only at the end. Fixed seed and prompts, so the grids are comparable.',
  },
  {
    name: 'samplePrompts',
    kind: 'list',
    default: [],
    label: 'Sample prompts',
    tooltip:
      'Empty: one prompt with the trigger word, one without, and held-out subjects. "[trigger]" is replaced by the trigger word.',
  },
  {
    name: 'validationImages',
    kind: 'int',
    default: 0,
    min: 0,
    label: 'Validation images',
    tooltip: '0: a tenth held out from 20 images up, else the training set is scored (fixed noise and timesteps).',
  },
  {
    name: 'loraCheck',
    kind: 'boolean',
    default: true,
    label: 'LoRA check at the end',
    tooltip:
      'Samples prompts unlike the captions with and without the trigger for every kept checkpoint: effect, bleeding, subject survival, and the best checkpoint chosen on them. Built-in model: a few seconds per checkpoint. SD 1.5 / SDXL: 2 prompts unless set, 12 steps at the training size, (checkpoints x strengths + 1) x 4 + 2 images (30 for 3 checkpoints at 2 strengths): about as long as 30 in-training samples: minutes on a GPU, hours on a CPU (a 512 px SD 1.5 image took about 17 min on the 2-core bench machine). Turn it off for CPU runs, or use LoRACheck on chosen checkpoints.',
  },
  {
    name: 'checkPrompts',
    kind: 'list',
    default: [],
    label: 'Check prompts',
    tooltip:
      'Subjects without the trigger. Empty: emoji subjects the built-in model draws well (SD: 2 scenes), minus those in the captions.',
    visibleWhen: { param: 'loraCheck', equals: [true] },
  },
  {
    name: 'checkStrengths',
    kind: 'list',
    default: ['0.7', '1.0'],
    label: 'Check strengths',
    visibleWhen: { param: 'loraCheck', equals: [true] },
  },
  {
    name: 'prediction',
    kind: 'enum',
    options: ['epsilon', 'v'],
    default: 'epsilon',
    label: 'Prediction (SD)',
    tooltip: "SD 1.5: the checkpoint's objective; 'v' for v-prediction fine-tunes (kohya v_parameterization).",
    visibleWhen: SD_MODELS,
  },
  {
    name: 'minSnrGamma',
    kind: 'number',
    default: 0,
    min: 0,
    max: 20,
    label: 'Min-SNR gamma (SD)',
    tooltip: 'SD 1.5: min-SNR loss weighting (kohya min_snr_gamma; 5 is usual); 0 turns it off.',
    visibleWhen: SD_MODELS,
  },
  {
    name: 'noiseOffset',
    kind: 'number',
    default: 0,
    min: 0,
    max: 1,
    step: 0.01,
    label: 'Noise offset (SD)',
    tooltip: 'SD 1.5: kohya noise_offset (0.05-0.1 lets the LoRA learn overall brightness); 0 turns it off.',
    visibleWhen: SD_MODELS,
  },
  {
    name: 'clipSkip',
    kind: 'int',
    default: 1,
    min: 1,
    max: 12,
    label: 'Clip skip (SD)',
    tooltip: 'SD 1.5: 2 conditions on the penultimate CLIP layer (anime fine-tunes); use the same when sampling.',
    visibleWhen: SD_MODELS,
  },
  {
    name: 'convRank',
    kind: 'int',
    default: 0,
    min: 0,
    max: 256,
    label: 'Conv rank (SD)',
    tooltip:
      "SD 1.5 / SDXL: LoCon, kohya's conv_dim: also adapts the ResBlocks' and samplers' convs (86 / 66 modules); 0 turns it off.",
    visibleWhen: SD_MODELS,
  },
  {
    name: 'convAlpha',
    kind: 'number',
    default: 1,
    min: 0.01,
    label: 'Conv alpha (SD)',
    tooltip: "SD 1.5: kohya's conv_alpha; the conv adapters are scaled by conv alpha / conv rank.",
    visibleWhen: SD_MODELS,
  },
  { name: 'stepsPerRun', kind: 'int', default: 5, min: 1, max: 100, label: 'Steps per session.run' },
  {
    name: 'outputName',
    kind: 'string',
    pathPart: 'name',
    default: 'lora',
    label: 'Output name',
    tooltip: 'ss_output_name and the checkpoint file names.',
  },
  {
    name: 'backend',
    kind: 'enum',
    options: Object.keys(BACKENDS),
    default: 'builtin',
    label: 'Backend',
    tooltip: 'Who trains: the built-in runtime (the built-in model).',
  },
];

/** The timesteps TrainLoRA trains, [min, max) of 1,000, or undefined for all of them. */
export function timestepRange(params: TrainLoraParams): [number, number] | undefined {
  const lo = params.minTimestep ?? 0,
    hi = params.maxTimestep ?? 1000;
  return lo > 0 || hi < 1000 ? [lo, hi] : undefined;
}

/** ", timesteps 0-600 of 1000" for the training log, or nothing for the whole schedule. */
export function describeTimesteps(params: TrainLoraParams): string {
  const range = timestepRange(params);
  return range ? `, timesteps ${range[0]}-${range[1]} of 1000` : '';
}
