/**
 * QA F0: the loss diagnosis says "fewer steps may do", the user lowers Steps and runs TrainLoRA again in the same
 * data folder. Runs that differ only in steps share one state folder, so the earlier run's later checkpoints are
 * there; the shorter run must still end with its own LoRA, and must not silently destroy the longer run's work.
 *
 *   tiny model ─┐
 *   dataset ────┴─> TrainLoRA (8 steps) ; TrainLoRA (5 steps) ; TrainLoRA (8 steps again)
 */
import { rmSync } from 'node:fs';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { checkpointStepsOnDisk } from '../support/checkpoint-steps';
import { nodeContext } from '../support/node-context';
import { prepare, runNode, TINY_TRAIN, type Prepared } from './setup';

jest.setTimeout(120_000);

let p: Prepared;
beforeAll(async () => {
  p = await prepare(10);
});
afterAll(() => rmSync(p.dataDir, { recursive: true, force: true }));

const inputs = () => ({ model: p.model, dataset: p.dataset });
const quick = {
  ...TINY_TRAIN,
  checkpointEvery: 2,
  keepLast: 2,
  stepsPerRun: 1,
  sampleEvery: 0,
  samplePrompts: [],
  loraCheck: false,
};
const stepsOnDisk = (): number[] => checkpointStepsOnDisk(p.dataDir);

it('a rerun with fewer steps ends with its own LoRA and keeps the longer run’s later checkpoints', async () => {
  const long = await runNode(trainLoraNode, { ...quick, steps: 8 }, inputs(), nodeContext(p.dataDir));
  expect((long.lora as LoraValue).step).toBe(8);
  expect(stepsOnDisk()).toEqual(expect.arrayContaining([6, 8]));

  const ctx = nodeContext(p.dataDir);
  const short = await runNode(trainLoraNode, { ...quick, steps: 5 }, inputs(), ctx);
  expect((short.lora as LoraValue).step).toBe(5);
  const picked = (short.checkpoints as LoraValue[]).map((c) => c.step ?? Infinity);
  expect(picked.at(-1)).toBe(5);
  expect(Math.max(...picked, (short.best as LoraValue).step ?? Infinity)).toBeLessThanOrEqual(5); // nothing beyond its own steps
  expect(ctx.metrics.at(-1)!.step).toBe(5);
  // Retention counted only this run's range: its last two (4, 5) are kept, the longer run's 6 and 8 are untouched.
  expect(stepsOnDisk()).toEqual(expect.arrayContaining([4, 5, 6, 8]));

  // Back to 8 steps: the longer run's last checkpoint is still there, so it finishes at once.
  const again = nodeContext(p.dataDir);
  const back = await runNode(trainLoraNode, { ...quick, steps: 8 }, inputs(), again);
  expect((back.lora as LoraValue).step).toBe(8);
  expect(again.logs.join('\n')).toMatch(/resumed from the checkpoint at step 8 of 8/);
});
