/**
 * Entry of an SD 1.5 LoRA training worker thread: encodes (or reads from the cache) each image's latents and each
 * caption's text embedding, trains the UNet LoRA with the shared Trainer (resuming from the newest checkpoint),
 * checkpoints with a validation loss every N steps, samples with the adapters as the saved file holds them, and
 * honours the shared cancel flag (cancelling checkpoints too, so a rerun continues the step count).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkpointPath, pruneCheckpoints, recordValidation, resumePoint } from '../lora/checkpoints';
import { cancelRequested } from '../runtime/worker-cancel';
import { loadCheckpoint } from '../train/checkpoint';
import { Trainer } from '../train/trainer';
import type { TrainTask } from '../train/types';
import { openSdCheckpoint, type Sd15Checkpoint } from './checkpoint';
import { Sd15Encoders } from './encoders';
import { cacheKey, LatentCache } from './latent-cache';
import { roundAdapters } from './merge-lora';
import { sampleSd15 } from './sample-run';
import { adaptersOf } from './train-adapters';
import type { Sd15TrainJob, Sd15TrainMessage } from './train-job';
import { createUnetLoraTask, type UnetLoraOptions } from './train-step';
import { Sd15Validation } from './validation';
import { CONTEXT } from './tokenizer';
import { encodePrompt } from './prompt';
import { createFullLoraTask, fullLoraModules, moduleRank, usedScale } from './train-step-te';
import type { KohyaModule } from './lora-names';

const data = workerData as { job: Sd15TrainJob };
const post = (m: Sd15TrainMessage): void => parentPort!.postMessage(m);

/** Latents of every image and the text embedding of every caption (and of the empty one), cached by content. */
async function encodeAll(job: Sd15TrainJob, enc: Sd15Encoders) {
  const cache = new LatentCache(job.cacheDir);
  const [h, w] = [job.height / 8, job.width / 8];
  const size = `${job.width}x${job.height}`;
  const latents: Float32Array[] = [];
  for (const rgb of job.images)
    latents.push(
      await cache.get(cacheKey('sd-latent-v1', job.modelHash, size, rgb), 4 * h * w, () =>
        enc.encodeImage(rgb, job.width, job.height),
      ),
    );
  const text = async (caption: string): Promise<Float32Array> =>
    cache.get(cacheKey('sd-text-v1', job.modelHash, String(job.clipSkip), caption), CONTEXT * enc.width, async () =>
      (await enc.encode(caption, { emphasis: false })).data.slice(0, CONTEXT * enc.width),
    );
  const contexts: Float32Array[] = [];
  // A trained text encoder encodes every caption inside the step: nothing of it to cache.
  if (!job.textEncoder) for (const c of job.captions) contexts.push(await text(c));
  const empty = job.textEncoder ? new Float32Array(0) : await text('');
  post({
    type: 'log',
    message: `latent cache: ${cache.stats.hits} hit(s), ${cache.stats.misses} encoded (${job.images.length} images, ${job.captions.length} captions) in ${job.cacheDir}`,
  });
  return { latents, contexts, empty, shape: [4, h, w] as [number, number, number] };
}

/** Replaces the context of a batch image by the empty caption's with probability p (kohya caption dropout). */
function withCaptionDropout(task: TrainTask, empty: Float32Array, p: number): TrainTask {
  if (p <= 0) return task;
  return {
    ...task,
    nextBatch(rng, step) {
      const b = task.nextBatch(rng, step);
      const ctx = b.context as Float32Array;
      for (let i = 0; i * empty.length < ctx.length; i++)
        if (rng.int(1 << 20) < p * (1 << 20)) ctx.set(empty, i * empty.length);
      return b;
    },
  };
}

async function main(job: Sd15TrainJob): Promise<void> {
  const ckpt: Sd15Checkpoint = openSdCheckpoint(job.checkpoint);
  const enc = new Sd15Encoders(ckpt, { clipSkip: job.clipSkip, threads: job.threads });
  let trainer: Trainer | undefined;
  let validation: Sd15Validation | undefined;
  try {
    const { latents, contexts, empty, shape } = await encodeAll(job, enc);
    const common: Omit<UnetLoraOptions, 'latents' | 'contexts'> = {
      rank: job.rank,
      alpha: job.alpha,
      batch: job.batch,
      prediction: job.prediction,
      ...(job.minSnrGamma ? { minSnrGamma: job.minSnrGamma } : {}),
      noiseOffset: job.noiseOffset,
      latentShape: shape,
      contextShape: [CONTEXT, enc.width],
      checkpointing: job.checkpointing,
      ...(job.targets ? { targets: job.targets } : {}),
    };
    const pick = <T>(xs: readonly T[], idx: readonly number[]): T[] => idx.map((i) => xs[i]!);
    const te = job.textEncoder;
    const ids = job.captions.map((c) => encodePrompt(c, { emphasis: false }).chunks[0]!.ids);
    const makeTask = (idx: readonly number[], batch: number, dropout: number): TrainTask =>
      te || job.conv
        ? createFullLoraTask(ckpt, {
            ...common,
            batch,
            latents: pick(latents, idx),
            ...(te
              ? { ids: pick(ids, idx), emptyIds: encodePrompt('').chunks[0]!.ids }
              : { contexts: pick(contexts, idx), emptyContext: empty, contextWidth: enc.width }),
            captionDropout: dropout,
            clipSkip: job.clipSkip,
            textLrScale: te?.lrScale ?? 1,
            ...(job.conv ? { conv: job.conv } : {}),
          })
        : withCaptionDropout(
            createUnetLoraTask(ckpt, { ...common, batch, latents: pick(latents, idx), contexts: pick(contexts, idx) }),
            empty,
            dropout,
          );
    const task = makeTask(job.trainIndices, job.batch, job.captionDropout);
    const valTask = makeTask(job.validationIndices, 1, 0);
    const from = resumePoint(job.stateDir, job.steps);
    const resume = from ? { path: from.path, data: await loadCheckpoint(from.path) } : undefined;
    const t = (trainer = await Trainer.create(task, job.config, resume));
    // Beyond the tiny test models, keeping a second copy of the weights alive between checkpoints costs GBs.
    validation = new Sd15Validation(valTask, job.threads, ckpt.bytes < 256 * 2 ** 20);
    const val = validation;
    post({ type: 'started', step: t.step, resumedFrom: from?.step, parameterCount: t.parameterCount });
    const modules = fullLoraModules(ckpt.widths, { text: !!te, conv: !!job.conv, targets: job.targets });
    const rankOf = (m: KohyaModule) => moduleRank(m, { rank: job.rank, alpha: job.alpha, conv: job.conv });
    const scaleOf = (m: KohyaModule): number => usedScale(m, te?.lrScale ?? 1);
    const samples = async (): Promise<void> => {
      if (job.samplePrompts.length === 0) return;
      const started = performance.now();
      const adapters = roundAdapters(adaptersOf(modules, t.exportParams(), rankOf, scaleOf), job.sampleDtype);
      const size = Math.min(job.width, job.height);
      const images = await sampleSd15(ckpt, enc, [{ loras: [{ adapters, strength: 1 }] }], {
        prompts: job.samplePrompts,
        negative: '',
        seed: job.sampleSeed,
        steps: job.sampleSteps,
        cfg: 7,
        sampler: 'euler',
        width: size,
        height: size,
        previewEvery: 0,
      });
      const all = new Uint8Array(images[0]!.reduce((n, x) => n + x.length, 0));
      images[0]!.reduce((at, x) => (all.set(x, at), at + x.length), 0);
      post({
        type: 'samples',
        step: t.step,
        images: all,
        imageSize: size,
        seconds: (performance.now() - started) / 1000,
      });
    };
    const K = job.config.stepsPerRun ?? 1;
    const every = Math.max(1, job.checkpointEvery);
    const checkpoint = async (): Promise<void> => {
      const valLoss = await val.compute(t.exportParams());
      const file = checkpointPath(job.stateDir, t.step);
      await t.saveCheckpoint(file);
      recordValidation(job.stateDir, t.step, valLoss);
      pruneCheckpoints(job.stateDir, job.keepLast);
      post({ type: 'checkpoint', step: t.step, path: file, valLoss });
    };
    let cancelled = false;
    if (!from) {
      const valLoss = await val.compute(t.exportParams());
      recordValidation(job.stateDir, 0, valLoss);
      post({ type: 'validation', step: 0, valLoss });
    }
    let last = performance.now();
    while (t.step < job.steps) {
      if (cancelRequested()) {
        cancelled = true;
        break;
      }
      const report = await t.runOnce(Math.min(K, job.steps - t.step, every - (t.step % every)));
      const now = performance.now();
      post({
        type: 'progress',
        report,
        runSeconds: report.losses.length / report.stepsPerSecond,
        wallSeconds: (now - last) / 1000,
      });
      last = now;
      const atEnd = t.step >= job.steps;
      if (t.step % every === 0 || atEnd) await checkpoint();
      if ((job.sampleEvery > 0 && t.step % job.sampleEvery === 0) || atEnd) await samples();
    }
    if (cancelled && (!from || t.step !== from.step) && t.step % every !== 0) await checkpoint();
    post({ type: 'done', step: t.step, cancelled });
  } finally {
    await trainer?.release();
    await validation?.release();
    await enc.release();
    ckpt.close();
  }
}

main(data.job).catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
