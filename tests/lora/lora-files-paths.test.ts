/**
 * LoRA files and paths: `<lora:name:w>` files are part of Sample's cache key (replacing one reruns the sampling),
 * and SaveCheckpoint's name template cannot fill to a nameless `.safetensors`.
 *
 *   model:LoadModel{tiny} ──▶ s:Sample{prompts: ["cat <lora:style:1>"]}   (reads loras/style.safetensors)
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TINY_CONFIG } from '../../ml/dit/config';
import { linearModules } from '../../ml/dit/params';
import { writeKohya } from '../../ml/lora/file';
import type { LoraAdapter } from '../../ml/lora/types';
import { builtinNodes } from '../../nodes';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { saveCheckpointNode } from '../../nodes/lora/save-checkpoint';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { graph } from '../engine/helpers';
import {
  createArtifactStore,
  createMemoryCache,
  createPathPolicy,
  createRegistry,
  executeWorkflow,
} from '../../server/engine';
import type { EngineEnv, ExecutorEvent } from '../../server/engine/types';
import { nodeContext, runNode, tempDataDir } from '../support/node-context';
import { writeTinyModel } from './fixtures';

jest.setTimeout(120_000);

/** A small random LoRA on the tiny model's first diffusion layers; `seed` makes two files differ. */
async function writeRandomLora(file: string, seed: number): Promise<void> {
  let s = seed;
  const rand = (n: number) =>
    Float32Array.from({ length: n }, () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.5);
  const adapters: LoraAdapter[] = linearModules(TINY_CONFIG)
    .filter((m) => m.part === 'unet')
    .slice(0, 6)
    .map((m) => ({
      module: m.name,
      rank: 2,
      alpha: 2,
      in: m.in,
      out: m.out,
      down: rand(2 * m.in),
      up: rand(2 * m.out),
    }));
  mkdirSync(dirname(file), { recursive: true });
  await writeKohya(file, adapters, { ss_output_name: 'style' }, 'F32');
}

let dataDir: string;
let root: string;
beforeAll(async () => {
  dataDir = tempDataDir('lora-paths');
  root = join(dataDir, 'root');
  await writeTinyModel(join(root, 'tiny.safetensors'));
  await writeRandomLora(join(root, 'loras', 'style.safetensors'), 1);
  await writeRandomLora(join(dataDir, 'other.safetensors'), 2);
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('replacing the file a <lora:name:w> tag reads makes Sample run again; leaving it serves the cache', async () => {
  const env: EngineEnv = {
    registry: createRegistry(builtinNodes),
    cache: createMemoryCache(),
    artifacts: createArtifactStore(join(dataDir, 'artifacts')),
    paths: createPathPolicy([root]),
    workRoot: join(dataDir, 'work'),
    cpuSlots: 2,
    gpuDevices: [],
  };
  const wf = graph(
    ['model:LoadModel{"file":"tiny.safetensors"}', 's:Sample{"prompts":["cat <lora:style:1>"],"steps":2,"batch":1}'],
    ['model.model -> s.model'],
  );
  const run = async (n: number) => {
    const events: ExecutorEvent[] = [];
    const outcome = await executeWorkflow(env, {
      runId: `r${n}`,
      workflow: wf,
      signal: new AbortController().signal,
      onEvent: (e) => events.push(e),
    });
    expect(outcome).toBe('succeeded');
    return events.filter((e) => e.nodeId === 's').map((e) => e.type)[0];
  };
  expect(await run(1)).toBe('node.started');
  expect(await run(2)).toBe('node.cached');
  copyFileSync(join(dataDir, 'other.safetensors'), join(root, 'loras', 'style.safetensors'));
  expect(await run(3)).toBe('node.started'); // before: node.cached, with images of the old LoRA
});

test('SaveCheckpoint refuses a name that fills to nothing (`..`), naming the parameter', async () => {
  const ctx = nodeContext(dataDir);
  const lora: LoraValue = {
    kind: 'loraflow.lora',
    name: 'style',
    artifact: await ctx.artifacts.putFile(
      join(root, 'loras', 'style.safetensors'),
      'application/octet-stream',
      'style.safetensors',
    ),
    rank: 2,
    alpha: 2,
    modules: 6,
  };
  await expect(runNode(saveCheckpointNode, { name: '..' }, { lora: lora as never }, ctx)).rejects.toMatchObject({
    param: 'name',
    message: expect.stringContaining('parameter "name"'),
  });
  expect(existsSync(join(root, 'loras', '.safetensors'))).toBe(false);
});

test('TrainLoRA refuses an output name that is a path before it trains, naming the parameter', async () => {
  const ctx = nodeContext(dataDir);
  for (const outputName of ['../../outside/pwned', 'a/../../x', '..', 'x'.repeat(300)])
    await expect(runNode(trainLoraNode, { outputName }, {}, ctx)).rejects.toMatchObject({
      param: 'outputName',
      message: expect.stringMatching(/^parameter "outputName": the name/),
    });
});
