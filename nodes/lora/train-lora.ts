/**
 * TrainLoRA: trains LoRA adapters on the base model's linear layers from a DATASET, with the guide's presets and
 * warnings, checkpoints (last K + best by validation loss), fixed-seed sample grids, per-step metrics, a loss
 * diagnosis, and resume: an interrupted run, or one whose steps were raised, continues from its last checkpoint.
 */
import { defaultLoraTargets } from '../../ml/dit/kohya';
import { loadModel } from '../../ml/dit/weights';
import type { LoraTrainJob } from '../../ml/lora/job';
import type { ProviderName } from '../../ml/runtime/providers';
import type { JsonValue } from '../../protocol/values';
import { defineNode, NodeUserError, type NodeContext } from '../api';
import { readDataset } from '../dataset/dataset-value';
import type { LoraType } from '../dataset/types';
import { modelFile, readModel } from '../model/model-value';
import { BACKENDS } from './backend';
import { exportCheckpoint } from './export';
import { ownCheckSettings, runKey, runOutputs, trainingInfo } from './run-info';
import { TRAIN_PRESETS } from './presets';
import { decodeImages, preflightWarnings, samplePrompts, splitValidation } from './train-inputs';
import {
  adaptsText,
  checkpointsAndSamples,
  describeTimesteps,
  PRIOR_TARGETS,
  selectTargets,
  TARGETS,
  trainConfigOf,
  TRAIN_PARAMS,
  type TrainLoraParams,
} from './train-params';
import { withoutWord } from '../../ml/lora/feed';
import { checkpointPickerOf } from './checkpoint-picker';
import { createMonitor } from './train-monitor';
import { describePlan, planSteps } from './steps-plan';
import { checkSubjects, DEFAULT_CHECK_SUBJECTS, emojiCheckSampler } from './check-run';
import { priorConceptImages } from './prior-concepts';
import { expandClassPrompts, generateClassImages, regFromDataset, type RegImages } from './reg-images';
import { isSdModel } from '../model/sd-model-value';
import { trainSdLora } from './train-sd';
import { pivotalEmbedding, refuseSdTargets } from './pivotal-setup';

/** The execution provider of an engine device name. */
function providerOf(device: string): ProviderName {
  const kind = device.split(':')[0];
  return kind === 'cuda' || kind === 'webgpu' ? kind : 'cpu';
}

/** Refuses impossible settings with a message naming the parameter. */
function checkParams(p: TrainLoraParams): void {
  const bad = (param: string, msg: string, hint?: string): never => {
    throw new NodeUserError(msg, hint, param);
  };
  if (!Number.isInteger(p.steps) || p.steps < 0)
    bad('steps', `steps must be 0 (about 100 per image) or a positive whole number, got ${p.steps}`);
  if (!Number.isInteger(p.rank) || p.rank < 1)
    bad('rank', `rank must be a whole number of at least 1, got ${p.rank}`, 'the guide suggests 16-32 for most LoRAs');
  if (!(p.alpha > 0)) bad('alpha', `alpha must be greater than 0, got ${p.alpha}`, 'alpha = rank gives scale 1');
  if (!(p.learningRate > 0) || !Number.isFinite(p.learningRate))
    bad('learningRate', `the learning rate must be a positive number, got ${p.learningRate}`, 'start with 0.0001');
  if (!Number.isInteger(p.batch) || p.batch < 1) bad('batch', `batch size must be at least 1, got ${p.batch}`);
  if (!(p.dropout >= 0 && p.dropout < 1)) bad('dropout', `dropout must be in [0, 1), got ${p.dropout}`);
  if (!(p.textEncoderLr >= 0))
    bad('textEncoderLr', `the text encoder learning rate must be 0 or more, got ${p.textEncoderLr}`);
  if (!(p.triggerDropout >= 0 && p.triggerDropout < 1))
    bad('triggerDropout', `trigger dropout must be in [0, 1), got ${p.triggerDropout}`);
  if (!Number.isInteger(p.minTimestep) || !Number.isInteger(p.maxTimestep) || p.minTimestep < 0 || p.maxTimestep > 1000)
    bad('minTimestep', `timesteps must be whole numbers in 0-1000, got ${p.minTimestep}-${p.maxTimestep}`);
  if (p.minTimestep >= p.maxTimestep)
    bad(
      'maxTimestep',
      `the max timestep (${p.maxTimestep}) must be above the min timestep (${p.minTimestep})`,
      'kohya trains at timesteps min <= t < max; 0 and 1000 train at every timestep',
    );
  if (!(p.priorLossWeight >= 0))
    bad('priorLossWeight', `the prior-loss weight must be 0 or more, got ${p.priorLossWeight}`, 'kohya uses 1.0');
  if (!Number.isInteger(p.classImages) || p.classImages < 1)
    bad('classImages', `images per class prompt must be a whole number of at least 1, got ${p.classImages}`);
  if (!TARGETS.includes(p.targets as (typeof TARGETS)[number]))
    bad('targets', `unknown layer set "${p.targets}"`, `use ${TARGETS.join(', ')}`);
}

/** Joins two byte arrays. */
function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The regularisation images: the input dataset's (decoded) and those generated from the class prompts. */
async function regularisation(
  input: JsonValue | undefined,
  p: TrainLoraParams,
  captions: readonly string[],
  trigger: string,
  at: { ctx: NodeContext; file: string; sha: string; size: number; checkSubjects: readonly string[] },
): Promise<RegImages> {
  const parts: RegImages[] = [];
  if (input !== undefined && input !== null) {
    const ds = readDataset(input);
    parts.push(regFromDataset(ds, await decodeImages(ds, at.size, at.ctx)));
  }
  const prompts = expandClassPrompts(p.classPrompts, captions, trigger);
  if (prompts.length) parts.push(await generateClassImages(at.ctx, at.file, at.sha, prompts, p.classImages, at.size));
  // The check's subjects stay out of the prior: their bleeding is what the check measures.
  const keepOut = [...p.priorExclude, ...at.checkSubjects, ...DEFAULT_CHECK_SUBJECTS, ...prompts];
  if (p.priorConcepts > 0) {
    const own = await priorConceptImages(p.priorConcepts, keepOut, at.size);
    at.ctx.log('info', `prior concepts: ${own.captions.length} of the model's own concepts, e.g. "${own.captions[0]}"`);
    parts.push(own);
  }
  return {
    images: parts.reduce<Uint8Array>((acc, r) => concatBytes(acc, r.images), new Uint8Array(0)),
    captions: parts.flatMap((r) => r.captions),
    repeats: parts.flatMap((r) => r.repeats),
  };
}

export const trainLoraNode = defineNode<TrainLoraParams>({
  schema: {
    type: 'TrainLoRA',
    version: 3,
    category: 'lora',
    title: 'Train LoRA',
    description:
      'Trains a LoRA (low-rank adapters on the attention and MLP layers; the base stays frozen) on a captioned dataset. Streams the loss, validation loss and sample grids; keeps the last checkpoints and the best; rerun to resume, raise the steps to continue.',
    inputs: [
      { name: 'model', type: 'MODEL' },
      { name: 'dataset', type: 'DATASET' },
      {
        name: 'regularization',
        type: 'DATASET',
        optional: true,
        tooltip:
          "Class images for prior preservation (kohya's reg folder: LoadImages on it; `<repeats>_<class>/` folders give the repeats and, without caption files, the caption).",
      },
    ],
    outputs: [
      { name: 'lora', type: 'LORA', tooltip: 'The LoRA at the last step.' },
      {
        name: 'best',
        type: 'LORA',
        tooltip:
          'The checkpoint the LoRA check chose (effect without bleeding, subject kept), at its strength; without the check, the lowest validation loss.',
      },
      { name: 'checkpoints', type: 'LORAS', tooltip: 'Every kept checkpoint, oldest first (for LoRAGrid).' },
    ],
    params: TRAIN_PARAMS,
    presets: TRAIN_PRESETS,
    resource: 'gpu',
    cacheable: true,
  },

  async execute(inputs, params, ctx) {
    checkParams(params);
    // The output name becomes checkpoint file names: refused before training, not after it.
    const outputName = ctx.paths.name(params.outputName || 'lora', 'outputName');
    if (isSdModel(inputs.model)) refuseSdTargets(params, 'Stable Diffusion');
    if (isSdModel(inputs.model) && params.priorConcepts > 0)
      throw new NodeUserError(
        "prior concepts are the built-in emoji model's own vocabulary, not a Stable Diffusion model's",
        'set priorConcepts to 0 and name what to keep in classPrompts',
        'priorConcepts',
      );
    if (isSdModel(inputs.model) && params.backend === 'builtin') return trainSdLora(inputs, params, ctx, outputName);
    const model = readModel(inputs.model);
    const ds = readDataset(inputs.dataset);
    if (ds.items.length === 0)
      throw new NodeUserError('the dataset has no images', 'check the LoadImages folder', 'dataset');
    const backend = BACKENDS[params.backend];
    if (!backend)
      throw new NodeUserError(
        `unknown backend "${params.backend}"`,
        `use ${Object.keys(BACKENDS).join(', ')}`,
        'backend',
      );
    const file = modelFile(model, ctx);
    const base = await loadModel(file);
    const why = backend.unsupported(base.metadata['modelspec.architecture'] ?? 'loraflow-emoji-dit');
    if (why) throw new NodeUserError(why, undefined, 'backend');
    const c = base.config;
    const trigger = (params.trigger || ds.trigger || '').trim();
    const split = splitValidation(ds, params.validationImages);
    const trainIndices = split.train.flatMap((i) => Array<number>(Math.max(1, ds.items[i]!.repeats || 1)).fill(i));
    const imageCount = trainIndices.length;
    const plan = planSteps(params.steps, imageCount, params.batch);
    const steps = plan.steps;
    for (const w of preflightWarnings(ds, params.loraType as LoraType, steps, trigger, imageCount, params.batch))
      ctx.warn(w);
    const prompts = samplePrompts(params.samplePrompts, ds, trigger);
    const targets = selectTargets(
      params.targets,
      defaultLoraTargets(c, adaptsText(params.targets)).map((m) => m.name),
    );
    // Everything but the length of the run identifies it: raising the steps continues from the last checkpoint.
    const key = runKey(params, [], [ctx.inputsKey, model.sha256]);
    const stateDir = ctx.stateDir(`lora-${key}`);
    const checkpointEvery = Math.min(params.checkpointEvery, steps);
    const captions = ds.items.map((it) => it.caption);
    const check = ownCheckSettings(params, checkSubjects(params.checkPrompts, captions, trigger), trigger);
    const reg = await regularisation(inputs.regularization, params, captions, trigger, {
      ctx,
      file,
      sha: model.sha256,
      size: c.imageSize,
      checkSubjects: check?.subjects ?? [],
    });
    const own = await decodeImages(ds, c.imageSize, ctx);
    // The contrastive prior: the training images under their captions without the trigger, held to the base model.
    if (params.priorTarget === PRIOR_TARGETS[2]) {
      reg.images = concatBytes(reg.images, own);
      reg.captions.push(...captions.map((t) => (trigger ? withoutWord(t, trigger) : t)));
      reg.repeats.push(...captions.map(() => 1));
    }
    const regIndices = reg.captions.flatMap((_, k) => Array<number>(reg.repeats[k]!).fill(ds.items.length + k));
    if (regIndices.length)
      ctx.log(
        'info',
        `prior preservation: ${reg.captions.length} class image(s) (${regIndices.length} with repeats), prior-loss weight ${params.priorLossWeight}, target: ${params.priorTarget}, about half of each batch`,
      );
    const teScale = params.textEncoderLr > 0 ? params.textEncoderLr / params.learningRate : 1;
    if (teScale !== 1 && params.optimizer !== 'adamw')
      ctx.warn('the text encoder learning rate is exact with AdamW only: Prodigy estimates its own step size');
    if (teScale !== 1 && !adaptsText(params.targets))
      ctx.warn(`the text encoder learning rate has no effect: "${params.targets}" does not adapt the text encoder`);
    const job: LoraTrainJob = {
      modelPath: file,
      task: {
        targets,
        rank: params.rank,
        alpha: params.alpha,
        dropout: params.dropout,
        images: concatBytes(own, reg.images),
        captions: [...captions, ...reg.captions],
        trainIndices,
        regIndices,
        priorWeight: params.priorLossWeight,
        priorTarget: params.priorTarget === PRIOR_TARGETS[0] ? 'images' : 'base model',
        triggerDropout: params.triggerDropout,
        timeRange: [params.minTimestep / 1000, params.maxTimestep / 1000],
        trigger,
        textEncoderLrScale: teScale,
        embedding: pivotalEmbedding(params, trigger, base),
        batch: params.batch,
        captionDropout: params.captionDropout,
        shuffleTags: params.shuffleTags,
        keepTokens: params.keepTokens,
      },
      validationIndices: split.validation,
      config: {
        ...trainConfigOf(params, steps),
        // The device slot the engine gave this node ('cpu', 'cuda:0', 'webgpu:0'): its provider trains the step.
        provider: providerOf(ctx.device),
      },
      steps,
      stateDir,
      ...checkpointsAndSamples(params, checkpointEvery, prompts),
    };
    ctx.log(
      'info',
      `${targets.length} adapted layers, rank ${params.rank}, alpha ${params.alpha}${describeTimesteps(params)}; ${imageCount} training images, validation on ${split.validation.length} ${split.heldOut ? 'held-out' : 'training'} image(s); ${describePlan(plan)}; state in ${stateDir}`,
    );
    const picker = checkpointPickerOf(ctx.workflow, ctx.nodeId, !!check, split.validation.length);
    const samples = job.sampleEvery > 0 && prompts.length > 0;
    const monitor = createMonitor(ctx, steps, prompts.length, stateDir, split.heldOut, picker, samples);
    const started = Date.now() / 1000;
    const result = await backend.train(job, monitor.onEvent, ctx.signal);
    ctx.signal.throwIfAborted();
    if (result.cancelled)
      throw new NodeUserError(
        'training stopped before the last step',
        'run again to continue from the last checkpoint',
      );
    await monitor.drained(); // the last sample grid is drawn after the last step: it belongs to this execution
    const diagnosis = monitor.finish();
    const info = trainingInfo(params, {
      outputName,
      baseModel: { name: model.name, sha256: model.sha256 },
      steps: result.step,
      maxSteps: steps,
      images: imageCount,
      resolution: c.imageSize,
      datasetName: ds.name ?? 'dataset',
      captions: ds.items.map((it) => it.caption),
      trigger,
      startedAt: monitor.startedAt ?? started,
    });
    return runOutputs(
      ctx,
      { stateDir, step: result.step, diagnosis },
      (e) => exportCheckpoint(e, ctx, backend, job, c, info),
      check && { sampler: emojiCheckSampler(ctx, file, check), settings: check },
    );
  },
});
