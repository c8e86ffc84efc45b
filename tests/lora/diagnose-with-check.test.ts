/**
 * The final diagnosis with the LoRA check (QA S6-F7): the SD 1.5 tiny run of session 6 (40 steps, validation
 * 1.3945 -> 1.3456, -3.5%) ended "steadily decreasing: training is working … continue as planned" next to the
 * check's "no visible effect" (0.05 of a change of seed). The headline must be the check's finding.
 */
import { checkFindings } from '../../nodes/lora/check-findings';
import { bestCell, type CellFigures, type CheckFigures } from '../../nodes/lora/check-figures';
import { describeDiagnosis, describeWithCheck, diagnoseLoss } from '../../nodes/lora/diagnose';

const losses = Array.from({ length: 40 }, (_, i) => 0.2 - i / 2000 + 0.02 * Math.sin(i * 12.9898));
const validation = [
  { step: 0, valLoss: 1.3945 },
  { step: 30, valLoss: 1.3568 },
  { step: 40, valLoss: 1.3456 },
];
const seedChange = 30;
const cell = (step: number, effect: number, bleeding: number, survival: number): CellFigures => ({
  step,
  name: `step ${step}`,
  strength: 1,
  effect,
  bleeding,
  survival,
  recognised: survival,
});
const figures = (cells: CellFigures[]): CheckFigures => ({
  prompts: 2,
  seedChange,
  baseRecognised: 1,
  cells,
  best: bestCell(cells, seedChange),
});

describe('final diagnosis with the LoRA check', () => {
  const d = diagnoseLoss(losses, validation, { heldOut: true });

  it('a falling loss next to "no visible effect" is headlined as no visible effect, not "continue as planned"', () => {
    expect(describeDiagnosis(d)).toMatch(/training is working.*continue as planned/);
    const findings = checkFindings(figures([cell(20, 1.2, 0.3, 1), cell(40, 1.5, 0.4, 1)]));
    expect(findings.map((f) => f.kind)).toEqual(['no-effect']);
    const text = describeWithCheck(d, findings);
    expect(text).toMatch(/^loss curve: /);
    expect(text).toMatch(/the LoRA check finds no visible effect/);
    expect(text).toMatch(/Suggested action: increase the steps/);
    expect(text).not.toMatch(/Suggested action: continue as planned/);
    expect(text).toMatch(/\(not "continue as planned"\)\.$/);
    expect(text).toMatch(/1\.3945 \(step 0\) -> 1\.3456 \(step 40, lowest\), -3\.5%/);
  });

  it('a check that finds nothing to do leaves the loss diagnosis as it is', () => {
    const findings = checkFindings(figures([cell(40, 20, 1, 1)]));
    expect(findings.map((f) => f.kind)).toEqual(['answers-to-trigger']);
    expect(describeWithCheck(d, findings)).toBeUndefined();
  });

  it('a bad loss verdict stays the headline (the check agrees or adds its own warning)', () => {
    const flat = diagnoseLoss(losses, validation.slice(0, 2).concat({ step: 35, valLoss: 1.39 }), { heldOut: true });
    expect(flat.verdict).toBe('flat');
    const findings = checkFindings(figures([cell(40, 1.5, 0.4, 1)]));
    expect(describeWithCheck(flat, findings)).toBeUndefined();
  });
});
