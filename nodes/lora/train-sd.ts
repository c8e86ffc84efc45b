/**
 * TrainLoRA on a Stable Diffusion checkpoint (SD 1.5 or SDXL; the differences are sd-training-family.ts's): the
 * same parameters, checkpoints, resume, validation and sample grids as the emoji model, trained by the SD backend
 * (ml/sd/train-worker.ts) on cached latents and text embeddings. The images keep Resize's bucket and every bucket
 * trains, each batch from one (sd-buckets.ts, ml/sd/train-buckets.ts). SDXL's size/crop conditioning comes from
 * each image's original size and its crop into its bucket. Checkpoints become kohya files with the
 * family's module names, `.alpha`, ss_* and modelspec metadata, loadable by ComfyUI and A1111.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeKohya } from '../../ml/lora/file';
import type { CheckpointEntry } from '../../ml/lora/checkpoints';
import { loadCheckpoint } from '../../ml/train/checkpoint';
import { adaptersOf } from '../../ml/sd/train-adapters';
import { usedScale } from '../../ml/sd/train-step-te';
import type { KohyaModule } from '../../ml/sd/lora-names';
import type { LoraTarget } from '../../ml/sd/merge-lora';
import type { SizeCondition } from '../../ml/sd/sdxl-cond';
import type { SdTrainJob } from '../../ml/sd/train-job';
import type { JsonValue } from '../../protocol/values';
import { NodeUserError, type NodeContext } from '../api';
import { readDataset } from '../dataset/dataset-value';
import type { Dataset, LoraType } from '../dataset/types';
import { readSdModel, type SdModelValue } from '../model/sd-model-value';
import { sdBackend } from './backend-sd';
import type { LoraValue } from './lora-value';
import { trainingMetadata, type TrainingInfo } from './metadata';
import { ownCheckSettings, runKey, runOutputs, trainingInfo } from './run-info';
import { checkSubjects } from './check-run';
import { sdCheckSampler, SD_CHECK_SUBJECTS, SD_TRAIN_CHECK_PROMPTS } from './check-sd';
import { sdTrainingFamily, type SdTrainingFamily } from './sd-training-family';
import { describeBuckets, runBuckets, type RunBuckets } from './sd-buckets';
import { describePlan, planSteps } from './steps-plan';
import { preflightWarnings, samplePrompts, splitValidation } from './train-inputs';
import {
  adaptsText,
  checkpointsAndSamples,
  describeTimesteps,
  timestepRange,
  trainConfigOf,
  type TrainLoraParams,
} from './train-params';
import { checkpointPickerOf } from './checkpoint-picker';
import { checkpointEmbeddings, sdPivotalJob } from './sd-pivotal';
import type { PivotalJob } from '../../ml/sd/trigger-embedding';
import { createMonitor } from './train-monitor';
import { describeClassImages, fitInto, sdClassImages, withClassImages } from './sd-class-images';

/** Every image's pixels at its bucket's size. */
async function pixels(ds: Dataset, buckets: RunBuckets, ctx: NodeContext): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const [i, item] of ds.items.entries()) {
    const { width, height } = buckets.sizes[buckets.bucketOf[i]!]!;
    out.push(await fitInto(ctx.artifacts.pathOf(item.image), width, height));
  }
  return out;
}

/** SDXL's size/crop conditioning of a run, counted per bucket: what each image tells the UNet about its size and crop. */
function describeSizes(sizes: readonly SizeCondition[]): string[] {
  const targets = new Map<string, Map<string, number>>();
  for (const s of sizes) {
    const t = `${s.target[1]}x${s.target[0]}`;
    const counts = targets.get(t) ?? new Map<string, number>();
    targets.set(t, counts);
    const k = `original ${s.original[1]}x${s.original[0]}, crop top ${s.crop[0]} left ${s.crop[1]}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...targets].map(
    ([t, counts]) => `SDXL size conditioning, target ${t}: ${[...counts].map(([k, n]) => `${k} (${n})`).join('; ')}`,
  );
}

/** What one checkpoint's export needs to know about the run. */
interface ExportPlan {
  readonly family: SdTrainingFamily;
  readonly model: SdModelValue;
  readonly modules: readonly LoraTarget[];
  rankOf(m: KohyaModule): { rank: number; alpha: number };
  scaleOf(m: KohyaModule): number;
  readonly conv?: { rank: number; alpha: number };
  /** Pivotal tuning: the trigger's trained rows go into the file as bundle_emb. */
  readonly pivotal?: PivotalJob;
}

/** Trains an SD 1.5 or SDXL LoRA; returns TrainLoRA's outputs. */
export async function trainSdLora(
  inputs: Record<string, JsonValue | undefined>,
  params: TrainLoraParams,
  ctx: NodeContext,
  outputName: string,
): Promise<Record<string, JsonValue>> {
  const model = readSdModel(inputs.model);
  const family = sdTrainingFamily(model);
  const label = family.label;
  const ds = readDataset(inputs.dataset);
  if (ds.items.length === 0)
    throw new NodeUserError('the dataset has no images', 'check the LoadImages folder', 'dataset');
  const withText = adaptsText(params.targets);
  if (!withText && params.textEncoderLr > 0)
    ctx.warn(
      'a text-encoder learning rate is set but the layer set does not adapt the text encoder (choose a "+text" set)',
    );
  const teScale = params.textEncoderLr > 0 ? params.textEncoderLr / params.learningRate : 1;
  if (family.family === 'sdxl' && params.clipSkip !== 1)
    ctx.log('info', "SDXL: clip skip does not apply (SDXL conditions on both encoders' penultimate layers)");
  const trigger = (params.trigger || ds.trigger || '').trim();
  const pivotal = sdPivotalJob(params, trigger, label);
  const split = splitValidation(ds, params.validationImages);
  const trainIndices = split.train.flatMap((i) => Array<number>(Math.max(1, ds.items[i]!.repeats || 1)).fill(i));
  const plan = planSteps(params.steps, trainIndices.length, params.batch);
  const steps = plan.steps;
  for (const w of preflightWarnings(ds, params.loraType as LoraType, steps, trigger, trainIndices.length, params.batch))
    ctx.warn(w);
  const buckets = runBuckets(ds);
  const small = buckets.sizes.find((s) => s.width < 64 || s.height < 64);
  if (small)
    throw new NodeUserError(
      `${ds.items.find((_, i) => buckets.sizes[buckets.bucketOf[i]!] === small)!.id} is ${small.width}x${small.height} after rounding down to multiples of 64: too small for ${label}`,
      `Resize to ${model.resolution}`,
      'dataset',
    );
  const bucket = buckets.sizes[0]!;
  const largest = Math.max(...buckets.sizes.map((s) => s.width * s.height));
  const unetModules = family.unetModules(params.targets);
  const conv = params.convRank > 0 ? { rank: params.convRank, alpha: params.convAlpha } : undefined;
  const targets = unetModules.map((m) => m.key);
  const modules = family.modules({ text: withText, conv: !!conv, targets });
  // SD 1.5's state folders keep their old name, so that runs started before SDXL existed still resume.
  const key = runKey(params, [family.family], [ctx.inputsKey, model.sha256]);
  const stateDir = ctx.stateDir(`lora-${family.family}-${key}`);
  const checkpointEvery = Math.min(params.checkpointEvery, steps);
  const prompts =
    params.sampleEvery > 0 || params.samplePrompts.length ? samplePrompts(params.samplePrompts, ds, trigger) : [];
  const sizeOf = family.sizeOf;
  const trainedIn = buckets.sizes.map((_, b) => trainIndices.filter((i) => buckets.bucketOf[i] === b).length);
  const trained = buckets.sizes.map((_, b) => b).filter((b) => trainedIn[b]! > 0);
  const reg = await sdClassImages(inputs.regularization, {
    ctx,
    model,
    params,
    captions: ds.items.map((it) => it.caption),
    trigger,
    buckets,
    trained,
    trainedWeights: trained.map((b) => trainedIn[b]!),
    ...(sizeOf ? { sizeOf } : {}),
  });
  const bucketNames = buckets.sizes.map((s) => `${s.width}x${s.height}`);
  if (reg.count) ctx.log('info', describeClassImages(reg, params.priorLossWeight, bucketNames));
  const job: SdTrainJob = withClassImages(reg, params.priorLossWeight, {
    family: family.family,
    checkpoint: model.path,
    modelHash: model.sha256,
    cacheDir: ctx.stateDir('sd-latent-cache'),
    images: await pixels(ds, buckets, ctx),
    width: bucket.width,
    height: bucket.height,
    ...(buckets.sizes.length > 1 ? { buckets: buckets.sizes, bucketOf: buckets.bucketOf } : {}),
    captions: ds.items.map((it) => it.caption),
    ...(sizeOf
      ? {
          sizes: ds.items.map((it, i) => {
            const b = buckets.sizes[buckets.bucketOf[i]!]!;
            return sizeOf(it, b.width, b.height);
          }),
        }
      : {}),
    trainIndices,
    validationIndices: split.validation,
    targets,
    ...(withText ? { textEncoder: { lrScale: teScale } } : {}),
    ...(pivotal ? { pivotal } : {}),
    ...(conv ? { conv } : {}),
    rank: params.rank,
    alpha: params.alpha,
    prediction: params.prediction === 'v' ? 'v' : 'epsilon',
    ...(params.minSnrGamma > 0 ? { minSnrGamma: params.minSnrGamma } : {}),
    noiseOffset: params.noiseOffset,
    timesteps: timestepRange(params),
    clipSkip: params.clipSkip,
    batch: params.batch,
    captionDropout: params.captionDropout,
    checkpointing: largest >= 256 * 256,
    config: trainConfigOf(params, steps),
    steps,
    stateDir,
    ...checkpointsAndSamples(params, checkpointEvery, prompts),
    sampleDtype: 'F16',
  });
  for (const line of job.sizes ? describeSizes(job.sizes) : []) ctx.log('info', line);
  if (params.shuffleTags) ctx.log('info', `${label}: captions are encoded once (cached), so tags are not shuffled`);
  const convModules = modules.filter((m) => m.conv).length;
  const textModules = modules.length - unetModules.length - convModules;
  const locon = conv ? ` + ${convModules} LoCon (conv rank ${conv.rank}, alpha ${conv.alpha})` : '';
  ctx.log(
    'info',
    `${label} LoRA: ${unetModules.length} UNet${withText ? ` + ${textModules} text-encoder (lr ${params.textEncoderLr || params.learningRate})` : ''}${locon} modules, rank ${params.rank}, alpha ${params.alpha}, ${params.prediction} prediction` +
      `${params.minSnrGamma > 0 ? `, min-SNR ${params.minSnrGamma}` : ''}${params.noiseOffset > 0 ? `, noise offset ${params.noiseOffset}` : ''}${describeTimesteps(params)}` +
      `; ${trainIndices.length} training images at ${describeBuckets(buckets)}; ${describePlan(plan)}; state in ${stateDir}`,
  );
  const check = sdOwnCheck(params, ds, trigger, largest);
  if (pivotal)
    ctx.log(
      'info',
      `${label} pivotal tuning: "${pivotal.word}" gets ${pivotal.vectors} vector(s) of its own in the text encoder${family.family === 'sdxl' ? 's (CLIP-L and bigG)' : ''}, ` +
        `started from "${pivotal.init || pivotal.word}", lr ${params.embeddingLr || params.learningRate}; captions are encoded in each step (not cached)`,
    );
  const picker = checkpointPickerOf(ctx.workflow, ctx.nodeId, !!check, split.validation.length);
  const samples = job.sampleEvery > 0 && prompts.length > 0;
  const monitor = createMonitor(ctx, steps, prompts.length, stateDir, split.heldOut, picker, samples);
  const started = Date.now() / 1000;
  const result = await sdBackend.train(job, monitor.onEvent, ctx.signal, (m) => ctx.log('info', m));
  ctx.signal.throwIfAborted();
  if (result.cancelled)
    throw new NodeUserError('training stopped before the last step', 'run again to continue from the last checkpoint');
  await monitor.drained(); // the last sample grid is drawn after the last step: it belongs to this execution
  const diagnosis = monitor.finish();
  const info: TrainingInfo = {
    ...trainingInfo(params, {
      outputName,
      baseModel: { name: model.name, sha256: model.sha256 },
      steps: result.step,
      maxSteps: steps,
      images: trainIndices.length,
      resolution: Math.max(bucket.width, bucket.height),
      datasetName: ds.name ?? 'dataset',
      captions: ds.items.map((it) => it.caption),
      trigger,
      startedAt: monitor.startedAt ?? started,
    }),
    ...(reg.count ? { regImages: reg.withRepeats, priorLossWeight: params.priorLossWeight } : {}),
  };
  const how: ExportPlan = {
    family,
    model,
    modules,
    rankOf: (m) => family.rankOf(m, { rank: params.rank, alpha: params.alpha, conv }),
    scaleOf: (m) => usedScale(m, withText ? teScale : 1),
    ...(conv ? { conv } : {}),
    ...(pivotal ? { pivotal } : {}),
  };
  return runOutputs(
    ctx,
    { stateDir, step: result.step, diagnosis },
    (e) => exportSdCheckpoint(e, ctx, how, params, info),
    check && { sampler: sdCheckSampler(ctx, model, { ...check, clipSkip: params.clipSkip }), settings: check },
  );
}

/**
 * TrainLoRA's own check on SD, when it runs: SD scenes (2 unless Check prompts are given: each image is a full
 * sampling run), square images of the training buckets' largest pixel count.
 */
function sdOwnCheck(params: TrainLoraParams, ds: Dataset, trigger: string, largestArea: number) {
  const subjects = checkSubjects(
    params.checkPrompts,
    ds.items.map((it) => it.caption),
    trigger,
    SD_CHECK_SUBJECTS,
  );
  const settings = ownCheckSettings(
    params,
    params.checkPrompts.length ? subjects : subjects.slice(0, SD_TRAIN_CHECK_PROMPTS),
    trigger,
  );
  return settings && { ...settings, size: Math.max(64, Math.round(Math.sqrt(largestArea) / 64) * 64) };
}

/** One checkpoint as a kohya file of the family (fp32, full metadata) in the artifact store. */
async function exportSdCheckpoint(
  entry: CheckpointEntry,
  ctx: NodeContext,
  how: ExportPlan,
  params: TrainLoraParams,
  info: TrainingInfo,
): Promise<LoraValue> {
  const data = await loadCheckpoint(entry.path);
  const adapters = adaptersOf(how.modules, data.params, how.rankOf, how.scaleOf).map((a) => a.adapter);
  const name = `${info.outputName}-step${String(entry.step).padStart(6, '0')}`;
  const { model } = how;
  const meta: Record<string, string> = {
    ...trainingMetadata({ ...info, steps: entry.step }),
    ...how.family.metadata({
      base: { name: model.name, hashes: { sha256: model.sha256, autoV2: model.autoV2, legacy: model.legacyHash } },
      title: info.outputName,
      resolution: info.resolution,
      rank: params.rank,
      alpha: params.alpha,
      textEncoder: info.textEncoder,
      ...(how.conv ? { conv: how.conv } : {}),
      ...(info.trigger ? { trigger: info.trigger } : {}),
    }),
    ...(params.prediction === 'v' ? { 'modelspec.prediction_type': 'v', ss_v_parameterization: 'True' } : {}),
    ...(params.minSnrGamma > 0 ? { ss_min_snr_gamma: String(params.minSnrGamma) } : {}),
    ss_noise_offset: String(params.noiseOffset),
    ...(how.family.family === 'sd15' ? { ss_clip_skip: String(params.clipSkip) } : {}),
    ss_cache_latents: 'True',
    'loraflow.step': String(entry.step),
  };
  if (entry.valLoss !== undefined) meta['loraflow.val_loss'] = String(entry.valLoss);
  fs.mkdirSync(ctx.workDir, { recursive: true });
  const file = path.join(ctx.workDir, `${name}.safetensors`);
  await writeKohya(file, adapters, meta, 'F32', checkpointEmbeddings(how.pivotal, model, data.params));
  return {
    kind: 'loraflow.lora',
    family: how.family.family,
    name,
    artifact: await ctx.artifacts.putFile(file, 'application/octet-stream', `${name}.safetensors`),
    base: info.baseModel,
    rank: params.rank,
    alpha: params.alpha,
    modules: adapters.length,
    step: entry.step,
    ...(entry.valLoss !== undefined ? { valLoss: entry.valLoss } : {}),
    trigger: info.trigger,
  };
}
