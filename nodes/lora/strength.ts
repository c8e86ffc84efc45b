/** The guide's strength and stacking advice, as hints and as the default strengths of stacked LoRAs. */

export const DEFAULT_STRENGTH = 0.7;

export const STRENGTH_HINT =
  'Start at 0.7. Too subtle: 0.8-1.0; too strong or artifacts: 0.4-0.6; good but want more: 0.8-0.9; overpowering other content: 0.5-0.6.';

export const STACKING_HINT = 'When stacking, reduce each: first LoRA 0.6-0.8, second 0.4-0.6, third 0.3-0.4.';

/** Default strength of the i-th stacked LoRA (0-based): the middle of the guide's range for its position. */
export function stackedStrength(i: number, count: number): number {
  if (count <= 1) return DEFAULT_STRENGTH;
  return [0.7, 0.5, 0.35][i] ?? 0.3;
}
