/**
 * What `loraflow run` prints once a training node is done: speed, the validation loss of each kept checkpoint,
 * the loss diagnosis and the files written (not only warnings).
 *
 *   LoadModel ─────────────┬──────────────┐
 *   LoadImages -> Caption -> Resize -> TrainLoRA (20 steps, a checkpoint every 10)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowFile } from '../../protocol/workflow';
import { writeStyleDataset, writeTinyModel } from './fixtures';

jest.setTimeout(180_000);

const REPO = join(__dirname, '..', '..');

it('loraflow run prints steps/s, validation loss per checkpoint, the diagnosis and the files of TrainLoRA', async () => {
  const data = mkdtempSync(join(tmpdir(), 'loraflow-summary-'));
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

  const res = spawnSync(process.execPath, [join(REPO, 'bin/loraflow.js'), 'run', file, '--data', data], {
    encoding: 'utf8',
    env: { ...process.env, LORAFLOW_EXTRA_NODES: '', LORAFLOW_CPU_SLOTS: '2' },
    timeout: 170_000,
  });
  expect([res.status, res.stdout.slice(-2000), res.stderr.slice(-2000)]).toEqual([
    0,
    expect.anything(),
    expect.anything(),
  ]);
  const training = res.stdout.slice(res.stdout.indexOf('\ntraining:\n'));
  expect(training).toMatch(/\(train\): 20 steps in [\d.]+ s \([\d.]+ steps\/s\)/);
  expect(training).toMatch(/validation loss: step 10 \d\.\d{4}.*step 20 \d\.\d{4}/);
  expect(training).toMatch(/\(lowest\)/);
  expect(training).toMatch(/\n {4}loss curve: .*Suggested action: /);
  expect(training.match(/loss curve:/g)).toHaveLength(1);
  const files = [...training.matchAll(/step (\d+): \S+ -> (\S+)/g)];
  expect(files.map((f) => f[1])).toEqual(expect.arrayContaining(['10', '20']));
  for (const [, , path] of files) expect(existsSync(path!)).toBe(true);
});
