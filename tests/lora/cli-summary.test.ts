/**
 * What `loraflow run` prints once a training node is done: speed, the validation loss of each kept checkpoint,
 * the loss diagnosis and the files written (not only warnings).
 *
 *   LoadModel ─────────────┬──────────────┐
 *   LoadImages -> Caption -> Resize -> TrainLoRA (20 steps, a checkpoint every 10)
 */
import { existsSync } from 'node:fs';
import { quickstartTrainingFolder, runTraining } from './cli-run';

jest.setTimeout(180_000);

it('loraflow run prints steps/s, validation loss per checkpoint, the diagnosis and the files of TrainLoRA', async () => {
  const { data, file } = await quickstartTrainingFolder('summary');

  const training = runTraining(file, data, 170_000);

  expect(training).toMatch(/\(train\): 20 steps in [\d.]+ s \([\d.]+ steps\/s\)/);
  expect(training).toMatch(/validation loss: step 10 \d\.\d{4}.*step 20 \d\.\d{4}/);
  expect(training).toMatch(/\(lowest\)/);
  expect(training).toMatch(/\n {4}loss curve: .*Suggested action: /);
  expect(training.match(/loss curve:/g)).toHaveLength(1);
  const files = [...training.matchAll(/step (\d+): \S+ -> (\S+)/g)];
  expect(files.map((f) => f[1])).toEqual(expect.arrayContaining(['10', '20']));
  for (const [, , path] of files) expect(existsSync(path!)).toBe(true);
});
