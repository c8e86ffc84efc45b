/**
 * The LoRA check's pick against its own warnings, on the figures of QA session 6's quick start (S6-F2): the pick
 * (and so SaveCheckpoint's file) was step 500 @ 1, the cell the check warned "the prompted subject is lost" about,
 * while step 500 @ 0.7 and step 100 @ 0.7 raised no finding.
 */
import { bestCell, type CellFigures, type CheckFigures } from '../../nodes/lora/check-figures';
import { checkFindings, describeCell, pickNote, survivalText } from '../../nodes/lora/check-findings';

const SEED_CHANGE = 25.6;
const cell = (step: number, strength: number, effect: number, bleeding: number, recognised: number): CellFigures => ({
  step,
  name: `step ${step}`,
  strength,
  effect,
  bleeding,
  survival: recognised,
  recognised,
});
const figures = (cells: CellFigures[]): CheckFigures => ({
  prompts: 8,
  seedChange: SEED_CHANGE,
  baseRecognised: 1,
  cells,
  best: bestCell(cells, SEED_CHANGE),
});

describe('LoRA check pick', () => {
  const quickStart = [
    cell(100, 0.7, 34.0, 11.6, 0.875),
    cell(500, 0.7, 41.0, 12.9, 0.875),
    cell(500, 1, 52.6, 18.1, 0.75),
  ];

  it('does not pick a cell it warns about when a cell without a warning has a visible effect', () => {
    const f = figures(quickStart);
    expect(f.cells[f.best]).toMatchObject({ step: 500, strength: 0.7 });
    expect(checkFindings(f).map((x) => x.kind)).toEqual(['answers-to-trigger']);
    expect(pickNote(f)).toBe('');
  });

  it('says next to the pick that every cell has a finding when none is clean', () => {
    const f = figures([cell(100, 0.7, 34.0, 11.6, 0.625), cell(500, 1, 52.6, 18.1, 0.75)]);
    expect(f.cells[f.best]).toMatchObject({ step: 500, strength: 1 });
    const lost = checkFindings(f).find((x) => x.kind === 'subject-lost');
    expect(lost?.text).toMatch(/every checkpoint x strength checked has one/);
    expect(pickNote(f)).toMatch(/picked although it has a finding/);
  });

  it('still ignores a clean cell without a visible effect', () => {
    // A cell barely changed (0.05 of a change of seed) keeps the subject trivially; it is no pick over a real effect.
    const f = figures([cell(100, 0.7, 1.3, 0.2, 1), cell(500, 1, 52.6, 18.1, 0.75)]);
    expect(f.cells[f.best]).toMatchObject({ step: 500, strength: 1 });
  });
});

describe('LoRA check subject survival text', () => {
  // QA S6-F8: 2 prompts, the base model recognising 1 of them across seeds, every LoRA cell both: "survival 200%".
  const twoPrompts: CheckFigures = {
    prompts: 2,
    seedChange: SEED_CHANGE,
    baseRecognised: 0.5,
    cells: [{ ...cell(10, 1, 1.2, 0.4, 1), survival: 2 }],
    best: 0,
  };

  it('never reads above 100%, and says the LoRA was recognised more often than the base model', () => {
    const text = describeCell(twoPrompts.cells[0]!, twoPrompts);
    expect(Math.max(...[...text.matchAll(/(\d+)%/g)].map((m) => Number(m[1])))).toBe(100);
    expect(text).toMatch(
      /subject survival 100% \(recognised 100% of the time, more often than the base model's own 50%\)/,
    );
    expect(survivalText(twoPrompts.cells[0]!, twoPrompts, true)).toBe(
      'subject survival 100% (recognised 100%, base model 50%)',
    );
  });

  it('shows survival under 100% as it is', () => {
    const f = figures([cell(500, 1, 52.6, 18.1, 0.75)]);
    expect(describeCell(f.cells[0]!, f)).toMatch(/subject survival 75%$/);
  });
});
