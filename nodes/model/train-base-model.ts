/** TrainBaseModel: full pretraining of the emoji diffusion transformer on a corpus, resumable, with live samples. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tilesToPng } from '../../ml/corpus/render';
import { BASE_CONFIG, TINY_CONFIG, forwardFlopsPerImage, type DiTConfig } from '../../ml/dit/config';
import { paramCount } from '../../ml/dit/params';
import { pretrain, trainConfigOf, type PretrainOptions } from '../../ml/dit/pretrain';
import { saveModel } from '../../ml/dit/weights';
import { defineNode, NodeUserError } from '../api';
import { readCorpus } from './build-emoji-corpus';
import { toJson, type ModelValue } from './model-value';

type TrainBaseParams = {
  size: string;
  steps: number;
  batch: number;
  learningRate: number;
  warmupSteps: number;
  seed: number;
  captionDropout: number;
  emaDecay: number;
  stepsPerRun: number;
  checkpointEvery: number;
  sampleEvery: number;
  samplePrompts: string[];
};

const SIZES: Record<string, DiTConfig> = { base: BASE_CONFIG, tiny: TINY_CONFIG };

export const trainBaseModelNode = defineNode<TrainBaseParams>({
  schema: {
    type: 'TrainBaseModel',
    version: 1,
    category: 'model',
    title: 'Train base model',
    description:
      'Pretrains the built-in diffusion transformer (rectified flow, captions dropped 10% of the time for classifier-free guidance) on an emoji corpus. Checkpoints as it goes: rerunning resumes, and raising the steps continues from the last checkpoint.',
    inputs: [{ name: 'corpus', type: 'EMOJI_CORPUS' }],
    outputs: [{ name: 'model', type: 'MODEL' }],
    params: [
      {
        name: 'size',
        kind: 'enum',
        options: Object.keys(SIZES),
        default: 'base',
        label: 'Model size',
        tooltip: 'base: the shipped model (see ml/dit/MODEL_CARD.md); tiny: for tests.',
      },
      {
        name: 'steps',
        kind: 'int',
        default: 16000,
        min: 1,
        label: 'Steps',
        tooltip: 'The shipped model: 16,000 steps at batch 32 (~80 minutes on a 2-core CPU).',
      },
      { name: 'batch', kind: 'int', default: 32, min: 1, max: 512, label: 'Batch size' },
      {
        name: 'learningRate',
        kind: 'number',
        default: 0.0006,
        min: 0,
        exclusiveMin: true,
        label: 'Learning rate',
        tooltip: 'AdamW peak rate; cosine decay to a tenth.',
      },
      { name: 'warmupSteps', kind: 'int', default: 200, min: 0, label: 'Warmup steps' },
      { name: 'seed', kind: 'seed', default: 0, min: 0, label: 'Seed' },
      {
        name: 'captionDropout',
        kind: 'number',
        default: 0.1,
        min: 0,
        max: 1,
        label: 'Caption dropout',
        tooltip: 'Share of captions left empty, which teaches the unconditional model that guidance needs.',
      },
      {
        name: 'emaDecay',
        kind: 'number',
        default: 0.999,
        min: 0,
        max: 0.99999,
        label: 'Weight averaging (EMA decay)',
        tooltip:
          "The saved model is the moving average of the weights over roughly the last 1 / (1 - decay) steps: cleaner samples than the last step's weights. 0: save the last weights.",
      },
      { name: 'stepsPerRun', kind: 'int', default: 5, min: 1, max: 100, label: 'Steps per session.run' },
      { name: 'checkpointEvery', kind: 'int', default: 100, min: 1, label: 'Checkpoint every N steps' },
      {
        name: 'sampleEvery',
        kind: 'int',
        default: 500,
        min: 0,
        label: 'Samples every N steps',
        tooltip: '0: no samples while training. Rounded to a multiple of the checkpoint interval.',
      },
      {
        name: 'samplePrompts',
        kind: 'list',
        default: [
          'red apple, noto style',
          'red apple, fluent style',
          'grinning face, noto style',
          'dog face, fluent style',
        ],
        label: 'Sample prompts',
      },
    ],
    resource: 'gpu',
    cacheable: true,
  },

  async execute(inputs, params, ctx) {
    const corpus = readCorpus(inputs.corpus);
    const config = SIZES[params.size];
    if (!config)
      throw new NodeUserError(`unknown model size "${params.size}"`, `use ${Object.keys(SIZES).join(' or ')}`, 'size');
    if (corpus.size !== config.imageSize)
      throw new NodeUserError(
        `the corpus is ${corpus.size}px but the model is ${config.imageSize}px`,
        'set the corpus size to match',
        'size',
      );
    // Everything but the step count identifies the run: raising the steps resumes the same run.
    const { steps: _steps, sampleEvery: _se, samplePrompts: _sp, ...identity } = params;
    const key = createHash('sha256')
      .update(JSON.stringify([identity, config, corpus.dir]))
      .digest('hex')
      .slice(0, 16);
    const stateDir = ctx.stateDir(`pretrain-${key}`);
    const sampleEvery =
      params.sampleEvery > 0
        ? Math.max(1, Math.round(params.sampleEvery / params.checkpointEvery)) * params.checkpointEvery
        : 0;
    ctx.log(
      'info',
      `${(paramCount(config) / 1e6).toFixed(2)}M parameters, ${(forwardFlopsPerImage(config) / 1e9).toFixed(3)} GFLOP per image forward; state in ${stateDir}`,
    );
    const opts: PretrainOptions = {
      config,
      corpusDir: corpus.dir,
      steps: params.steps,
      batch: params.batch,
      lr: params.learningRate,
      warmupSteps: params.warmupSteps,
      seed: params.seed,
      captionDropout: params.captionDropout,
      ema: params.emaDecay,
      stepsPerRun: params.stepsPerRun,
      checkpointEvery: params.checkpointEvery,
      stateDir,
      sampleEvery,
      samplePrompts: params.samplePrompts,
      signal: ctx.signal,
      onProgress: (r) => {
        const loss = r.losses.reduce((a, b) => a + b, 0) / Math.max(1, r.losses.length);
        try {
          ctx.progress(r.step, params.steps, { loss, lr: r.lrs[0] ?? 0, stepsPerSecond: r.stepsPerSecond });
        } catch {
          // cancelled: the abort signal stops the trainer after this run
        }
      },
      onCheckpoint: (c) => ctx.checkpoint({ ...c, file: path.basename(c.file) }),
      onSamples: (images, step) => {
        void tilesToPng(images, config.imageSize, params.samplePrompts.length, 2)
          .then((png) => ctx.artifacts.put(png, 'image/png', `pretrain-step-${step}.png`))
          .then((ref) => {
            ctx.sample({ step, images: [ref] });
            ctx.preview(ref, `step ${step}`);
          })
          .catch(() => undefined);
      },
    };
    const result = await pretrain(opts);
    ctx.signal.throwIfAborted();
    const file = path.join(ctx.workDir, 'emoji-dit.safetensors');
    fs.mkdirSync(ctx.workDir, { recursive: true });
    const last = result.losses[result.losses.length - 1];
    await saveModel(
      file,
      { config, weights: result.weights },
      {
        'loraflow.train': JSON.stringify({
          ...trainConfigOf(opts),
          steps: result.step,
          batch: params.batch,
          captionDropout: params.captionDropout,
        }),
        'loraflow.final_loss': String(last?.loss ?? ''),
        'loraflow.corpus': JSON.stringify({ styles: corpus.styles, images: corpus.training }),
        'loraflow.licences': 'Trained on Noto Emoji (Apache-2.0, Google) and Fluent Emoji (MIT, Microsoft) images.',
      },
      'F32',
    );
    const artifact = await ctx.artifacts.putFile(file, 'application/octet-stream', 'emoji-dit.safetensors');
    const sha256 = artifact.$artifact.split('.')[0] ?? '';
    const value: ModelValue = { kind: 'loraflow.dit', name: `emoji-dit-${params.size}`, artifact, sha256 };
    return { model: toJson(value) };
  },
});
