/**
 * The one job protocol of worker threads (ml/runtime/job-messages.ts), on a real worker thread that speaks it
 * without a model: every event reaches the host in order, and a job ends with its result, its error or the
 * cancellation, and never hangs.
 */
import * as path from 'node:path';
import { runJob, type JobEvent } from '../../../ml/runtime/job-messages';

const WORKER = path.join(__dirname, 'job-protocol.worker.ts');

test('every event arrives in order, then the result', async () => {
  const events: JobEvent[] = [];
  const result = await runJob<{ step: number }>(WORKER, { mode: 'events' }, (e) => events.push(e)).result;
  expect(result).toEqual({ step: 10 });
  expect(events.map((e) => e.type)).toEqual(['started', 'progress', 'metrics', 'checkpoint', 'samples', 'log']);
  expect(events[3]).toEqual({ type: 'checkpoint', step: 5, path: '/state/step-000005.safetensors', loss: 0.25 });
  const samples = events[4] as Extract<JobEvent, { type: 'samples' }>;
  expect([...samples.images]).toEqual([1, 2, 3]);
});

test("a job's error comes back with its message", async () => {
  await expect(runJob(WORKER, { mode: 'fail' }, () => undefined).result).rejects.toThrow(
    'cannot read images/broken.png',
  );
});

test('a cancelled job stops at its next cancellation point and rejects with the reason', async () => {
  const controller = new AbortController();
  let progress = 0;
  const job = runJob(
    WORKER,
    { mode: 'cancel' },
    (e) => {
      if (e.type === 'progress' && ++progress === 3) controller.abort(new Error('user cancelled'));
    },
    controller.signal,
  );
  await expect(job.result).rejects.toThrow('user cancelled');
});

test('a listener that throws fails the job with its error and stops the worker', async () => {
  const job = runJob(WORKER, { mode: 'cancel' }, (e) => {
    if (e.type === 'progress') throw new Error('the run was deleted');
  });
  await expect(job.result).rejects.toThrow('the run was deleted');
});
