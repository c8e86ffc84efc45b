/**
 * The training summary's diagnosis and the diagnosis warned at a checkpoint before it (QA S6-F7): the SD 1.5 tiny
 * run's summary read "loss curve: steadily decreasing …", then "warning: step 30: loss curve: flat from the start …",
 * three verdicts with the check's. The checkpoint's one must say the final line replaces it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEntry } from '../../protocol/api';
import type { RunDetail } from '../../protocol/messages';
import type { WorkflowFile } from '../../protocol/workflow';
import { formatTrainingSummaries } from '../../server/cli/training-summary';

const workflow = JSON.parse(
  readFileSync(join(__dirname, '../../workflows/quickstart-style-lora.json'), 'utf8'),
) as WorkflowFile;
const lora = (step: number, valLoss: number) => ({
  kind: 'loraflow.lora',
  name: `xyz_style-step${step}`,
  step,
  valLoss,
  artifact: { $artifact: `s${step}.safetensors`, mime: 'application/octet-stream', name: `s${step}`, bytes: 1 },
});
const detail: RunDetail = {
  id: 'r1',
  status: 'succeeded',
  name: 'SD 1.5 style',
  createdAt: 1,
  workflow: { ...workflow, nodes: workflow.nodes.filter((n) => n.id === 'train'), edges: [] },
  nodes: {
    train: { nodeId: 'train', status: 'succeeded', outputs: { checkpoints: [lora(30, 1.3568), lora(40, 1.3456)] } },
  },
};
const log = (level: LogEntry['level'], message: string): LogEntry => ({ nodeId: 'train', level, message, at: 1 });
const stale =
  'step 30: loss curve: flat from the start: learning too slow (validation loss on held-out images 1.3945 (step 0) -> 1.3568 (step 30, lowest), -2.7%). Suggested action: increase the learning rate.';
const noEffect = 'no visible effect: with the trigger the images change by at most 1.5 (0-255, at step 40 @ 1)';

it('a diagnosis warned at a checkpoint is marked as superseded by the final one', () => {
  const logs = [
    log('warn', stale),
    log('info', 'loss curve: steadily decreasing: training is working (…). Suggested action: continue as planned.'),
    log('warn', noEffect),
    log('info', 'loss curve: steadily decreasing: training is working (…), but the LoRA check finds no visible effect'),
  ];
  const lines = formatTrainingSummaries(
    detail,
    () => logs,
    (id) => id,
    (ref) => ref.$artifact,
  );
  expect(lines).toContain(
    '    loss curve: steadily decreasing: training is working (…), but the LoRA check finds no visible effect',
  );
  expect(lines).toContain(
    `    warning: at step 30, superseded by the diagnosis above: ${stale.slice('step 30: '.length)}`,
  );
  expect(lines).toContain(`    warning: ${noEffect}`);
});
