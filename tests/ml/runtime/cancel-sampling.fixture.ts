/**
 * Run as a separate process by worker-cancel.test.ts: cancels sampling jobs while their worker is inside
 * session.run. Before ml/runtime/worker-job.ts, cancelling terminated the worker mid-run and aborted this whole
 * process ("terminate called after throwing an instance of 'Napi::Error'").
 */
import * as path from 'node:path';
import { BASE_CONFIG } from '../../../ml/dit/config';
import { initParams } from '../../../ml/dit/params';
import { saveModel } from '../../../ml/dit/weights';
import { sampleInWorker } from '../../../ml/dit/sample-job';

async function main(dir: string, rounds: number): Promise<void> {
  const modelPath = path.join(dir, 'tiny.safetensors');
  await saveModel(modelPath, { config: BASE_CONFIG, weights: initParams(BASE_CONFIG, 1) });
  const job = {
    modelPath,
    previewEvery: 0,
    options: { prompts: Array(16).fill('cat'), seed: 1, steps: 400, guidance: 4, batch: 16 },
  };
  let cancelled = 0;
  for (let i = 0; i < rounds; i++) {
    const controller = new AbortController();
    let steps = 0;
    const done = sampleInWorker(job, () => void steps++, controller.signal);
    // Cancel once the worker is busy sampling, at a different moment each round.
    while (steps < 2 + i) await new Promise((r) => setTimeout(r, 2));
    controller.abort(new Error('user cancelled'));
    await done.then(
      () => process.stdout.write('finished before the cancel\n'),
      (e: Error) => void (e.message === 'user cancelled' && cancelled++),
    );
  }
  const after = await sampleInWorker({ ...job, options: { ...job.options, prompts: ['cat'], steps: 2, batch: 1 } });
  process.stdout.write(`cancelled ${cancelled} of ${rounds}; then sampled ${after.images[0]!.length} bytes\n`);
}

main(process.argv[2]!, Number(process.argv[3])).catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
