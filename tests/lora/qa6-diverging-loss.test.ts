/**
 * QA (session 6, S6-F18): at learning rate 1 the quick start's validation loss rose from 0.3789 before training to
 * 1.4741 after 30 steps (+289%), and the diagnosis said "flat from the start: learning too slow. Suggested action:
 * increase the learning rate" — the step-0 minimum made the drop 0, which read as flat. The series is the real run's
 * (tests/lora/loss-series/style-diverges.json says the command).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeDiagnosis, diagnoseLoss } from '../../nodes/lora/diagnose';

type Series = { heldOut: boolean; losses: number[]; validation: { step: number; valLoss: number }[] };
const diverging = JSON.parse(readFileSync(join(__dirname, 'loss-series', 'style-diverges.json'), 'utf8')) as Series;

test('a validation loss that rises from the start says the training diverges and to lower the learning rate', () => {
  const d = diagnoseLoss(diverging.losses, diverging.validation, { heldOut: diverging.heldOut });
  expect(d.verdict).toBe('diverging');
  const text = describeDiagnosis(d);
  expect(text).toMatch(/reduce the learning rate/);
  expect(text).not.toMatch(/increase the learning rate|learning too slow/);
  expect(text).toMatch(/0\.3789 \(step 0\) -> 1\.4741 \(step 30\), 289\.\d%/);
});
