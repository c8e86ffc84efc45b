/**
 * Pretraining, small scale:
 *
 *   [BuildEmojiCorpus limit=12] --corpus--> [TrainBaseModel size=tiny] --model--> [SaveModel] / [Sample]
 */
import * as fs from 'node:fs';
import { buildCorpus } from '../../ml/corpus';
import { TINY_CONFIG } from '../../ml/dit/config';
import { createTask } from '../../ml/dit/train-task';
import { loadModel } from '../../ml/dit/weights';
import { Trainer } from '../../ml/train/trainer';
import { buildEmojiCorpusNode } from '../../nodes/model/build-emoji-corpus';
import type { ModelValue } from '../../nodes/model/model-value';
import { saveModelNode } from '../../nodes/model/save-model';
import { trainBaseModelNode } from '../../nodes/model/train-base-model';
import { runNode, tempContext, type TestNodeContext } from '../support/node-context';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('pretraining the base model', () => {
  let ctx: TestNodeContext;
  beforeAll(() => {
    ctx = tempContext('model');
  });
  afterAll(() => ctx.cleanup());

  it('a tiny model trained for a few seconds lowers its rectified-flow loss', async () => {
    const corpus = await buildCorpus({ dataDir: ctx.root, limit: 12 });
    const task = await createTask({ config: TINY_CONFIG, corpusDir: corpus.dir, batch: 8 });
    const trainer = await Trainer.create(task, {
      seed: 1,
      optimizer: { kind: 'adamw', weightDecay: 0 },
      schedule: { kind: 'constant', lr: 2e-3, totalSteps: 80 },
      stepsPerRun: 10,
      clipNorm: 1,
      threads: 1,
    });
    const losses = (await trainer.train(80)).flatMap((r) => r.losses);
    await trainer.release();
    expect(losses).toHaveLength(80);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(mean(losses.slice(-20))).toBeLessThan(0.9 * mean(losses.slice(0, 10)));
  });

  it('TrainBaseModel resumes from its checkpoint when the steps are raised, and SaveModel writes fp16 weights', async () => {
    const { corpus } = await runNode(buildEmojiCorpusNode, { limit: 12 }, {}, ctx);
    const params = {
      size: 'tiny',
      batch: 4,
      steps: 10,
      checkpointEvery: 5,
      stepsPerRun: 5,
      sampleEvery: 0,
      warmupSteps: 0,
    };
    const steps: number[] = [];
    const progress = ctx.progress;
    ctx.progress = (value, max, metrics) => {
      if (metrics?.loss !== undefined) steps.push(value);
      progress(value, max, metrics);
    };
    await runNode(trainBaseModelNode, params, { corpus }, ctx);
    expect(steps).toEqual([5, 10]);
    // Each checkpoint is a structured event (the chart's markers), with its file and the loss before it.
    expect(ctx.checkpoints.map((c) => [c.step, c.file])).toEqual([
      [5, 'checkpoint.safetensors'],
      [10, 'checkpoint.safetensors'],
    ]);
    for (const c of ctx.checkpoints) expect(c.loss).toBeGreaterThan(0);
    steps.length = 0;
    const { model } = await runNode(trainBaseModelNode, { ...params, steps: 15 }, { corpus }, ctx);
    expect(steps).toEqual([15]); // continued from step 10, not from 0
    ctx.progress = progress;

    const m = model as unknown as ModelValue;
    const trained = await loadModel(ctx.artifacts.pathOf(m.artifact!));
    expect(JSON.parse(trained.metadata['loraflow.train'] ?? '{}').steps).toBe(15);
    const { file } = await runNode(saveModelNode, { file: 'models/tiny.safetensors' }, { model }, ctx);
    const saved = file as { path: string; bytes: number };
    expect(fs.existsSync(saved.path)).toBe(true);
    const header = JSON.parse(
      fs
        .readFileSync(saved.path)
        .subarray(8, 8 + Number(fs.readFileSync(saved.path).readBigUInt64LE(0)))
        .toString(),
    );
    expect(header['blocks.0.attn.q.weight'].dtype).toBe('F16');
    expect(header.__metadata__['modelspec.architecture']).toBe('loraflow-emoji-dit');
    await expect(
      runNode(saveModelNode, { file: 'models/tiny.safetensors', overwrite: false }, { model }, ctx),
    ).rejects.toThrow(/already exists/);
  });
});
