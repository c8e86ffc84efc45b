/**
 * The set-up of the `loraflow run` tests of training: a data folder with the tiny model and the style dataset, the
 * quick start cut to its training chain, and the command run as a user runs it (a real process).
 *
 *   LoadModel ─────────────┬──────────────┐
 *   LoadImages -> Caption -> Resize -> TrainLoRA (20 steps, a checkpoint every 10)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowFile } from '../../protocol/workflow';
import { writeStyleDataset, writeTinyModel } from './fixtures';

const REPO = join(__dirname, '..', '..');

/** A fresh data folder holding `base.safetensors`, 20 style images and the training workflow `train.json`. */
export async function quickstartTrainingFolder(tag: string): Promise<{ data: string; file: string }> {
  const data = mkdtempSync(join(tmpdir(), `loraflow-${tag}-`));
  await writeTinyModel(join(data, 'base.safetensors'));
  await writeStyleDataset(join(data, 'examples', 'twemoji-style'), 20);
  const wf = JSON.parse(readFileSync(join(REPO, 'workflows', 'quickstart-style-lora.json'), 'utf8')) as WorkflowFile;
  const keep = new Set(['model', 'images', 'caption', 'resize', 'train']);
  wf.nodes = wf.nodes.filter((n) => keep.has(n.id));
  wf.edges = wf.edges.filter((e) => keep.has(e.from.node) && keep.has(e.to.node));
  wf.nodes.find((n) => n.id === 'model')!.params.file = 'base.safetensors';
  Object.assign(wf.nodes.find((n) => n.id === 'train')!.params, {
    steps: 20,
    batch: 2,
    rank: 4,
    alpha: 4,
    learningRate: 0.01,
    checkpointEvery: 10,
    sampleEvery: 0,
    loraCheck: false,
  });
  const file = join(data, 'train.json');
  writeFileSync(file, JSON.stringify(wf));
  return { data, file };
}

/** Runs `loraflow run <file> --data <data>`, which must succeed; returns its summary from the `training:` line on. */
export function runTraining(file: string, data: string, timeoutMs: number): string {
  const res = spawnSync(process.execPath, [join(REPO, 'bin/loraflow.js'), 'run', file, '--data', data], {
    encoding: 'utf8',
    env: { ...process.env, LORAFLOW_EXTRA_NODES: '', LORAFLOW_CPU_SLOTS: '2' },
    timeout: timeoutMs,
  });
  // The output's tails are in the comparison so that a failure shows them.
  expect([res.status, res.stdout.slice(-2000), res.stderr.slice(-2000)]).toEqual([
    0,
    expect.anything(),
    expect.anything(),
  ]);
  return res.stdout.slice(res.stdout.indexOf('\ntraining:\n'));
}
