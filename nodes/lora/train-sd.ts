/**
 * TrainLoRA on an SD 1.5 checkpoint: the same parameters, checkpoints, resume, validation and sample grids as the
 * emoji model, trained by the SD 1.5 backend (ml/sd/train-worker.ts) on cached latents and text embeddings. The
 * images keep Resize's bucket; one run trains one bucket size (the most common; other images are fitted to it,
 * with a warning). Checkpoints become kohya files with SD 1.5's module names, `.alpha`, ss_* and modelspec
 * metadata (ml/sd/lora-metadata.ts), loadable by ComfyUI and A1111.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { writeKohya } from '../../ml/lora/file';
import { bestCheckpoint, listCheckpoints, type CheckpointEntry } from '../../ml/lora/checkpoints';
import { loadCheckpoint } from '../../ml/train/checkpoint';
import { sd15LoraMetadata } from '../../ml/sd/lora-metadata';
import { adaptersOf } from '../../ml/sd/train-adapters';
import { unetLoraModules } from '../../ml/sd/train-step';
import { fullLoraModules, moduleRank, usedScale } from '../../ml/sd/train-step-te';
import type { KohyaModule } from '../../ml/sd/lora-names';
import type { Sd15TrainJob } from '../../ml/sd/train-job';
import type { JsonValue } from '../../protocol/values';
import { NodeUserError, type NodeContext } from '../api';
import { readDataset } from '../dataset/dataset-value';
import type { Dataset, LoraType } from '../dataset/types';
import { readSd15Model, type Sd15ModelValue } from '../model/sd-model-value';
import { sd15Backend } from './backend-sd15';
import { loraJson, type LoraValue } from './lora-value';
import { trainingMetadata, type TrainingInfo } from './metadata';
import { describePlan, planSteps } from './steps-plan';
import { preflightWarnings, samplePrompts, splitValidation } from './train-inputs';
import { adaptsText, type TrainLoraParams } from './train-params';
import { checkpointPickerOf } from './checkpoint-picker';
import { createMonitor } from './train-monitor';

/** The UNet modules of a layer set (the text encoder's, for `+text` sets, are textLoraModules). */
export function sd15Targets(model: Sd15ModelValue, targets: string): KohyaModule[] {
  const all = unetLoraModules(model.widths);
  if (targets === 'attention') return all.filter((m) => !/_ff_net_/.test(m.key));
  if (targets === 'cross-attention kv+text') return all.filter((m) => /_attn2_to_[kv]$/.test(m.key));
  return all;
}

/** The run's bucket: the most common image size (multiples of 64, as the UNet's levels need), and how many differ. */
function runBucket(ds: Dataset): { width: number; height: number; others: number } {
  const counts = new Map<string, number>();
  for (const it of ds.items) {
    const k = `${it.width - (it.width % 64)}x${it.height - (it.height % 64)}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const [best, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  const [width, height] = best.split('x').map(Number) as [number, number];
  return { width, height, others: ds.items.length - n };
}

async function pixels(ds: Dataset, width: number, height: number, ctx: NodeContext): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const item of ds.items)
    out.push(
      new Uint8Array(
        await sharp(ctx.artifacts.pathOf(item.image))
          .flatten({ background: '#ffffff' })
          .resize(width, height, { fit: 'cover' })
          .removeAlpha()
          .raw()
          .toBuffer(),
      ),
    );
  return out;
}

/** Trains an SD 1.5 LoRA; returns TrainLoRA's outputs. */
export async function trainSd15Lora(
  inputs: Record<string, JsonValue | undefined>,
  params: TrainLoraParams,
  ctx: NodeContext,
  outputName: string,
): Promise<Record<string, JsonValue>> {
  const model = readSd15Model(inputs.model);
  const ds = readDataset(inputs.dataset);
  if (ds.items.length === 0)
    throw new NodeUserError('the dataset has no images', 'check the LoadImages folder', 'dataset');
  const withText = adaptsText(params.targets);
  if (!withText && params.textEncoderLr > 0)
    ctx.warn(
      'a text-encoder learning rate is set but the layer set does not adapt the text encoder (choose a "+text" set)',
    );
  const teScale = params.textEncoderLr > 0 ? params.textEncoderLr / params.learningRate : 1;
  if (inputs.regularization !== undefined && inputs.regularization !== null)
    ctx.warn('SD 1.5: prior preservation (regularization images) is not available yet; they are not used');
  if (params.classPrompts.length) ctx.warn('SD 1.5: class prompts are not generated yet; they are not used');
  const trigger = (params.trigger || ds.trigger || '').trim();
  const split = splitValidation(ds, params.validationImages);
  const trainIndices = split.train.flatMap((i) => Array<number>(Math.max(1, ds.items[i]!.repeats || 1)).fill(i));
  const plan = planSteps(params.steps, trainIndices.length, params.batch);
  const steps = plan.steps;
  for (const w of preflightWarnings(ds, params.loraType as LoraType, steps, trigger, trainIndices.length, params.batch))
    ctx.warn(w);
  const bucket = runBucket(ds);
  if (bucket.width < 64 || bucket.height < 64)
    throw new NodeUserError(`images of ${bucket.width}x${bucket.height} are too small for SD 1.5`, 'Resize to 512');
  if (bucket.others > 0)
    ctx.warn(
      `${bucket.others} image(s) are not in the ${bucket.width}x${bucket.height} bucket: one SD 1.5 run trains one bucket, so they are fitted to it`,
    );
  const unetModules = sd15Targets(model, params.targets);
  const conv = params.convRank > 0 ? { rank: params.convRank, alpha: params.convAlpha } : undefined;
  const modules = fullLoraModules(model.widths, {
    text: withText,
    conv: !!conv,
    targets: unetModules.map((m) => m.key),
  });
  const rankOf = (m: KohyaModule) => moduleRank(m, { rank: params.rank, alpha: params.alpha, conv });
  const {
    steps: _s,
    sampleEvery: _se,
    samplePrompts: _sp,
    keepLast: _k,
    outputName: _o,
    loraCheck: _lc,
    checkPrompts: _cp,
    checkStrengths: _cs,
    ...identity
  } = params;
  const key = createHash('sha256')
    .update(JSON.stringify(['sd15', identity, ctx.inputsKey, model.sha256]))
    .digest('hex')
    .slice(0, 16);
  const stateDir = ctx.stateDir(`lora-sd15-${key}`);
  const checkpointEvery = Math.min(params.checkpointEvery, steps);
  const prompts =
    params.sampleEvery > 0 || params.samplePrompts.length ? samplePrompts(params.samplePrompts, ds, trigger) : [];
  const job: Sd15TrainJob = {
    checkpoint: model.path,
    modelHash: model.sha256,
    cacheDir: ctx.stateDir('sd-latent-cache'),
    images: await pixels(ds, bucket.width, bucket.height, ctx),
    width: bucket.width,
    height: bucket.height,
    captions: ds.items.map((it) => it.caption),
    trainIndices,
    validationIndices: split.validation,
    targets: unetModules.map((m) => m.key),
    ...(withText ? { textEncoder: { lrScale: teScale } } : {}),
    ...(conv ? { conv } : {}),
    rank: params.rank,
    alpha: params.alpha,
    prediction: params.prediction === 'v' ? 'v' : 'epsilon',
    ...(params.minSnrGamma > 0 ? { minSnrGamma: params.minSnrGamma } : {}),
    noiseOffset: params.noiseOffset,
    clipSkip: params.clipSkip,
    batch: params.batch,
    captionDropout: params.captionDropout,
    checkpointing: bucket.width * bucket.height >= 256 * 256,
    config: {
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
    },
    steps,
    stateDir,
    checkpointEvery,
    keepLast: params.keepLast,
    sampleEvery:
      params.sampleEvery > 0 ? Math.max(1, Math.round(params.sampleEvery / checkpointEvery)) * checkpointEvery : 0,
    samplePrompts: prompts,
    sampleSeed: params.seed,
    sampleSteps: 20,
    sampleDtype: 'F16',
  };
  if (params.shuffleTags) ctx.log('info', 'SD 1.5: captions are encoded once (cached), so tags are not shuffled');
  ctx.log(
    'info',
    `SD 1.5 LoRA: ${unetModules.length} UNet${withText ? ` + ${modules.length - unetModules.length} text-encoder (lr ${params.textEncoderLr || params.learningRate})` : ''} modules, rank ${params.rank}, alpha ${params.alpha}, ${params.prediction} prediction` +
      `${params.minSnrGamma > 0 ? `, min-SNR ${params.minSnrGamma}` : ''}${params.noiseOffset > 0 ? `, noise offset ${params.noiseOffset}` : ''}` +
      `; ${trainIndices.length} training images at ${bucket.width}x${bucket.height}; ${describePlan(plan)}; state in ${stateDir}`,
  );
  const picker = checkpointPickerOf(ctx.workflow, ctx.nodeId, false, split.validation.length);
  const monitor = createMonitor(ctx, steps, prompts.length, stateDir, split.heldOut, picker);
  const started = Date.now() / 1000;
  const result = await sd15Backend.train(job, monitor.onEvent, ctx.signal, (m) => ctx.log('info', m));
  ctx.signal.throwIfAborted();
  if (result.cancelled)
    throw new NodeUserError('training stopped before the last step', 'run again to continue from the last checkpoint');
  monitor.finish();
  const info: TrainingInfo = {
    outputName,
    baseModel: { name: model.name, sha256: model.sha256 },
    rank: params.rank,
    alpha: params.alpha,
    dropout: params.dropout,
    learningRate: params.learningRate,
    optimizer: params.optimizer,
    schedule: params.schedule,
    steps: result.step,
    maxSteps: steps,
    batch: params.batch,
    seed: params.seed,
    images: trainIndices.length,
    resolution: Math.max(bucket.width, bucket.height),
    datasetName: ds.name ?? 'dataset',
    captions: ds.items.map((it) => it.caption),
    trigger,
    startedAt: monitor.startedAt ?? started,
    finishedAt: Date.now() / 1000,
    textEncoder: withText,
    textEncoderLr: params.textEncoderLr > 0 ? params.textEncoderLr : params.learningRate,
  };
  const kept = listCheckpoints(stateDir).filter((e) => e.step <= result.step);
  const last = kept.at(-1);
  if (!last || last.step !== result.step) throw new Error(`no checkpoint at step ${result.step} in ${stateDir}`);
  const values: LoraValue[] = [];
  const scaleOf = (m: KohyaModule): number => usedScale(m, withText ? teScale : 1);
  for (const e of kept)
    values.push(await exportSd15Checkpoint(e, ctx, model, modules, { rankOf, scaleOf, conv }, params, info));
  const best = values[kept.indexOf(bestCheckpoint(kept) ?? last)] ?? values.at(-1)!;
  if (params.loraCheck) ctx.log('info', 'SD 1.5: the LoRA check is not run yet; "best" is the lowest validation loss');
  return { lora: loraJson(values.at(-1)!), best: loraJson(best), checkpoints: loraJson(values) };
}

/** One checkpoint as a kohya SD 1.5 file (fp32, full metadata) in the artifact store. */
async function exportSd15Checkpoint(
  entry: CheckpointEntry,
  ctx: NodeContext,
  model: Sd15ModelValue,
  modules: readonly KohyaModule[],
  how: {
    rankOf: (m: KohyaModule) => { rank: number; alpha: number };
    scaleOf: (m: KohyaModule) => number;
    conv?: { rank: number; alpha: number };
  },
  params: TrainLoraParams,
  info: TrainingInfo,
): Promise<LoraValue> {
  const data = await loadCheckpoint(entry.path);
  const adapters = adaptersOf(modules, data.params, how.rankOf, how.scaleOf).map((a) => a.adapter);
  const name = `${info.outputName}-step${String(entry.step).padStart(6, '0')}`;
  const meta: Record<string, string> = {
    ...trainingMetadata({ ...info, steps: entry.step }),
    ...sd15LoraMetadata({
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
    ss_clip_skip: String(params.clipSkip),
    ss_cache_latents: 'True',
    'loraflow.step': String(entry.step),
  };
  if (entry.valLoss !== undefined) meta['loraflow.val_loss'] = String(entry.valLoss);
  fs.mkdirSync(ctx.workDir, { recursive: true });
  const file = path.join(ctx.workDir, `${name}.safetensors`);
  await writeKohya(file, adapters, meta, 'F32');
  return {
    kind: 'loraflow.lora',
    family: 'sd15',
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
