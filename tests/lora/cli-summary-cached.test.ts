/**
 * A rerun served from the cache trains nothing, yet `loraflow run` still ends with what the training found: the
 * loss-curve diagnosis is the one the run that trained it logged, not a blank.
 *
 *   LoadModel ─────────────┬──────────────┐
 *   LoadImages -> Caption -> Resize -> TrainLoRA (20 steps, a checkpoint every 10)      run twice, same data folder
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowFile } from '../../protocol/workflow';
import { writeStyleDataset, writeTinyModel } from './fixtures';

jest.setTimeout(240_000);

const REPO = join(__dirname, '..', '..');

it('a cached TrainLoRA prints the diagnosis of the run that trained it', async () => {
  const data = mkdtempSync(join(tmpdir(), 'loraflow-summary-cached-'));
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
  const run = (): string => {
    const res = spawnSync(process.execPath, [join(REPO, 'bin/loraflow.js'), 'run', file, '--data', data], {
      encoding: 'utf8',
      env: { ...process.env, LORAFLOW_EXTRA_NODES: '', LORAFLOW_CPU_SLOTS: '2' },
      timeout: 110_000,
    });
    expect([res.status, res.stderr.slice(-2000)]).toEqual([0, expect.anything()]);
    return res.stdout.slice(res.stdout.indexOf('\ntraining:\n'));
  };

  const trained = run();
  const diagnosis = /\n {4}(loss curve: .*)/.exec(trained)?.[1];
  expect(diagnosis).toMatch(/Suggested action: /);

  const cached = run();
  expect(cached).toMatch(/\(train\): served from the cache/);
  expect(cached).toContain(`\n    ${diagnosis}`);
  expect(cached.match(/loss curve:/g)).toHaveLength(1);
});
