/**
 * QA S8-SD11 (the summary half): `loraflow run` of a training that had already reached its steps (rerun with only
 * sampleEvery raised: it resumes at its last checkpoint and trains nothing) printed "4 steps in 0.9 s (4.5 steps/s)",
 * a speed from no step at all; a run resumed halfway counted every step as trained in this run's time.
 */
import type { LogEntry } from '../../protocol/api';
import type { NodeState, RunDetail } from '../../protocol/messages';
import { formatTrainingSummaries } from '../../server/cli/training-summary';
import { readExample } from './harness';

const wf = readExample('sd15-style-lora');
const artifact = { $artifact: 'a.safetensors', mime: 'application/octet-stream', name: 'a', bytes: 1 };

/** The summary's first line for a TrainLoRA that ended at `step` after `ms` and logged `messages`. */
function speedLine(step: number, ms: number, messages: string[]): string {
  const train: NodeState = {
    nodeId: 'train',
    status: 'succeeded',
    startedAt: 0,
    finishedAt: ms,
    progress: { value: step, max: step },
    outputs: { lora: { kind: 'loraflow.lora', name: `x-step${step}`, step, artifact } },
  };
  const detail: RunDetail = {
    id: 'r',
    status: 'succeeded',
    name: wf.name,
    createdAt: 1,
    workflow: wf,
    nodes: { train },
  };
  const logs = messages.map((message, i): LogEntry => ({ at: i, level: 'info', nodeId: 'train', message }));
  return formatTrainingSummaries(
    detail,
    () => logs,
    (id) => id,
    () => 'a',
  )[0]!;
}

test('a training resumed at its last step says nothing was left to train, with no speed', () => {
  expect(speedLine(4, 900, ['resumed from the checkpoint at step 4 of 4'])).toBe(
    '  train: already trained to step 4 by an earlier run (resumed at its last checkpoint): no step left to train',
  );
});

test('a training resumed halfway counts the steps it trained in this run', () => {
  expect(speedLine(40, 10_000, ['resumed from the checkpoint at step 30 of 40'])).toBe(
    '  train: steps 31-40 (resumed at 30) in 10.0 s (1.0 steps/s)',
  );
  expect(speedLine(40, 10_000, [])).toBe('  train: 40 steps in 10.0 s (4.0 steps/s)');
});
