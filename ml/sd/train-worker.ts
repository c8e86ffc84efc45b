/**
 * Entry of a Stable Diffusion LoRA training worker thread (SD 1.5 and SDXL; what differs per family is in
 * train-family.ts): encodes (or reads from the cache) each image's latents and each caption's text embedding
 * (SDXL: both encoders' and the pooled one), trains the LoRA with the shared Trainer (resuming from the newest checkpoint),
 * checkpoints with a validation loss every N steps, samples with the adapters as the saved file holds them, and
 * honours the shared cancel flag (cancelling checkpoints too, so a rerun continues the step count).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkpointPath, pruneCheckpoints, recordValidation, resumePoint } from '../lora/checkpoints';
import { cancelRequested } from '../runtime/worker-cancel';
import { loadCheckpoint } from '../train/checkpoint';
import { Trainer } from '../train/trainer';
import { openAnySdCheckpoint, type SdCheckpoint } from './checkpoint';
import type { SdEncoders } from './encoders';
import { cacheKey, LatentCache } from './latent-cache';
import { roundAdapters } from './merge-lora';
import { sampleSd } from './sample-run';
import { adaptersOf } from './train-adapters';
import { trainFamily } from './train-family';
import type { SdTrainJob, SdTrainMessage } from './train-job';
import { Sd15Validation } from './validation';

const data = workerData as { job: SdTrainJob };
const post = (m: SdTrainMessage): void => parentPort!.postMessage(m);

/** Latents of every image, cached by pixels, size and model (the same for every family). */
async function encodeLatents(job: SdTrainJob, enc: SdEncoders, cache: LatentCache): Promise<Float32Array[]> {
  const [h, w] = [job.height / 8, job.width / 8];
  const size = `${job.width}x${job.height}`;
  const latents: Float32Array[] = [];
  for (const rgb of job.images)
    latents.push(
      await cache.get(cacheKey('sd-latent-v1', job.modelHash, size, rgb), 4 * h * w, () =>
        enc.encodeImage(rgb, job.width, job.height),
      ),
    );
  return latents;
}

async function main(job: SdTrainJob): Promise<void> {
  const ckpt: SdCheckpoint = openAnySdCheckpoint(job.checkpoint);
  let enc: SdEncoders | undefined;
  let trainer: Trainer | undefined;
  let validation: Sd15Validation | undefined;
  try {
    const family = trainFamily(job, ckpt);
    enc = family.encoders;
    const cache = new LatentCache(job.cacheDir);
    const makeTask = await family.prepare(await encodeLatents(job, enc, cache), cache);
    // The encoders' sessions (SDXL's text towers alone hold 3.3 GB in fp32) are not needed again until a sample.
    await enc.release();
    post({
      type: 'log',
      message: `latent cache: ${cache.stats.hits} hit(s), ${cache.stats.misses} encoded (${job.images.length} images, ${job.captions.length} captions) in ${job.cacheDir}`,
    });
    const task = makeTask(job.trainIndices, job.batch, job.captionDropout);
    const valTask = makeTask(job.validationIndices, 1, 0);
    const from = resumePoint(job.stateDir, job.steps);
    const resume = from ? { path: from.path, data: await loadCheckpoint(from.path) } : undefined;
    const t = (trainer = await Trainer.create(task, job.config, resume));
    // Beyond the tiny test models, keeping a second copy of the weights alive between checkpoints costs GBs.
    validation = new Sd15Validation(valTask, job.threads, ckpt.bytes < 256 * 2 ** 20);
    const val = validation;
    post({ type: 'started', step: t.step, resumedFrom: from?.step, parameterCount: t.parameterCount });
    const { modules, rankOf, scaleOf } = family;
    const encoders = enc;
    const samples = async (): Promise<void> => {
      if (job.samplePrompts.length === 0) return;
      const started = performance.now();
      const adapters = roundAdapters(adaptersOf(modules, t.exportParams(), rankOf, scaleOf), job.sampleDtype);
      const size = Math.min(job.width, job.height);
      const images = await sampleSd(ckpt, encoders, [{ loras: [{ adapters, strength: 1 }] }], {
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
    await enc?.release();
    ckpt.close();
  }
}

main(data.job).catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
