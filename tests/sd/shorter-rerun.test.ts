/**
 * QA F0 on the SD path: TrainLoRA on a tiny SD 1.5 checkpoint for 8 steps, then again in the same data folder with
 * 5 steps (what the loss diagnosis's "fewer steps may do" leads a user to). The runs share one state folder; the
 * shorter one must end with its own LoRA at step 5 and leave the longer run's later checkpoints in place.
 *
 *   LoadModel(sd15) ──────────────────────────────┐
 *   LoadImages ─> Caption ─> Resize(64) ─> TrainLoRA (8 steps) ; TrainLoRA (5 steps)
 */
import type { LoraValue } from '../../nodes/lora/lora-value';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import type { JsonValue } from '../../protocol/values';
import { checkpointStepsOnDisk } from '../support/checkpoint-steps';
import { nodeContext, runNode } from '../support/node-context';
import { prepareDiscs } from './disc-setup';
import { tinyCheckpoint } from './fixtures';

jest.setTimeout(600_000);

let dataDir: string;
let model: JsonValue;
let dataset: JsonValue;

beforeAll(async () => {
  ({ dataDir, model, dataset } = await prepareDiscs('sd-shorter', 'sd15', (root, name) =>
    tinyCheckpoint(root, name, { dtype: 'F16' }),
  ));
}, 120_000);

const TRAIN = {
  batch: 1,
  rank: 4,
  alpha: 4,
  learningRate: 0.01,
  checkpointEvery: 2,
  keepLast: 2,
  sampleEvery: 0,
  stepsPerRun: 1,
  loraCheck: false,
  captionDropout: 0,
  samplePrompts: [],
};
const stepsOnDisk = (): number[] => checkpointStepsOnDisk(dataDir);

it('an SD 1.5 rerun with fewer steps ends with its own LoRA and keeps the longer run’s later checkpoints', async () => {
  const long = await runNode(trainLoraNode, { ...TRAIN, steps: 8 }, { model, dataset }, nodeContext(dataDir));
  expect((long.lora as LoraValue).step).toBe(8);

  const short = await runNode(trainLoraNode, { ...TRAIN, steps: 5 }, { model, dataset }, nodeContext(dataDir));
  expect((short.lora as LoraValue).step).toBe(5);
  const picked = (short.checkpoints as LoraValue[]).map((c) => c.step ?? Infinity);
  expect(Math.max(...picked, (short.best as LoraValue).step ?? Infinity)).toBeLessThanOrEqual(5);
  expect(stepsOnDisk()).toEqual(expect.arrayContaining([4, 5, 6, 8]));
});
