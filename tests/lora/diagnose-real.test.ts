/**
 * The loss diagnosis on loss series recorded from real runs of the quick start on the shipped model (each file says
 * the command): the guide's table read from the validation loss, and honesty where the loss cannot tell.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeDiagnosis, diagnoseLoss } from '../../nodes/lora/diagnose';

type Series = { heldOut: boolean; losses: number[]; validation: { step: number; valLoss: number }[] };
const series = (name: string): Series =>
  JSON.parse(readFileSync(join(__dirname, 'loss-series', `${name}.json`), 'utf8')) as Series;
const diagnose = (s: Series) => diagnoseLoss(s.losses, s.validation, { heldOut: s.heldOut });

describe('loss diagnosis of real runs', () => {
  it('a flat validation loss (lr 1e-6: -1% in 400 steps) is "flat from the start", never "training is working"', () => {
    const d = diagnose(series('style-flat'));
    expect(d.verdict).toBe('flat');
    const text = describeDiagnosis(d);
    expect(text).not.toMatch(/training is working/);
    expect(text).toMatch(/increase the learning rate/);
    expect(text).toMatch(/0\.3784 \(step 50\) -> 0\.3745 \(step 400, lowest\), -1\.0%/);
  });

  it('a held-out validation loss that drops then rises names the checkpoint to pick, with the figures', () => {
    const d = diagnose(series('style-overfits'));
    expect(d.verdict).toBe('overfitting');
    expect(d.bestStep).toBe(200);
    expect(describeDiagnosis(d)).toMatch(/pick checkpoint 200 .*0\.2627 \(step 200, lowest\) -> 0\.2810 \(step 400\)/);
  });

  it('with 10 images (no held-out split) it says overfitting cannot be told from the loss and points to the LoRA check', () => {
    const d = diagnose(series('ten-images'));
    expect(d.heldOut).toBe(false);
    const text = describeDiagnosis(d);
    expect(text).toMatch(/overfitting cannot be told from this loss/);
    expect(text).toMatch(/LoRA check/);
    expect(text).not.toMatch(/training is working/);
  });

  it('one unlucky batch (7x the median loss at step 31 of the quick start) is not "sudden spikes"', () => {
    const s = series('quickstart-prior');
    const at100 = diagnoseLoss(s.losses.slice(0, 100), s.validation.slice(0, 2));
    expect(at100.verdict).not.toBe('spikes');
    expect(diagnose(s).verdict).toBe('overfitting');
  });
});
