/**
 * The guide's "Diagnosing from Loss Curves" table applied to a run: steadily decreasing, flat from the start,
 * drops then rises (overfitting, from the validation curve), erratic, or sudden spikes; each with its action.
 */

export type LossVerdict = 'too-early' | 'decreasing' | 'flat' | 'overfitting' | 'erratic' | 'spikes';

export interface Diagnosis {
  verdict: LossVerdict;
  meaning: string;
  action: string;
  /** For overfitting: the step of the validation minimum (the checkpoint to use). */
  bestStep?: number;
}

const TABLE: Record<LossVerdict, { meaning: string; action: string }> = {
  'too-early': { meaning: 'not enough steps to judge yet', action: 'keep training' },
  decreasing: { meaning: 'steadily decreasing: training is working', action: 'continue as planned' },
  flat: { meaning: 'flat from the start: learning too slow', action: 'increase the learning rate' },
  overfitting: { meaning: 'drops then rises: overfitting', action: 'stop earlier and use the best checkpoint' },
  erratic: { meaning: 'erratic/oscillating: learning rate too high', action: 'reduce the learning rate' },
  spikes: { meaning: 'sudden spikes: corrupt data or a bug', action: 'check the dataset and review the settings' },
};

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * Diagnoses the per-step training losses and the validation losses (by step). Diffusion losses are noisy by nature
 * (each step draws new timesteps), so trends are judged on window means, and noise relative to the spread at the start.
 */
export function diagnoseLoss(
  losses: readonly number[],
  validation: readonly { step: number; valLoss: number }[],
): Diagnosis {
  const at = (v: LossVerdict, bestStep?: number): Diagnosis => ({ verdict: v, ...TABLE[v], bestStep });
  if (losses.length < 20) return at('too-early');
  const w = Math.max(5, Math.floor(losses.length / 5));
  const first = losses.slice(0, w);
  const last = losses.slice(-w);
  const m0 = mean(first);
  const sd = Math.sqrt(mean(first.map((x) => (x - m0) ** 2)));
  const median = [...losses].sort((a, b) => a - b)[Math.floor(losses.length / 2)]!;
  if (losses.some((x) => !Number.isFinite(x) || x > median * 4 + 4 * sd)) return at('spikes');
  // Overfitting: the validation curve's minimum is well inside the run and the end is clearly above it.
  if (validation.length >= 3) {
    const best = validation.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
    const end = validation.at(-1)!;
    const start = validation[0]!;
    if (
      best !== end &&
      best !== start &&
      end.valLoss > best.valLoss + 0.25 * Math.max(1e-9, start.valLoss - best.valLoss) &&
      end.valLoss > best.valLoss * 1.01
    ) {
      return at('overfitting', best.step);
    }
  }
  const m1 = mean(last);
  const sdLast = Math.sqrt(mean(last.map((x) => (x - m1) ** 2)));
  if (sdLast > Math.max(sd * 2.5, m1 * 0.6)) return at('erratic');
  const valDrop = validation.length >= 2 ? validation[0]!.valLoss - Math.min(...validation.map((v) => v.valLoss)) : 0;
  const relDrop = (m0 - m1) / Math.max(1e-9, m0);
  if (relDrop < 0.01 && valDrop <= 0.005 * (validation[0]?.valLoss ?? 1)) return at('flat');
  return at('decreasing');
}

/** One line for the node: what the curve means and what to do. */
export function describeDiagnosis(d: Diagnosis): string {
  const best = d.bestStep !== undefined ? ` (validation loss was lowest at step ${d.bestStep})` : '';
  return `loss curve: ${d.meaning}${best}. Suggested action: ${d.action}.`;
}
