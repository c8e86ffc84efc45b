/**
 * The guide's "Diagnosing from Loss Curves" table applied to the VALIDATION loss (fixed noise and timesteps, so it
 * moves only when the LoRA does): steadily decreasing, flat from the start, drops then rises (overfitting), erratic,
 * or sudden spikes (those from the per-step training loss); each with its action. Not in the guide's table: rising from
 * the start (diverging), which the flat rule alone read as "learning too slow". With too few images for a held-out
 * split the validation images are training images, and such a loss cannot show overfitting: the diagnosis says so
 * and points to the LoRA check, whose findings (check-findings.ts) join the loss's.
 */
import type { Finding, FindingKind } from './check-findings';

export type LossVerdict = 'too-early' | 'decreasing' | 'flat' | 'diverging' | 'overfitting' | 'erratic' | 'spikes';

export interface Diagnosis {
  verdict: LossVerdict;
  meaning: string;
  action: string;
  /** For overfitting: the step of the validation minimum (the checkpoint to use). */
  bestStep?: number;
  /** The figures behind the verdict, e.g. "validation loss 0.2724 -> 0.2627 (step 200) -> 0.2810". */
  figures: string;
  /** False when the validation images are training images: overfitting cannot be told from the loss. */
  heldOut: boolean;
}

export interface DiagnoseOptions {
  /** Whether the validation loss is on held-out images (default true). */
  heldOut?: boolean;
}

const TABLE: Record<LossVerdict, { meaning: string; action: string }> = {
  'too-early': { meaning: 'not enough steps to judge yet', action: 'keep training' },
  decreasing: { meaning: 'steadily decreasing: training is working', action: 'continue as planned' },
  flat: { meaning: 'flat from the start: learning too slow', action: 'increase the learning rate' },
  diverging: {
    meaning: 'rising from the start: the training diverges (learning rate too high)',
    action: 'reduce the learning rate',
  },
  overfitting: { meaning: 'drops then rises: overfitting', action: 'stop earlier and use the best checkpoint' },
  erratic: { meaning: 'erratic/oscillating: learning rate too high', action: 'reduce the learning rate' },
  spikes: { meaning: 'sudden spikes: corrupt data or a bug', action: 'check the dataset and review the settings' },
};

/**
 * A drop of the validation loss below this share of its start is flat: learning too slow (a run at lr 1e-6 on the
 * quick start dropped 1.0% in 400 steps; at lr 5e-4, 30%). The loss has no sampling noise, only the LoRA's moves.
 */
const FLAT = 0.03;
/** A rise after the minimum above this share of it (and a tenth of the drop) is "drops then rises". */
const RISE = 0.015;

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const f4 = (x: number): string => x.toFixed(4);

/** "validation loss 0.2724 (step 0) -> 0.2627 (step 200, lowest) -> 0.2810 (step 400)". */
function validationFigures(v: readonly { step: number; valLoss: number }[], heldOut: boolean): string {
  if (v.length === 0) return 'no validation loss yet';
  const best = v.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
  const first = v[0]!;
  const last = v.at(-1)!;
  const parts = [`${f4(first.valLoss)} (step ${first.step})`];
  if (best !== first && best !== last) parts.push(`${f4(best.valLoss)} (step ${best.step}, lowest)`);
  if (last !== first) parts.push(`${f4(last.valLoss)} (step ${last.step}${best === last ? ', lowest' : ''})`);
  const on = heldOut ? 'held-out' : 'training';
  return `validation loss on ${on} images ${parts.join(' -> ')}, ${(100 * ((last.valLoss - first.valLoss) / first.valLoss)).toFixed(1)}%`;
}

/** Spikes and oscillation, from the per-step training loss (the validation curve has too few points for them). */
function trainingLossVerdict(losses: readonly number[]): LossVerdict | undefined {
  const w = Math.max(5, Math.floor(losses.length / 5));
  const first = losses.slice(0, w);
  const last = losses.slice(-w);
  const m0 = mean(first);
  const sd = Math.sqrt(mean(first.map((x) => (x - m0) ** 2)));
  const median = [...losses].sort((a, b) => a - b)[Math.floor(losses.length / 2)]!;
  // A diffusion loss of one small batch can be 7x the median at an unlucky draw of timesteps (the quick start at
  // lr 0.002 had one at step 31): a spike is non-finite or an order of magnitude above the usual.
  if (losses.some((x) => !Number.isFinite(x) || x > Math.max(10 * median, median + 10 * sd))) return 'spikes';
  const m1 = mean(last);
  const sdLast = Math.sqrt(mean(last.map((x) => (x - m1) ** 2)));
  if (sdLast > Math.max(sd * 2.5, m1 * 0.6)) return 'erratic';
  return undefined;
}

/** The validation curve's shape: overfitting (minimum inside, end clearly above), flat, diverging, erratic or decreasing. */
function validationVerdict(v: readonly { step: number; valLoss: number }[]): LossVerdict {
  const start = v[0]!;
  const end = v.at(-1)!;
  const best = v.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
  const drop = (start.valLoss - best.valLoss) / Math.max(1e-9, start.valLoss);
  // Never clearly below its start and ending above it: not too slow but too fast (lr 1 on the quick start: +289%).
  if (drop < FLAT && end.valLoss - start.valLoss > RISE * start.valLoss) return 'diverging';
  if (drop < FLAT) return 'flat';
  const rise = end.valLoss - best.valLoss;
  if (best !== end && rise > 0.1 * (start.valLoss - best.valLoss) && rise > RISE * best.valLoss) return 'overfitting';
  // Oscillating: the path up and down is much longer than the way down.
  let path = 0;
  for (let i = 1; i < v.length; i++) path += Math.abs(v[i]!.valLoss - v[i - 1]!.valLoss);
  if (v.length >= 4 && path > 3 * Math.max(1e-9, start.valLoss - end.valLoss)) return 'erratic';
  return 'decreasing';
}

/**
 * Diagnoses the per-step training losses and the validation losses (by step, the first one before training when
 * known). The verdict comes from the validation curve where it has three points or more; spikes and oscillation from
 * the training loss; with only training losses, the trend of their window means.
 */
export function diagnoseLoss(
  losses: readonly number[],
  validation: readonly { step: number; valLoss: number }[],
  options: DiagnoseOptions = {},
): Diagnosis {
  const heldOut = options.heldOut ?? true;
  const figures = validationFigures(validation, heldOut);
  const at = (v: LossVerdict, bestStep?: number): Diagnosis => ({
    verdict: v,
    ...TABLE[v],
    bestStep,
    figures,
    heldOut,
  });
  if (losses.length < 20) return at('too-early');
  const fromTraining = trainingLossVerdict(losses);
  if (fromTraining === 'spikes') return at('spikes');
  if (validation.length >= 3) {
    const v = validationVerdict(validation);
    if (v === 'overfitting') {
      const best = validation.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
      // On training images a loss that rises again is not overfitting but instability.
      return heldOut ? at('overfitting', best.step) : at('erratic');
    }
    return at(v === 'erratic' || fromTraining === 'erratic' ? 'erratic' : v);
  }
  if (fromTraining) return at(fromTraining);
  const w = Math.max(5, Math.floor(losses.length / 5));
  const relDrop = (mean(losses.slice(0, w)) - mean(losses.slice(-w))) / Math.max(1e-9, mean(losses.slice(0, w)));
  return at(relDrop < FLAT ? 'flat' : 'decreasing');
}

/**
 * Who chooses the checkpoint when a LoRA check runs on this training's checkpoints: its pick is made on sampled
 * images, the validation loss's on a few held-out ones, so the loss must not name a second "pick".
 */
export interface CheckpointPicker {
  /** E.g. 'the LoRA check "check"'. */
  by: string;
  /** How many images the validation loss is measured on. */
  validationImages: number;
}

/** The overfitting line when a LoRA check picks the checkpoint: the loss's pick, and why the check's is used. */
function deferredOverfitting(d: Diagnosis, bestStep: number, picker: CheckpointPicker): string {
  const n = picker.validationImages;
  return `loss curve: ${d.meaning} (${d.figures}). The validation loss was lowest at step ${bestStep}, but the held-out split is only ${n} image${n === 1 ? '' : 's'}, too few to choose a checkpoint by; ${picker.by} compares every checkpoint on sampled images, so its pick is the one to use. Suggested action: use the checkpoint ${picker.by} picks; next time, fewer steps may do.`;
}

/** One line for the node: what the curve means, the figures behind it, and what to do. */
export function describeDiagnosis(d: Diagnosis, picker?: CheckpointPicker): string {
  if (d.bestStep !== undefined && picker) return deferredOverfitting(d, d.bestStep, picker);
  const best = d.bestStep !== undefined ? `: pick checkpoint ${d.bestStep} (validation loss was lowest there)` : '';
  if (!d.heldOut && d.verdict === 'decreasing')
    return `loss curve: the loss on the training images is decreasing: the LoRA is fitting them (${d.figures}). With fewer than 20 images no image is held out, so overfitting cannot be told from this loss: judge by the LoRA check (effect, bleeding, subject survival). Suggested action: continue as planned and read the LoRA check.`;
  const unheld = d.heldOut
    ? ''
    : ' (validation on training images: overfitting cannot be told from it; see the LoRA check)';
  return `loss curve: ${d.meaning}${best} (${d.figures})${unheld}. Suggested action: ${d.action}.`;
}

/** What the LoRA check's bad findings mean and what to do, where the loss curve alone said all is well. */
const CHECK_SAYS: Partial<Record<FindingKind, { meaning: string; action: string }>> = {
  'no-effect': {
    meaning: 'no visible effect on sampled images',
    action: 'increase the steps, raise the learning rate, and verify the trigger word is in the prompts',
  },
  bleeding: {
    meaning: 'bleeding into prompts without the trigger',
    action: 'lower the strength, make the captions more specific or add regularisation images',
  },
  'subject-lost': { meaning: 'the prompted subject lost', action: 'lower the strength or the steps' },
  overfitting: { meaning: 'a better earlier checkpoint', action: 'use the checkpoint the LoRA check picks' },
};

/**
 * The final diagnosis with the LoRA check's findings (issue 13: the loss-curve table applied to the validation loss
 * and the LoRA check together): where the loss says "training is working … continue as planned" (or cannot judge
 * yet) but the check finds something to do, the check's finding is the headline and its action the one suggested.
 * Undefined when the check changes nothing (no bad finding, or the loss already says something is wrong).
 */
export function describeWithCheck(d: Diagnosis, findings: readonly Finding[]): string | undefined {
  if (d.verdict !== 'decreasing' && d.verdict !== 'too-early') return undefined;
  const bad = findings.filter((f) => f.bad && CHECK_SAYS[f.kind]);
  const first = bad[0] && CHECK_SAYS[bad[0].kind];
  if (!first) return undefined;
  const says = bad.map((f) => CHECK_SAYS[f.kind]!.meaning).join(', ');
  const loss = d.heldOut ? d.meaning : 'the loss on the training images is decreasing';
  return `loss curve: ${loss} (${d.figures}), but the LoRA check finds ${says}: the loss alone does not show it. Suggested action: ${first.action} (not "${d.action}").`;
}
