/**
 * TrainLoRA's minTimestep / maxTimestep (kohya's min_timestep / max_timestep): only that part of the noise schedule
 * is trained, in the built-in model's feed (times in [0, 1]) and in SD's batches (integer timesteps of 1,000); the
 * file records the range as kohya does; a range that trains nothing is refused naming the parameter; and the whole
 * schedule keys a run as before, so runs started before these parameters existed still resume.
 */
import { rmSync } from 'node:fs';
import { drawBatch, type FeedSpec } from '../../ml/lora/feed';
import { readLora } from '../../ml/lora/file';
import { TINY_CONFIG } from '../../ml/dit/config';
import { createUnetLoraTask } from '../../ml/sd/train-step';
import { syntheticSdCheckpoint } from '../../ml/sd/tiny';
import { TINY_SD15_WIDTHS } from '../../ml/sd/widths';
import { CounterRng } from '../../ml/train/rng';
import { NodeUserError } from '../../nodes/api';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { runKey } from '../../nodes/lora/run-info';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { TRAIN_PARAMS, type TrainLoraParams } from '../../nodes/lora/train-params';
import { nodeContext } from '../support/node-context';
import { prepare, runNode, TINY_TRAIN, type Prepared } from './setup';

jest.setTimeout(120_000);

const feed = (timeRange?: readonly [number, number]): FeedSpec => ({
  images: new Uint8Array(2 * 32 * 32 * 3),
  size: 32,
  captions: ['xyz_style, cat', 'xyz_style, dog'],
  indices: [0, 1],
  batch: 400,
  textLength: 24,
  captionDropout: 0,
  shuffleTags: false,
  keepTokens: 1,
  dropout: 0,
  ...(timeRange ? { timeRange } : {}),
});

describe('timestep range', () => {
  it('the built-in feed draws times only inside the range, and the whole range draws what it drew before', () => {
    const t = drawBatch(feed([0, 0.3]), new CounterRng(4)).t;
    expect(Math.max(...t)).toBeLessThan(0.3);
    expect(Math.min(...t)).toBeGreaterThan(0);
    const whole = drawBatch(feed([0, 1]), new CounterRng(4)).t;
    expect(Array.from(whole)).toEqual(Array.from(drawBatch(feed(), new CounterRng(4)).t));
    // Logit-normal over the whole schedule puts a good share above 0.3: the range is what keeps them out.
    expect(whole.filter((x) => x >= 0.3).length).toBeGreaterThan(200);
  });

  it("SD batches draw integer timesteps in [min, max), as kohya's min/max_timestep", () => {
    const wave = (n: number, f: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f));
    const task = (timesteps?: readonly [number, number]) =>
      createUnetLoraTask(syntheticSdCheckpoint(TINY_SD15_WIDTHS, 3), {
        ...{ rank: 2, alpha: 2, batch: 64, prediction: 'epsilon', latents: [wave(4 * 64, 0.3)] },
        ...{ contexts: [wave(77 * 64, 0.05)], latentShape: [4, 8, 8], contextShape: [77, 64] },
        ...(timesteps ? { timesteps } : {}),
      });
    const drawn = (timesteps?: readonly [number, number]): number[] =>
      Array.from(task(timesteps).nextBatch(new CounterRng(9), 0).t as BigInt64Array, Number);
    const ranged = drawn([200, 210]);
    expect(ranged.every((t) => t >= 200 && t < 210)).toBe(true);
    expect(new Set(ranged).size).toBeGreaterThan(5);
    expect(Math.max(...drawn())).toBeGreaterThan(500);
  });
});

describe('TrainLoRA with a timestep range', () => {
  let p: Prepared;
  beforeAll(async () => {
    p = await prepare(6);
  });
  afterAll(() => rmSync(p.dataDir, { recursive: true, force: true }));
  const quick = { ...TINY_TRAIN, steps: 6, sampleEvery: 0, checkpointEvery: 6, loraCheck: false };

  it('trains, says so in its log and records ss_min_timestep / ss_max_timestep in the file', async () => {
    const ctx = nodeContext(p.dataDir);
    const out = await runNode(
      trainLoraNode,
      { ...quick, maxTimestep: 600 },
      { model: p.model, dataset: p.dataset },
      ctx,
    );
    expect(ctx.logs.join('\n')).toMatch(/timesteps 0-600 of 1000/);
    const lora = await readLora(ctx.artifacts.pathOf((out.lora as LoraValue).artifact), TINY_CONFIG);
    expect([lora.metadata.ss_min_timestep, lora.metadata.ss_max_timestep]).toEqual(['0', '600']);
  });

  it('refuses a range that trains nothing, naming maxTimestep', async () => {
    const run = runNode(
      trainLoraNode,
      { ...quick, minTimestep: 700, maxTimestep: 700 },
      { model: p.model, dataset: p.dataset },
      nodeContext(p.dataDir),
    );
    await expect(run).rejects.toThrow(NodeUserError);
    await expect(run).rejects.toMatchObject({ param: 'maxTimestep', message: expect.stringMatching(/above the min/) });
  });

  it('keys a run over the whole schedule as before the range existed, so an interrupted run still resumes', () => {
    const defaults = Object.fromEntries(TRAIN_PARAMS.map((s) => [s.name, s.default])) as unknown as TrainLoraParams;
    const { minTimestep: _a, maxTimestep: _b, ...before } = defaults;
    const key = (params: TrainLoraParams) => runKey(params, ['builtin'], ['inputs', 'sha']);
    expect(key(defaults)).toBe(key(before as TrainLoraParams));
    expect(key({ ...defaults, maxTimestep: 600 })).not.toBe(key(defaults));
  });
});
