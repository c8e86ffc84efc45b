/**
 * The quick start, end to end through the real executor, with tiny settings:
 *
 *   LoadModel ──────────────┬──────────────┬───────────────┬──────────┐
 *   LoadImages -> Caption -> Resize -> TrainLoRA -> Sample (0 / 0.7 / 1.0)
 *                            └> DatasetReport  └─ checkpoints -> LoRACheck -> best -> SaveCheckpoint -> data/loras/
 *
 * Its LoRA measurably changes the samples of prompts with the trigger word, and the saved file carries the workflow.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { builtinNodes } from '../../nodes';
import type { WorkflowFile } from '../../protocol/workflow';
import {
  createArtifactStore,
  createMemoryCache,
  createPathPolicy,
  createRegistry,
  executeWorkflow,
} from '../../server/engine';
import type { ExecutorEvent } from '../../server/engine/types';
import { meanAbsDiff, writeStyleDataset, writeTinyModel } from './fixtures';

jest.setTimeout(180_000);

type Images = { items: { image: { $artifact: string }; caption: string }[] };

it('the quick start trains a LoRA that changes samples with the trigger word, saves it with its workflow, and is cached or continued on rerun', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'loraflow-quickstart-'));
  try {
    const root = join(dataDir, 'root');
    await writeTinyModel(join(root, 'base.safetensors'));
    await writeStyleDataset(join(root, 'examples', 'twemoji-style'), 20);
    const wf = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'workflows', 'quickstart-style-lora.json'), 'utf8'),
    ) as WorkflowFile;
    const node = (id: string) => wf.nodes.find((n) => n.id === id)!;
    node('model').params.file = 'base.safetensors'; // the shipped weights may not exist yet
    Object.assign(node('train').params, {
      steps: 20,
      batch: 2,
      rank: 4,
      alpha: 4,
      learningRate: 0.01,
      checkpointEvery: 10,
      sampleEvery: 0,
      stepsPerRun: 5,
    });
    Object.assign(node('sample').params, { steps: 4 });
    const env = {
      registry: createRegistry(builtinNodes),
      cache: createMemoryCache(),
      artifacts: createArtifactStore(join(dataDir, 'artifacts')),
      paths: createPathPolicy([root]),
      workRoot: join(dataDir, 'work'),
      cpuSlots: 2,
      gpuDevices: [],
    };
    const events: ExecutorEvent[] = [];
    const outcome = await executeWorkflow(env, {
      runId: 'quickstart',
      workflow: wf,
      signal: new AbortController().signal,
      onEvent: (e) => void events.push(e),
    });
    const failed = events.filter((e) => e.type === 'node.failed');
    expect(failed).toEqual([]);
    expect(outcome).toBe('succeeded');
    const finished = (id: string) =>
      events.find(
        (e): e is Extract<ExecutorEvent, { type: 'node.finished' }> => e.type === 'node.finished' && e.nodeId === id,
      )!;
    expect(wf.nodes.map((n) => n.id).filter((id) => !finished(id))).toEqual([]);
    // Per-step metrics of TrainLoRA reached the event stream.
    expect(events.filter((e) => e.type === 'node.metrics' && e.nodeId === 'train').length).toBeGreaterThanOrEqual(20);

    // Sample: rows strength 0 / 0.7 / 1.0, columns the 6 prompts (3 with the trigger, 3 without).
    const items = (finished('sample').outputs.images as Images).items;
    expect(items).toHaveLength(18);
    const pixels = (i: number) => sharp(env.artifacts.pathOf(items[i]!.image.$artifact)).raw().toBuffer();
    let change = 0;
    for (let p = 0; p < 3; p++) change += meanAbsDiff(await pixels(p), await pixels(12 + p)) / 3;
    expect(change).toBeGreaterThan(1); // mean absolute change of 0-255 pixel values with the trigger, strength 1 vs 0

    // The LoRA check ends the run with figures a user can act on, and the checkpoint it chose is what is saved.
    const check = finished('check').outputs;
    expect(check.summary).toMatch(
      /^best step \d+ @ (0\.7|1): effect [\d.]+, bleeding [\d.]+ \(\d+% of effect\), subject survival \d+%( \(recognised \d+%, base model \d+%\))?; /,
    );
    expect(String(check.summary).length).toBeLessThanOrEqual(200); // the command line shows 200 characters
    const chosen = check.best as { step: number };
    const file = (finished('save').outputs.file as { path: string }).path;
    expect(file).toMatch(new RegExp(`step0*${chosen.step}\\.safetensors$`));
    expect(file.startsWith(join(root, 'loras'))).toBe(true);
    expect(existsSync(file)).toBe(true);
    const bytes = readFileSync(file);
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as {
      __metadata__: Record<string, string>;
    };
    const embedded = JSON.parse(header.__metadata__['loraflow.workflow'] ?? 'null') as WorkflowFile | null;
    expect(embedded?.nodes.map((n) => n.type)).toEqual(wf.nodes.map((n) => n.type));

    // Rerun unchanged: TrainLoRA is served from the cache. Raise only its steps: it continues from step 20.
    const again: ExecutorEvent[] = [];
    const run = (w: WorkflowFile, id: string) =>
      executeWorkflow(env, {
        runId: id,
        workflow: w,
        targets: ['train'],
        signal: new AbortController().signal,
        onEvent: (e) => void again.push(e),
      });
    expect(await run(wf, 'rerun')).toBe('succeeded');
    expect(again.some((e) => e.type === 'node.cached' && e.nodeId === 'train')).toBe(true);
    node('train').params.steps = 30;
    expect(await run(wf, 'more-steps')).toBe('succeeded');
    const logs = again
      .filter((e) => e.type === 'node.log' && e.nodeId === 'train')
      .map((e) => (e as { message: string }).message);
    expect(logs.join('\n')).toMatch(/resumed from the checkpoint at step 20 of 30/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
