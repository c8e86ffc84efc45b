/**
 * `loraflow run`'s training summary when the loss says nothing is wrong but the LoRA check sees no effect (QA S6-F7):
 * the check at a strength too small to show anything (0.01) after 10 steps ("not enough steps to judge yet: keep
 * training"; the tiny model's loss never falls the 3% that "training is working" needs). The summary's diagnosis
 * must be the check's "no visible effect" with its action.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { WorkflowFile } from '../../protocol/workflow';
import { quickstartTrainingFolder, runTraining } from './cli-run';

jest.setTimeout(240_000);

it('a loss too early to judge with a LoRA check that finds no visible effect is summarised as no visible effect', async () => {
  const { data, file } = await quickstartTrainingFolder('diag-check');
  const wf = JSON.parse(readFileSync(file, 'utf8')) as WorkflowFile;
  Object.assign(wf.nodes.find((n) => n.id === 'train')!.params, {
    loraCheck: true,
    checkStrengths: ['0.01'],
    steps: 10,
    checkpointEvery: 5,
  });
  writeFileSync(file, JSON.stringify(wf));

  const training = runTraining(file, data, 230_000);

  expect(training).toMatch(/warning: no visible effect/);
  const diagnosis = training.match(/\n {4}(loss curve: .*)/)?.[1];
  expect(diagnosis).toMatch(/the LoRA check finds no visible effect/);
  expect(diagnosis).toMatch(/Suggested action: increase the steps/);
  expect(diagnosis).not.toMatch(/Suggested action: keep training\./);
});
