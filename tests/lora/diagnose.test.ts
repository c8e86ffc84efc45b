/** The guide's "Diagnosing from Loss Curves" table applied to curves a user could see. */
import { describeDiagnosis, diagnoseLoss } from '../../nodes/lora/diagnose';

const noise = (i: number, a: number) => a * Math.sin(i * 12.9898) * 0.5;
const curve = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
const val = (...v: number[]) => v.map((valLoss, i) => ({ step: (i + 1) * 100, valLoss }));

describe('loss diagnosis', () => {
  it.each([
    [
      'steadily decreasing',
      curve(200, (i) => 1 - i / 400 + noise(i, 0.1)),
      val(0.9, 0.8, 0.7, 0.65),
      'decreasing',
      'continue as planned',
    ],
    [
      'flat from the start',
      curve(200, (i) => 0.5 + noise(i, 0.1)),
      val(0.5, 0.5, 0.5, 0.5),
      'flat',
      'increase the learning rate',
    ],
    [
      'drops then rises',
      curve(200, (i) => 1 - i / 400 + noise(i, 0.1)),
      val(0.9, 0.7, 0.6, 0.75, 0.85),
      'overfitting',
      'stop earlier and use the best checkpoint',
    ],
    [
      'erratic',
      curve(200, (i) => (i < 40 ? 0.5 + noise(i, 0.05) : 0.5 + noise(i, 0.9))),
      val(0.5, 0.5, 0.5),
      'erratic',
      'reduce the learning rate',
    ],
    [
      'a sudden spike',
      curve(200, (i) => (i === 150 ? 9 : 0.5 - i / 1000 + noise(i, 0.05))),
      val(0.5, 0.45),
      'spikes',
      'check the dataset and review the settings',
    ],
  ])('%s', (_name, losses, validation, verdict, action) => {
    const d = diagnoseLoss(losses, validation);
    expect(d.verdict).toBe(verdict);
    expect(describeDiagnosis(d)).toContain(`Suggested action: ${action}`);
  });

  it('names the checkpoint before overfitting', () => {
    const d = diagnoseLoss(
      curve(100, () => 0.5),
      val(0.9, 0.7, 0.6, 0.75, 0.85),
    );
    expect(d.bestStep).toBe(300);
  });

  it('does not judge a handful of steps', () => {
    expect(diagnoseLoss([1, 0.9, 0.8], []).verdict).toBe('too-early');
  });
});
