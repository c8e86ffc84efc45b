/** Automatic steps follow the guide (~100 per image at batch 1) with the batch size taken into account. */
import { preflightWarnings } from '../../nodes/lora/train-inputs';
import { describePlan, planSteps } from '../../nodes/lora/steps-plan';
import type { Dataset } from '../../nodes/dataset/types';

describe('steps plan', () => {
  it("18 images at batch 4 train the guide's 100 epochs (450 steps), not 1,800 steps = 400 epochs", () => {
    const p = planSteps(0, 18, 4);
    expect(p.steps).toBe(450);
    expect(p.epochs).toBe(100);
    expect(describePlan(p)).toBe(
      "450 steps at batch 4 = 100 epochs of 18 image(s), from the guide's ~100 steps per image at batch 1",
    );
  });

  it('keeps the batch-1 counts of the guide table at batch 1 (20 images: 2000 steps)', () => {
    expect(planSteps(0, 20, 1).steps).toBe(2000);
    expect(planSteps(0, 10, 1).steps).toBe(1000);
  });

  it('shows the epochs of steps the user chose', () => {
    expect(describePlan(planSteps(400, 20, 4))).toBe('400 steps at batch 4 = 80 epochs of 20 image(s)');
  });

  it('judges "far beyond the guide" on images seen, so a large batch is not excused', () => {
    const ds: Dataset = { items: [], warnings: [], trigger: 'x' };
    expect(preflightWarnings(ds, 'style', 1000, 'x', 20, 1).join()).not.toMatch(/far beyond/);
    const w = preflightWarnings(ds, 'style', 1500, 'x', 20, 4).join();
    expect(w).toMatch(
      /1500 steps is far beyond the guide's 2000-2500 \(500-625 at batch 4\) for 20 images: 300 epochs/,
    );
  });
});
