/**
 * The SD 1.5 workflow through the real engine (planning, cache keys, resource slots, the artifact store), on a tiny
 * generated checkpoint:
 *
 *   model(LoadModel sd15) ──────────────────────────────┬──────────────> sample(Sample)
 *   images(LoadImages) ─> cap(Caption) ─> res(Resize 64) ─> train(TrainLoRA) ─┬─> sample.loras
 *                                                                             └─> save(SaveCheckpoint)
 *
 * A first run executes every node and writes the LoRA; an unchanged rerun executes nothing; a new sample seed reruns
 * only Sample.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { caption } from '../../nodes/dataset/caption';
import { loadImages } from '../../nodes/dataset/load-images';
import { resize } from '../../nodes/dataset/resize';
import { saveCheckpointNode } from '../../nodes/lora/save-checkpoint';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { loadModelNode } from '../../nodes/model/load-model';
import { sampleNode } from '../../nodes/model/sample';
import type { NodeDefinition } from '../../nodes/api';
import { writeTinySd15 } from '../../ml/sd/tiny';
import { graph, testEngine, type TestEngine } from '../engine/helpers';

jest.setTimeout(300_000);

let engine: TestEngine;
beforeAll(async () => {
  engine = testEngine([
    loadModelNode,
    loadImages,
    caption,
    resize,
    trainLoraNode,
    saveCheckpointNode,
    sampleNode,
  ] as NodeDefinition[]);
  await writeTinySd15(join(engine.dir, 'tiny.safetensors'), { dtype: 'F16' });
  mkdirSync(join(engine.dir, 'discs'));
  for (const i of [0, 1, 2, 3]) {
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="${16 + 8 * i}" cy="32" r="14" fill="#c33"/></svg>`;
    writeFileSync(
      join(engine.dir, 'discs', `d${i}.png`),
      await sharp(Buffer.from(svg)).flatten({ background: '#fff' }).png().toBuffer(),
    );
    writeFileSync(join(engine.dir, 'discs', `d${i}.txt`), 'disc, circle\n');
  }
}, 120_000);
afterAll(() => engine.dispose());

const workflow = (seed: number) =>
  graph(
    [
      'model:LoadModel{"family":"sd15","checkpoint":"tiny.safetensors"}',
      'images:LoadImages{"folder":"discs"}',
      'cap:Caption{"mode":"keep","trigger":"xyz_disc"}',
      'res:Resize{"resolution":64}',
      'train:TrainLoRA{"steps":4,"rank":4,"alpha":4,"learningRate":0.01,"checkpointEvery":2,"stepsPerRun":2,"loraCheck":false,"sampleEvery":0}',
      'save:SaveCheckpoint{"folder":"loras","name":"discs"}',
      `sample:Sample{"prompts":["xyz_disc, disc"],"steps":3,"width":64,"height":64,"seed":${seed},"loraStrengths":["1"]}`,
    ],
    [
      'images.dataset -> cap.dataset',
      'cap.dataset -> res.dataset',
      'model.model -> train.model',
      'res.dataset -> train.dataset',
      'train.lora -> save.lora',
      'model.model -> sample.model',
      'train.lora -> sample.loras',
    ],
  );

test('an SD 1.5 workflow runs, reruns from the cache, and reruns only what a changed parameter reaches', async () => {
  const first = await engine.run(workflow(1));
  const failed = first.events.find((e) => e.type === 'node.failed');
  expect(failed).toBeUndefined();
  expect(first.outcome).toBe('succeeded');
  expect(existsSync(join(engine.dir, 'loras', 'discs.safetensors'))).toBe(true);
  const finished = (id: string) => first.events.find((e) => e.type === 'node.finished' && e.nodeId === id);
  expect(finished('train')).toMatchObject({ outputs: { lora: { step: 4, modules: 192 } } });

  const again = await engine.run(workflow(1));
  expect(again.outcome).toBe('succeeded');
  expect(again.events.filter((e) => e.type === 'node.started')).toEqual([]);

  const reseeded = await engine.run(workflow(2));
  expect(reseeded.events.filter((e) => e.type === 'node.started').map((e) => e.nodeId)).toEqual(['sample']);
});
