/**
 * Defects a QA engineer found in `loraflow run` (session 5), on a real process training the tiny emoji model:
 *
 *   LoadModel ─────────────┬──────────────┐
 *   LoadImages -> Caption -> Resize -> TrainLoRA (20 steps, prior preservation's class images, LoRA check at the end)
 *
 *   - the progress line names the phase it counts ("generating class images 14/60"), not a bare count that
 *     jumps from 60/60 to 1/20 and then to 0/88;
 *   - the summary counts the training steps (20), not the last phase's units (88 for the LoRA check);
 *   - a run slower than a step a second (SDXL on a CPU: 2 steps in 3.6 min) reads in seconds per step, not "0.0 steps/s".
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunDetail } from '../../protocol/messages';
import type { WorkflowFile } from '../../protocol/workflow';
import { formatTrainingSummaries } from '../../server/cli/training-summary';
import { quickstartTrainingFolder } from '../lora/cli-run';

const REPO = join(__dirname, '..', '..');

let stdout = '';
let stderr = '';

beforeAll(async () => {
  const { data, file } = await quickstartTrainingFolder('qa5-phases');
  const wf = JSON.parse(readFileSync(file, 'utf8')) as WorkflowFile;
  Object.assign(wf.nodes.find((n) => n.id === 'train')!.params, { loraCheck: true, classImages: 1 });
  writeFileSync(file, JSON.stringify(wf));
  const res = spawnSync(process.execPath, [join(REPO, 'bin/loraflow.js'), 'run', file, '--data', data], {
    encoding: 'utf8',
    env: { ...process.env, LORAFLOW_EXTRA_NODES: '', LORAFLOW_CPU_SLOTS: '2' },
    timeout: 240000,
  });
  expect([res.status, res.stderr.slice(-2000)]).toEqual([0, expect.anything()]);
  stdout = res.stdout;
  stderr = res.stderr;
}, 300000);

test("a training node's progress lines name the phase they count", () => {
  const lines = (stdout + stderr).split('\n').filter((l) => l.startsWith('Train LoRA (style preset) (train) '));
  expect(lines.some((l) => /\bgenerating class images\b.*\[[#-]+\]\s+\d+\/\d+/.test(l))).toBe(true);
});

test('the training summary counts the steps trained, not the units of the LoRA check that ran after them', () => {
  const summary = stdout.slice(stdout.indexOf('\ntraining:\n'));
  expect(summary).toMatch(/Train LoRA \(style preset\) \(train\): 20 steps in /);
});

test('a training slower than a step a second reads in seconds per step', () => {
  const wf = JSON.parse(readFileSync(join(REPO, 'workflows', 'sdxl-style-lora.json'), 'utf8')) as WorkflowFile;
  const artifact = { $artifact: 'a.safetensors', mime: 'application/octet-stream', name: 'a', bytes: 1 };
  const detail: RunDetail = {
    id: 'r1',
    status: 'succeeded',
    name: wf.name,
    createdAt: 1,
    workflow: wf,
    nodes: {
      train: {
        nodeId: 'train',
        status: 'succeeded',
        startedAt: 0,
        finishedAt: 216_000,
        progress: { value: 0, max: 1, label: 'checkpoint at step 2: validation loss' },
        outputs: { lora: { kind: 'loraflow.lora', name: 'xyz_style_sdxl-step000002', step: 2, artifact } },
      },
    },
  };
  const [line] = formatTrainingSummaries(
    detail,
    () => [],
    (id) => id,
    () => 'a',
  );
  expect(line).toBe('  train: 2 steps in 3.6 min (108.0 s/step)');
});
