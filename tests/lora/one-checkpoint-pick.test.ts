/**
 * One recommendation, not two: when a LoRA check picks among TrainLoRA's checkpoints, the loss diagnosis names the
 * validation loss's lowest step but defers to the check (its held-out split is a couple of images), and the CLI
 * summary says which checkpoint to use.
 *
 *   train(TrainLoRA) --checkpoints--> check(LoRACheck) --best--> save(SaveCheckpoint)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointPickerOf } from '../../nodes/lora/checkpoint-picker';
import { describeDiagnosis, diagnoseLoss } from '../../nodes/lora/diagnose';
import { formatTrainingSummaries } from '../../server/cli/training-summary';
import type { RunDetail } from '../../protocol/messages';
import type { WorkflowFile } from '../../protocol/workflow';

const quickStart = (): WorkflowFile =>
  JSON.parse(readFileSync(join(__dirname, '../../workflows/quickstart-style-lora.json'), 'utf8')) as WorkflowFile;
const losses = Array.from({ length: 200 }, (_, i) => 1 - i / 400 + 0.05 * Math.sin(i * 12.9898));
// The quick start's shape: lowest at step 100, higher at every later checkpoint.
const validation = [0.3, 0.25, 0.27, 0.28, 0.29, 0.3].map((valLoss, i) => ({ step: i * 100, valLoss }));

test('the quick start has its LoRA check as the checkpoint picker; a muted check picks nothing', () => {
  const wf = quickStart();
  expect(checkpointPickerOf(wf, 'train', false, 2)).toEqual({ by: 'the "LoRA check" node', validationImages: 2 });
  wf.nodes.find((n) => n.id === 'check')!.mode = 'mute';
  expect(checkpointPickerOf(wf, 'train', false, 2)).toBeUndefined();
  expect(checkpointPickerOf(wf, 'train', true, 2)?.by).toBe("this node's LoRA check");
});

test('with a LoRA check the overfitting diagnosis names the loss minimum but recommends the check pick', () => {
  const d = diagnoseLoss(losses, validation);
  expect(d.verdict).toBe('overfitting');
  expect(describeDiagnosis(d)).toContain('pick checkpoint 100');
  const text = describeDiagnosis(d, { by: 'the LoRA check "check"', validationImages: 2 });
  expect(text).not.toMatch(/pick checkpoint 100/);
  expect(text).toContain('The validation loss was lowest at step 100');
  expect(text).toContain('the held-out split is only 2 images');
  expect(text).toContain('Suggested action: use the checkpoint the LoRA check "check" picks');
});

test("the CLI summary names the check's checkpoint as the one to use, and why not the loss's lowest", () => {
  const lora = (step: number, valLoss: number, strength?: number) => ({
    kind: 'loraflow.lora',
    name: `xyz_style-step${step}`,
    step,
    valLoss,
    ...(strength !== undefined ? { strength } : {}),
    artifact: { $artifact: `s${step}.safetensors`, mime: 'application/octet-stream', name: `s${step}`, bytes: 1 },
  });
  const detail: RunDetail = {
    id: 'r1',
    status: 'succeeded',
    name: 'Quick start',
    createdAt: 1,
    workflow: quickStart(),
    nodes: {
      train: { nodeId: 'train', status: 'succeeded', outputs: { checkpoints: [lora(100, 0.25), lora(500, 0.3)] } },
      check: { nodeId: 'check', status: 'succeeded', outputs: { best: lora(500, 0.3, 1) } },
    },
  };
  const lines = formatTrainingSummaries(
    detail,
    () => [],
    (id) => id,
    (ref) => ref.$artifact,
  );
  expect(lines).toContain(
    '    checkpoint to use: step 500 @ strength 1, picked by the LoRA check "check" on sampled images' +
      " (not step 100, the validation loss's lowest: its held-out split is a few images)",
  );
  // The check passes its pick on; it trained nothing, so it has no summary of its own ("check: 500 steps in 16 s").
  expect(lines.filter((l) => /^ {2}\S/.test(l))).toEqual(['  train: 500 steps']);
});
