// Entry of a training worker thread: builds the task, trains, posts progress, honours the shared cancel flag.
import { workerData } from 'node:worker_threads';
import { postJobMessage, runJobMain } from '../runtime/job-messages';
import { cancelRequested } from '../runtime/worker-cancel';
import { loadCheckpoint } from './checkpoint';
import { Trainer } from './trainer';
import type { TrainJob, TrainJobResult, TrainWorkerMessage } from './messages';
import type { TrainTaskModule } from './types';

const data = workerData as { job: TrainJob };
const post = (m: TrainWorkerMessage): void => postJobMessage(m);

async function main(job: TrainJob): Promise<TrainJobResult> {
  // require, not import(): workers load TypeScript through tsx's require hook (see ml/runtime/worker-boot.js).
  const mod = require(job.taskModule) as Partial<TrainTaskModule> & { default?: Partial<TrainTaskModule> };
  const createTask = mod.createTask ?? mod.default?.createTask;
  if (typeof createTask !== 'function') throw new Error(`${job.taskModule} does not export createTask(options)`);
  const task = await createTask(job.taskOptions);
  const resume = job.resumeFrom ? { path: job.resumeFrom, data: await loadCheckpoint(job.resumeFrom) } : undefined;
  const trainer = await Trainer.create(task, job.config, resume);
  post({ type: 'started', step: trainer.step, parameterCount: trainer.parameterCount });
  const K = job.config.stepsPerRun ?? 1;
  const every = job.checkpoint?.everySteps ?? 0;
  let cancelled = false;
  try {
    while (trainer.step < job.steps) {
      if (cancelRequested()) {
        cancelled = true;
        break;
      }
      // Runs end on checkpoint boundaries so that checkpoints land on exact multiples of everySteps.
      const toBoundary = every > 0 ? every - (trainer.step % every) : Infinity;
      const report = await trainer.runOnce(Math.min(K, job.steps - trainer.step, toBoundary));
      post({ type: 'progress', done: trainer.step, total: job.steps, report });
      if (job.checkpoint && every > 0 && trainer.step % every === 0 && trainer.step < job.steps) {
        await trainer.saveCheckpoint(job.checkpoint.path);
        post({ type: 'checkpoint', path: job.checkpoint.path, step: trainer.step });
      }
    }
    if (job.checkpoint) {
      await trainer.saveCheckpoint(job.checkpoint.path);
      post({ type: 'checkpoint', path: job.checkpoint.path, step: trainer.step });
    }
    return { step: trainer.step, cancelled, params: trainer.exportParams(), ema: trainer.exportEma() };
  } finally {
    await trainer.release();
  }
}

runJobMain(() => main(data.job));
