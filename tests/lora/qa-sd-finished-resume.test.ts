/**
 * QA-SD S8-SD11: a finished TrainLoRA run again with `sampleEvery` raised (to see in-training samples) resumed from its
 * last checkpoint at step N of N, trained nothing and drew no sample, without a word. It now warns that training had
 * already finished, so in-training samples come only with steps still to train, and where to look at the checkpoints.
 *
 *   tiny model ─┐
 *   dataset ────┴─> TrainLoRA (4 steps, sampleEvery 0) ; TrainLoRA (4 steps, sampleEvery 2)
 */
import { rmSync } from 'node:fs';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { nodeContext } from '../support/node-context';
import { prepare, runNode, TINY_TRAIN, type Prepared } from './setup';

jest.setTimeout(120_000);

let p: Prepared;
beforeAll(async () => {
  p = await prepare(10);
});
afterAll(() => rmSync(p.dataDir, { recursive: true, force: true }));

const inputs = () => ({ model: p.model, dataset: p.dataset });
const quick = { ...TINY_TRAIN, steps: 4, checkpointEvery: 2, stepsPerRun: 1, loraCheck: false };

it('raising sampleEvery on a finished run warns that no in-training samples are drawn, and why', async () => {
  const first = nodeContext(p.dataDir);
  await runNode(trainLoraNode, { ...quick, sampleEvery: 0 }, inputs(), first);
  expect(first.warnings.join('\n')).not.toMatch(/already finished/);

  const again = nodeContext(p.dataDir);
  await runNode(trainLoraNode, { ...quick, sampleEvery: 2 }, inputs(), again);
  expect(again.logs.join('\n')).toMatch(/resumed from the checkpoint at step 4 of 4/);
  expect(again.warnings.join('\n')).toMatch(
    /training had already finished at step 4 .*no in-training samples .*raise Steps.*Sample or LoRACheck/,
  );
});
