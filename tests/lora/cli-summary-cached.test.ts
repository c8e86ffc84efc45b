/**
 * A rerun served from the cache trains nothing, yet `loraflow run` still ends with what the training found: the
 * loss-curve diagnosis is the one the run that trained it logged, not a blank.
 *
 *   LoadModel ─────────────┬──────────────┐
 *   LoadImages -> Caption -> Resize -> TrainLoRA (20 steps, a checkpoint every 10)      run twice, same data folder
 */
import { quickstartTrainingFolder, runTraining } from './cli-run';

jest.setTimeout(240_000);

it('a cached TrainLoRA prints the diagnosis of the run that trained it', async () => {
  const { data, file } = await quickstartTrainingFolder('summary-cached');
  const run = () => runTraining(file, data, 110_000);

  const trained = run();
  const diagnosis = /\n {4}(loss curve: .*)/.exec(trained)?.[1];
  expect(diagnosis).toMatch(/Suggested action: /);

  const cached = run();
  expect(cached).toMatch(/\(train\): served from the cache/);
  expect(cached).toContain(`\n    ${diagnosis}`);
  expect(cached.match(/loss curve:/g)).toHaveLength(1);
});
