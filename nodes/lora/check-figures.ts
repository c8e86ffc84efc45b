/**
 * The LoRA check's figures, computed by comparing the model with itself (no classifier, so any model family):
 *
 * - effect: how much the LoRA changes images of prompts WITH the trigger, against the base model's image of the
 *   same prompt and noise (mean absolute pixel change, 0-255);
 * - bleeding: the same change for the prompts WITHOUT the trigger (a LoRA that answers to its trigger has ~0);
 * - subject survival: how often the LoRA's image (with the trigger) is nearer to the base model's own image of its
 *   prompt, drawn from other noise, than to the base images of the other prompts; divided by how often the base
 *   model's image passes the same test (so 100% = recognised as often as by the base model).
 *
 * Changes are also given in units of "a change of seed" (the mean change between two base images of one prompt
 * from different noise), so that the thresholds below mean the same at 32 px and at 1024 px.
 */

/** RGB tiles [n, size, size, 3] for one row of the check: the prompts with the trigger and without. */
export interface CheckRowImages {
  with: Uint8Array;
  without: Uint8Array;
}

export interface CheckCellImages extends CheckRowImages {
  /** The checkpoint's step (undefined for a LoRA without one) and its name. */
  step?: number;
  name: string;
  strength: number;
}

export interface CheckImages {
  size: number;
  /** The base model at the check seed, and its images of the plain prompts from other noise. */
  base: CheckRowImages;
  reseeded: Uint8Array;
  cells: CheckCellImages[];
}

export interface CellFigures {
  step?: number;
  name: string;
  strength: number;
  /** Mean absolute pixel change (0-255) with the trigger / without it, against the base model. */
  effect: number;
  bleeding: number;
  /** Share of prompts recognised, relative to the base model's own share (1 = as often as the base model; above 1
   * when the LoRA's images are recognised more often, shown capped at 100% by check-findings' survivalText). */
  survival: number;
  /** The raw share of prompts recognised. */
  recognised: number;
}

export interface CheckFigures {
  prompts: number;
  /** Mean pixel change between two base images of one prompt from different noise: the unit of change. */
  seedChange: number;
  /** Share of prompts the base model itself recognises across seeds (the reference of survival). */
  baseRecognised: number;
  cells: CellFigures[];
  /** The cell chosen as best (index into cells), on effect, bleeding and survival. */
  best: number;
}

/** Thresholds of the findings, in units of a change of seed (effect, bleeding) or as shares. */
export const CHECK_LIMITS = {
  /** Below this the LoRA has no visible effect. */
  visibleEffect: 0.15,
  /** Bleeding above this share of the effect (and above visibleEffect) is reported. */
  bleedingShare: 0.35,
  /** Subject survival below this is reported as the subject being lost. */
  survival: 0.8,
} as const;

const tileCount = (t: Uint8Array, size: number): number => Math.floor(t.length / (size * size * 3));

/** Mean absolute difference (0-255) between tile i of a and tile i of b, averaged over the tiles. */
export function meanChange(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(a[i]! - b[i]!);
  return n ? s / n : 0;
}

/** 8x8 colour features of each tile with the tile's mean removed (a global colour shift is not a new subject). */
function features(tiles: Uint8Array, size: number): Float32Array[] {
  const n = tileCount(tiles, size);
  const g = 8;
  const cell = size / g;
  const out: Float32Array[] = [];
  for (let k = 0; k < n; k++) {
    const f = new Float32Array(g * g * 3);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++) {
          const o = (Math.floor(y / cell) * g + Math.floor(x / cell)) * 3 + c;
          f[o] = f[o]! + tiles[((k * size + y) * size + x) * 3 + c]! / (cell * cell * 255);
        }
    let m = 0;
    for (const v of f) m += v;
    m /= f.length;
    for (let i = 0; i < f.length; i++) f[i] = f[i]! - m;
    out.push(f);
  }
  return out;
}

const dist = (a: Float32Array, b: Float32Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
};

/** Share of query tiles whose nearest gallery tile is the one of the same prompt (index). */
export function recognisedShare(query: Uint8Array, gallery: Uint8Array, size: number): number {
  const q = features(query, size);
  const g = features(gallery, size);
  if (q.length === 0 || g.length < 2) return q.length && g.length ? 1 : 0;
  let hits = 0;
  for (const [i, f] of q.entries()) {
    let best = -1;
    let bestD = Infinity;
    for (const [j, h] of g.entries()) {
      const d = dist(f, h);
      if (d < bestD) [best, bestD] = [j, d];
    }
    if (best === i) hits++;
  }
  return hits / q.length;
}

/** The check's figures for every checkpoint x strength cell, and the best cell. */
export function checkFigures(im: CheckImages): CheckFigures {
  const seedChange = Math.max(1e-6, meanChange(im.base.without, im.reseeded));
  const baseRecognised = recognisedShare(im.base.without, im.reseeded, im.size);
  const cells = im.cells.map((c): CellFigures => {
    const recognised = recognisedShare(c.with, im.reseeded, im.size);
    return {
      step: c.step,
      name: c.name,
      strength: c.strength,
      effect: meanChange(c.with, im.base.with),
      bleeding: meanChange(c.without, im.base.without),
      survival: baseRecognised > 0 ? recognised / baseRecognised : recognised > 0 ? 1 : 0,
      recognised,
    };
  });
  return {
    prompts: tileCount(im.base.with, im.size),
    seedChange,
    baseRecognised,
    cells,
    best: bestCell(cells, seedChange),
  };
}

/**
 * How much a unit of bleeding costs against a unit of effect in the pick. The effect is what the user asked for;
 * bleeding changes every prompt they did not ask the LoRA to touch, and the aims weigh it so (a style on 90% of
 * prompts with the trigger, on at most 15% without). At 1 an early checkpoint with a little more effect and as
 * much more bleeding won: the quick start with prior concepts picked step 100 (effect 48.4, bleeding 17.2) over
 * step 500 (44.3, 13.8), and eval:lora then judged 45% of held-out subjects in the style with the trigger and 22%
 * without it, against step 500's 70% and 17%. On the quick start's own settings it picks what 1 picked (step 500).
 */
export const BLEEDING_COST = 2;

/**
 * What the best cell maximises: the change the trigger buys less the bleeding (BLEEDING_COST), in units of a change
 * of seed, scaled down where the subject is lost (below CHECK_LIMITS.survival).
 */
export function cellScore(c: CellFigures, seedChange: number): number {
  const specific = (c.effect - BLEEDING_COST * c.bleeding) / seedChange;
  return specific * Math.min(1, c.survival / CHECK_LIMITS.survival);
}

/** Whether the check reports bleeding at this cell: above CHECK_LIMITS.bleedingShare of its effect and visible. */
export function bleedsAt(c: CellFigures, seedChange: number): boolean {
  const share = c.effect > 0 ? c.bleeding / c.effect : 0;
  return share > CHECK_LIMITS.bleedingShare && c.bleeding / seedChange > CHECK_LIMITS.visibleEffect;
}

/** Whether the check reports the prompted subject as lost at this cell. */
export const losesSubject = (c: CellFigures): boolean => c.survival < CHECK_LIMITS.survival;

/** A cell with a visible effect that raises no warning (no bleeding, the subject kept). */
export function isCleanCell(c: CellFigures, seedChange: number): boolean {
  return c.effect / seedChange >= CHECK_LIMITS.visibleEffect && !bleedsAt(c, seedChange) && !losesSubject(c);
}

/**
 * The best cell: the highest score among the cells the check raises no warning about, when one has a visible effect
 * (else among all). The score alone picked a cell that lost the subject (survival 75%, score scaled by 0.94 only)
 * over one with less effect that kept it (88%), and the check then warned about its own pick (QA S6-F2).
 */
export function bestCell(cells: readonly CellFigures[], seedChange: number): number {
  const anyClean = cells.some((c) => isCleanCell(c, seedChange));
  let best = -1;
  let bestScore = -Infinity;
  for (const [i, c] of cells.entries()) {
    if (anyClean && !isCleanCell(c, seedChange)) continue;
    const s = cellScore(c, seedChange);
    if (s > bestScore) [best, bestScore] = [i, s];
  }
  return best;
}
