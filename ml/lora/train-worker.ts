/**
 * Entry of a LoRA training worker thread: trains (resuming from the newest checkpoint), writes a checkpoint and
 * its validation loss every N steps, samples fixed prompts, and honours the shared cancel flag. Cancelling also
 * writes a checkpoint, so a rerun continues the same step count.
 */
import { workerData } from 'node:worker_threads';
import { postJobMessage, runJobMain } from '../runtime/job-messages';
import { cancelRequested } from '../runtime/worker-cancel';
import { loadModel, type DiTModel } from '../dit/weights';
import { loadCheckpoint } from '../train/checkpoint';
import { Trainer } from '../train/trainer';
import { checkpointPath, pruneCheckpoints, recordValidation, resumePoint } from './checkpoints';
import type { LoraJobMessage, LoraTrainJob, LoraTrainResult } from './job';
import { sampleCombos } from './sample';
import { adaptersFromParams, createLoraTask, embeddingsFromParams } from './task';
import { ValidationLoss } from './validation';

const data = workerData as { job: LoraTrainJob };
const post = (m: LoraJobMessage, transfer?: ArrayBuffer[]): void => postJobMessage(m, transfer);

async function samples(job: LoraTrainJob, model: DiTModel, trainer: Trainer): Promise<void> {
  if (job.samplePrompts.length === 0) return;
  const started = performance.now();
  const params = trainer.exportParams();
  const adapters = adaptersFromParams(job.task, model.config, params);
  const embeddings = embeddingsFromParams(job.task, model.config, params);
  const set = { adapters, embeddings, metadata: {}, format: 'kohya' as const };
  const [images] = await sampleCombos(
    model,
    [[{ set, strength: 1 }]],
    { prompts: job.samplePrompts, seed: job.sampleSeed, steps: job.sampleSteps, guidance: 4 },
    job.threads ?? 2,
  );
  if (images)
    post({
      type: 'samples',
      step: trainer.step,
      images,
      imageSize: model.config.imageSize,
      seconds: (performance.now() - started) / 1000,
    });
}

async function main(job: LoraTrainJob): Promise<LoraTrainResult> {
  const model = await loadModel(job.modelPath);
  const task = createLoraTask(job.task, model);
  const from = resumePoint(job.stateDir, job.steps);
  const resume = from ? { path: from.path, data: await loadCheckpoint(from.path) } : undefined;
  const trainer = await Trainer.create(task, job.config, resume);
  const validation = new ValidationLoss(model, job.task, job.validationIndices, job.threads ?? 2);
  post({ type: 'started', step: trainer.step, resumedFrom: from?.step, parameterCount: trainer.parameterCount });
  const K = job.config.stepsPerRun ?? 1;
  const every = Math.max(1, job.checkpointEvery);
  const checkpoint = async (): Promise<void> => {
    const valLoss = await validation.compute(trainer.exportParams());
    const file = checkpointPath(job.stateDir, trainer.step);
    await trainer.saveCheckpoint(file);
    recordValidation(job.stateDir, trainer.step, valLoss);
    pruneCheckpoints(job.stateDir, job.keepLast, trainer.step);
    post({ type: 'checkpoint', step: trainer.step, path: file, loss: valLoss });
  };
  let cancelled = false;
  try {
    if (!from) {
      // Recorded too: the curve's start is what "flat from the start" and "drops then rises" are judged against.
      const valLoss = await validation.compute(trainer.exportParams());
      recordValidation(job.stateDir, 0, valLoss);
      post({ type: 'metrics', step: 0, metrics: { val_loss: valLoss } });
    }
    let last = performance.now();
    while (trainer.step < job.steps) {
      if (cancelRequested()) {
        cancelled = true;
        break;
      }
      const report = await trainer.runOnce(Math.min(K, job.steps - trainer.step, every - (trainer.step % every)));
      const now = performance.now();
      post({
        type: 'progress',
        done: trainer.step,
        total: job.steps,
        report,
        runSeconds: report.losses.length / report.stepsPerSecond,
        wallSeconds: (now - last) / 1000,
      });
      last = now; // checkpointing and sampling below count in the next run's wall time: outside session.run
      const atEnd = trainer.step >= job.steps;
      if (trainer.step % every === 0 || atEnd) await checkpoint();
      if ((job.sampleEvery > 0 && trainer.step % job.sampleEvery === 0) || atEnd) await samples(job, model, trainer);
    }
    if (cancelled && (!from || trainer.step !== from.step) && trainer.step % every !== 0) await checkpoint();
    return { step: trainer.step, cancelled };
  } finally {
    await trainer.release();
    await validation.release();
  }
}

runJobMain(() => main(data.job));
