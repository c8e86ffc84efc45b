/**
 * The LoRA check's figures as findings a user can act on, in the guide's troubleshooting words: "no visible effect"
 * (underfitting), "bleeding" (changes things you did not intend), the subject lost, "overfitting: pick checkpoint N",
 * or a LoRA that answers to its trigger. Each finding carries the figures behind it.
 */
import {
  CHECK_LIMITS,
  bleedsAt,
  cellScore,
  isCleanCell,
  losesSubject,
  type CellFigures,
  type CheckFigures,
} from './check-figures';

export type FindingKind = 'no-effect' | 'bleeding' | 'subject-lost' | 'overfitting' | 'answers-to-trigger';

export interface Finding {
  kind: FindingKind;
  /** True when something should be done about it. */
  bad: boolean;
  text: string;
}

const px = (x: number): string => x.toFixed(1);
const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
const where = (c: CellFigures): string => `${c.step !== undefined ? `step ${c.step}` : c.name} @ ${c.strength}`;

/**
 * "subject survival 88%", capped at 100%: survival is the LoRA's share of recognised prompts over the base model's
 * own, so above 1 the LoRA's images were told apart more often than the base model's (with 2 prompts the base model
 * at 1 of 2 made every cell "200%"). That is the subject kept, no more; the raw shares say by how much.
 */
export function survivalText(c: CellFigures, f: CheckFigures, short = false): string {
  if (c.survival <= 1) return `subject survival ${pct(c.survival)}`;
  if (short) return `subject survival 100% (recognised ${pct(c.recognised)}, base model ${pct(f.baseRecognised)})`;
  return `subject survival 100% (recognised ${pct(c.recognised)} of the time, more often than the base model's own ${pct(f.baseRecognised)})`;
}

/** "effect 21.3 (0.62 of a change of seed), bleeding 2.1 (10% of the effect), subject survival 100%". */
export function describeCell(c: CellFigures, f: CheckFigures): string {
  const share = c.effect > 0 ? c.bleeding / c.effect : 0;
  return `effect ${px(c.effect)} (${(c.effect / f.seedChange).toFixed(2)} of a change of seed), bleeding ${px(c.bleeding)} (${pct(share)} of the effect), ${survivalText(c, f)}`;
}

/**
 * What the report says next to a pick the check itself warns about: the pick only avoids warned cells when one with a
 * visible effect is unwarned (bestCell), so a warned pick means every cell checked has a warning.
 */
export function pickNote(f: CheckFigures): string {
  const best = f.cells[f.best];
  if (!best || best.effect / f.seedChange < CHECK_LIMITS.visibleEffect || isCleanCell(best, f.seedChange)) return '';
  return ' (picked although it has a finding: every checkpoint x strength checked has one)';
}

/** The findings of a check; `lastStep` is the run's last step (for "pick checkpoint N"). */
export function checkFindings(f: CheckFigures): Finding[] {
  const out: Finding[] = [];
  const best = f.cells[f.best];
  if (!best) return out;
  const strongest = f.cells.reduce((a, b) => (b.effect > a.effect ? b : a));
  if (strongest.effect / f.seedChange < CHECK_LIMITS.visibleEffect) {
    out.push({
      kind: 'no-effect',
      bad: true,
      text: `no visible effect: with the trigger the images change by at most ${px(strongest.effect)} (0-255, at ${where(strongest)}), ${(strongest.effect / f.seedChange).toFixed(2)} of a change of seed (${px(f.seedChange)}). Increase the steps, raise the learning rate, and verify the trigger word is in the prompts.`,
    });
    return out;
  }
  const bleedShare = best.effect > 0 ? best.bleeding / best.effect : 0;
  if (bleedsAt(best, f.seedChange))
    out.push({
      kind: 'bleeding',
      bad: true,
      text: `bleeding: without the trigger the images change by ${px(best.bleeding)}, ${pct(bleedShare)} of the change with it (${px(best.effect)}) at ${where(best)}. Lower the strength, make the captions more specific, add regularisation images (prior preservation) or train the text encoder too.${pickNote(f)}`,
    });
  if (losesSubject(best))
    out.push({
      kind: 'subject-lost',
      bad: true,
      text: `the prompted subject is lost: recognised ${pct(best.recognised)} of the time with the LoRA at ${where(best)} vs ${pct(f.baseRecognised)} by the base model (survival ${pct(best.survival)}). Lower the strength or the steps.${pickNote(f)}`,
    });
  const lastStep = Math.max(...f.cells.map((c) => c.step ?? -1));
  const last = f.cells.filter((c) => c.step === lastStep);
  const lastBest = last.reduce<CellFigures | undefined>(
    (a, b) => (!a || cellScore(b, f.seedChange) > cellScore(a, f.seedChange) ? b : a),
    undefined,
  );
  if (
    best.step !== undefined &&
    lastBest &&
    best.step < lastStep &&
    cellScore(lastBest, f.seedChange) < 0.8 * cellScore(best, f.seedChange) &&
    // A difference smaller than a tenth of a change of seed is noise, not a reason to go back.
    cellScore(best, f.seedChange) - cellScore(lastBest, f.seedChange) > 0.1
  )
    out.push({
      kind: 'overfitting',
      bad: true,
      text: `overfitting: pick checkpoint ${best.step} (at strength ${best.strength}: ${describeCell(best, f)}; the last, step ${lastStep} @ ${lastBest.strength}: ${describeCell(lastBest, f)}).`,
    });
  if (!out.some((x) => x.bad))
    out.push({
      kind: 'answers-to-trigger',
      bad: false,
      text: `the LoRA answers to its trigger at ${where(best)}: ${describeCell(best, f)}.`,
    });
  return out;
}
