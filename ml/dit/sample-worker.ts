/** Worker-thread entry for sampling: session.run blocks its thread, so the server's thread never runs it. */
import { parentPort, workerData } from 'node:worker_threads';
import { loraHookFactory, type LoraUse } from './lora';
import { DiTSampler, type SampleOptions } from './sampler';
import { loadModel } from './weights';

export interface SampleJob {
  modelPath: string;
  options: Omit<SampleOptions, 'onStep' | 'signal'>;
  /** Send a preview every N steps (0: never). */
  previewEvery: number;
  threads?: number;
  /** LoRAs applied on top of the model, stacked, each at its strength. */
  loras?: LoraUse[];
}

export type SampleWorkerMessage =
  | { type: 'step'; done: number; total: number; preview?: Uint8Array }
  | { type: 'done'; images: Uint8Array; imageSize: number; seconds: number }
  | { type: 'error'; message: string };

async function main(job: SampleJob): Promise<void> {
  const post = (m: SampleWorkerMessage) => parentPort?.postMessage(m);
  try {
    const model = await loadModel(job.modelPath);
    const hook = job.loras?.length ? loraHookFactory(model.config, job.loras) : undefined;
    const sampler = new DiTSampler(model.config, model.weights, hook, job.threads ?? 2);
    const started = Date.now();
    const images = await sampler.sample({
      ...job.options,
      onStep: (done, total, preview) => {
        const wantPreview = job.previewEvery > 0 && (done % job.previewEvery === 0 || done === total);
        post({ type: 'step', done, total, preview: wantPreview ? preview() : undefined });
      },
    });
    post({ type: 'done', images, imageSize: model.config.imageSize, seconds: (Date.now() - started) / 1000 });
    await sampler.release();
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
  }
}

void main((workerData as { job: SampleJob }).job);
