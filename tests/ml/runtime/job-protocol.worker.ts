/**
 * A worker thread for job-messages.test.ts: speaks the one job protocol without any model. `mode` says how it
 * ends: a result after one event of each kind, an error, or a wait for the host's cancel.
 */
import { workerData } from 'node:worker_threads';
import { postJobMessage, runJobMain } from '../../../ml/runtime/job-messages';
import { cancelRequested, WorkerCancelled } from '../../../ml/runtime/worker-cancel';

const { mode } = workerData as { mode: 'events' | 'fail' | 'cancel' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<{ step: number }> {
  if (mode === 'fail') throw new Error('cannot read images/broken.png');
  postJobMessage({ type: 'started', step: 0, parameterCount: 12 });
  if (mode === 'cancel') {
    for (let done = 1; ; done++) {
      if (cancelRequested()) throw new WorkerCancelled();
      postJobMessage({ type: 'progress', done, total: 1000 });
      await sleep(5);
    }
  }
  postJobMessage({ type: 'progress', done: 5, total: 10 });
  postJobMessage({ type: 'metrics', step: 5, metrics: { val_loss: 0.25 } });
  postJobMessage({ type: 'checkpoint', step: 5, path: '/state/step-000005.safetensors', loss: 0.25 });
  const images = new Uint8Array([1, 2, 3]);
  postJobMessage({ type: 'samples', step: 5, images, imageSize: 1, seconds: 0.5 }, [images.buffer]);
  postJobMessage({ type: 'log', level: 'warn', message: 'only 3 images' });
  return { step: 10 };
}

runJobMain(main);
