/**
 * Entry of a Stable Diffusion sampling worker thread: opens the checkpoint (SD 1.5 or SDXL, detected from the
 * weights), reads the LoRA files onto its family's modules, samples, posts images.
 */
import { workerData } from 'node:worker_threads';
import { postJobMessage } from '../runtime/job-messages';
import { cancelRequested } from '../runtime/worker-cancel';
import { openAnySdCheckpoint } from './checkpoint';
import { Sd15Encoders, type SdEncoders } from './encoders';
import { readSdLora } from './lora-file';
import type { TriggerEmbedding } from '../lora/types';
import type { AppliedLora } from './merge-lora';
import { sampleSd, type SdStack } from './sample-run';
import type { SdSampleJob, SdSampleMessage, SdSampleResult } from './sample-job';
import { SdxlEncoders } from './sdxl-encoders';

const data = workerData as { job: SdSampleJob };
const post = (m: SdSampleMessage, transfer?: ArrayBuffer[]): void => postJobMessage(m, transfer);

async function main(job: SdSampleJob): Promise<SdSampleResult> {
  const started = performance.now();
  const ckpt = openAnySdCheckpoint(job.checkpoint);
  const encoders: SdEncoders =
    ckpt.family === 'sdxl'
      ? new SdxlEncoders(ckpt, { threads: job.threads, headDim: ckpt.widths.unet.headDim })
      : new Sd15Encoders(ckpt, { clipSkip: job.clipSkip, threads: job.threads });
  try {
    const stacks: SdStack[] = [];
    for (const combo of job.stacks) {
      const stack: AppliedLora[] = [];
      const embeddings: TriggerEmbedding[] = [];
      for (const l of combo.loras) {
        const lora = await readSdLora(l.path, ckpt);
        if (lora.adapters.length === 0 && lora.embeddings.length === 0)
          throw new Error(`${l.path}: no adapter matches this ${ckpt.family === 'sdxl' ? 'SDXL' : 'SD 1.5'} model`);
        stack.push({ adapters: lora.adapters, strength: l.strength });
        // A LoRA at strength 0 is the base model (the LoRA check's reference): its trigger embedding stays out too.
        if (l.strength !== 0) embeddings.push(...lora.embeddings);
      }
      stacks.push({ loras: stack, embeddings, ...(combo.prompts ? { prompts: combo.prompts } : {}) });
    }
    const images = await sampleSd(ckpt, encoders, stacks, job.settings, {
      threads: job.threads,
      cancelled: cancelRequested,
      onStep: (done, total, preview) => post({ type: 'progress', done, total, preview }),
    });
    return { images, seconds: (performance.now() - started) / 1000 };
  } finally {
    await encoders.release();
    ckpt.close();
  }
}

// A failure after the host's cancel is the cancellation (the sampler stops wherever it was), not an error.
main(data.job).then(
  (result) => post({ type: 'result', result }),
  (e: unknown) =>
    post(
      cancelRequested()
        ? { type: 'cancelled' }
        : { type: 'error', message: e instanceof Error ? e.message : String(e) },
    ),
);
