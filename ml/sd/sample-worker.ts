/** Entry of an SD 1.5 sampling worker thread: opens the checkpoint, reads the LoRA files, samples, posts images. */
import { parentPort, workerData } from 'node:worker_threads';
import { cancelRequested } from '../runtime/worker-cancel';
import { openSdCheckpoint } from './checkpoint';
import { Sd15Encoders } from './encoders';
import { readSd15Lora } from './lora-file';
import type { AppliedLora } from './merge-lora';
import { sampleSd15, type SdStack } from './sample-run';
import type { SdSampleJob, SdSampleMessage } from './sample-job';

const data = workerData as { job: SdSampleJob };
const post = (m: SdSampleMessage, transfer?: ArrayBuffer[]): void => parentPort!.postMessage(m, transfer);

async function main(job: SdSampleJob): Promise<void> {
  const started = performance.now();
  const ckpt = openSdCheckpoint(job.checkpoint);
  const encoders = new Sd15Encoders(ckpt, { clipSkip: job.clipSkip, threads: job.threads });
  try {
    const stacks: SdStack[] = [];
    for (const combo of job.stacks) {
      const stack: AppliedLora[] = [];
      for (const l of combo.loras) {
        const lora = await readSd15Lora(l.path, ckpt.widths);
        if (lora.adapters.length === 0) throw new Error(`${l.path}: no adapter matches this SD 1.5 model`);
        stack.push({ adapters: lora.adapters, strength: l.strength });
      }
      stacks.push({ loras: stack, ...(combo.prompts ? { prompts: combo.prompts } : {}) });
    }
    const images = await sampleSd15(ckpt, encoders, stacks, job.settings, {
      threads: job.threads,
      cancelled: cancelRequested,
      onStep: (done, total, preview) => post({ type: 'step', done, total, preview }),
    });
    post({ type: 'done', images, seconds: (performance.now() - started) / 1000 });
  } finally {
    await encoders.release();
    ckpt.close();
  }
}

main(data.job).catch((e: unknown) => {
  if (cancelRequested()) post({ type: 'cancelled' });
  else post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
});
