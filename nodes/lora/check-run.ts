/**
 * Running the LoRA check (for LoRACheck and the end of TrainLoRA): samples of prompts unlike the training captions,
 * with and without the trigger, for the base model and every checkpoint x strength, all from the same noise per
 * prompt; the base model's own images of the prompts from other noise; then the figures, the findings, a table and
 * a labelled checkpoint x strength grid.
 */
import { sampleInWorker } from '../../ml/dit/sample-job';
import type { ArtifactRef } from '../../protocol/values';
import type { NodeContext } from '../api';
import { checkFigures, type CheckFigures } from './check-figures';
import { checkFindings, describeCell, pickNote, survivalText, type Finding } from './check-findings';
import { labelledGrid } from './labelled-grid';
import { blankImagesWarning, type DrawnImage } from '../model/blank-image';

/** Subjects the built-in model draws well, none of them in the example datasets. */
export const DEFAULT_CHECK_SUBJECTS = [
  'grinning face',
  'red heart',
  'sun',
  'alarm clock',
  'birthday cake',
  'crown',
  'snowman',
  'stop sign',
];

/**
 * Sampling steps of the check: its figures compare images drawn with the same settings, so fewer steps than a
 * final image needs are enough (12 Euler steps; the check of the quick start's 3 checkpoints then takes seconds).
 */
export const CHECK_SAMPLE_STEPS = 12;

export interface CheckLora {
  file: string;
  name: string;
  step?: number;
}

export interface CheckSettings {
  /** Subjects without the trigger word. */
  subjects: string[];
  trigger: string;
  strengths: number[];
  seed: number;
  steps: number;
  guidance: number;
}

export interface CheckResult {
  figures: CheckFigures;
  findings: Finding[];
  /** One line per checkpoint x strength, for logs and reports. */
  table: string[];
  grid: ArtifactRef;
  /** The chosen LoRA (index into the checked LoRAs) and strength. */
  best: { lora: number; strength: number };
  images: number;
  seconds: number;
}

/** The check subjects: the given ones, else the defaults minus any the training captions contain. */
export function checkSubjects(
  given: readonly string[],
  captions: readonly string[],
  trigger: string,
  defaults: readonly string[] = DEFAULT_CHECK_SUBJECTS,
): string[] {
  const strip = (p: string) =>
    p
      .replace(/\[trigger\]|\{trigger\}/gi, '')
      .replace(trigger ? new RegExp(`\\b${trigger.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'gi') : /$^/, '')
      .replace(/^[\s,]+|[\s,]+$/g, '')
      .trim();
  const own = given.map(strip).filter(Boolean);
  if (own.length) return own;
  const text = captions.join('\n').toLowerCase();
  return defaults.filter((s) => !text.includes(s));
}

/**
 * What the check samples with: each LoRA stack (the first empty: the base model) draws every prompt, prompt i from
 * the noise of seed + i in every stack; one [prompts, size, size, 3] RGB array per stack. One per model family.
 */
export type CheckSampler = (
  stacks: readonly (readonly { path: string; strength: number }[])[],
  prompts: readonly string[],
  seed: number,
  onProgress: (done: number, total: number) => void,
) => Promise<{ images: Uint8Array[]; size: number }>;

/** The built-in emoji model's check sampler (Euler, in a worker). */
export function emojiCheckSampler(
  ctx: NodeContext,
  modelPath: string,
  o: Pick<CheckSettings, 'steps' | 'guidance'>,
): CheckSampler {
  return async (stacks, prompts, seed, onProgress) => {
    const r = await sampleInWorker(
      {
        modelPath,
        loras: stacks.map((st) => [...st]),
        options: { steps: o.steps, guidance: o.guidance, sampler: 'euler', prompts: [...prompts], seed },
        previewEvery: 0,
      },
      onProgress,
      ctx.signal,
    );
    return { images: r.images, size: r.imageSize };
  };
}

/** Samples, measures and draws the check of `loras` (oldest first) on the emoji model file `modelPath`. */
export function runLoraCheck(
  ctx: NodeContext,
  modelPath: string,
  loras: readonly CheckLora[],
  s: CheckSettings,
): Promise<CheckResult> {
  return runLoraCheckWith(ctx, emojiCheckSampler(ctx, modelPath, s), loras, s);
}

/** Samples with `sampler`, measures and draws the check of `loras` (oldest first). */
export async function runLoraCheckWith(
  ctx: NodeContext,
  sampler: CheckSampler,
  loras: readonly CheckLora[],
  s: CheckSettings,
): Promise<CheckResult> {
  const started = performance.now();
  const withTrigger = s.subjects.map((p) => (s.trigger ? `${s.trigger}, ${p}` : p));
  const prompts = [...withTrigger, ...s.subjects];
  const cells = loras.flatMap((l, li) => s.strengths.map((strength) => ({ l, li, strength })));
  const total = (cells.length + 1) * prompts.length + s.subjects.length;
  let done = 0;
  // Labelled: after the training phases a bare 1/14 read as training starting again (QA S5-F5).
  const progress = (d: number, t: number, of: number) =>
    ctx.progress(done + (d / t) * of, total, undefined, 'LoRA check: sampling');
  const main = await sampler(
    [[], ...cells.map((c) => [{ path: c.l.file, strength: c.strength }])],
    prompts,
    s.seed,
    (d, t) => progress(d, t, (cells.length + 1) * prompts.length),
  );
  done = (cells.length + 1) * prompts.length;
  const other = await sampler([[]], s.subjects, s.seed + 7919, (d, t) => progress(d, t, s.subjects.length));
  const size = main.size;
  const half = s.subjects.length * size * size * 3;
  const split = (all: Uint8Array) => ({ with: all.subarray(0, half), without: all.subarray(half) });
  const figures = checkFigures({
    size,
    base: split(main.images[0]!),
    reseeded: other.images[0]!,
    cells: cells.map((c, i) => ({
      ...split(main.images[i + 1]!),
      step: c.l.step,
      name: c.l.name,
      strength: c.strength,
    })),
  });
  const findings = checkFindings(figures);
  const label = (l: CheckLora) => (l.step !== undefined ? `step ${l.step}` : l.name);
  // Blank cells (NaN from an overflowing LoRA) would read as a "strong effect"; say what they are.
  const px = size * size * 3;
  const drawn: DrawnImage[] = main.images.flatMap((all, si) =>
    prompts.map((p, pi) => ({
      rgb: all.subarray(pi * px, (pi + 1) * px),
      label: `${si === 0 ? 'base model' : `${label(cells[si - 1]!.l)} @ ${cells[si - 1]!.strength}`} "${p}"`,
      withLora: si > 0,
    })),
  );
  const blank = blankImagesWarning(drawn, 'LoRA check');
  if (blank) ctx.warn(blank);
  const table = figures.cells.map(
    (c, i) =>
      `${i === figures.best ? '* ' : '  '}${label(cells[i]!.l)} @ ${c.strength}: ${describeCell(c, figures)}${i === figures.best ? pickNote(figures) : ''}`,
  );
  const tiles = new Uint8Array(main.images.reduce((n, t) => n + t.length, 0));
  let o = 0;
  for (const t of main.images) (tiles.set(t, o), (o += t.length));
  const shown = shrinkTiles(tiles, size, GRID_TILE);
  const png = await labelledGrid(shown.tiles, shown.size, {
    rows: ['base model', ...cells.map((c) => `${label(c.l)} @ ${c.strength}`)],
    columns: [...s.subjects, ...s.subjects],
    spans: [
      [s.trigger ? `with ${s.trigger}` : 'prompts', 0, s.subjects.length],
      ['without the trigger (bleeding)', s.subjects.length, s.subjects.length],
    ],
  });
  const grid = await ctx.artifacts.put(png, 'image/png', 'lora-check.png', { rows: String(cells.length + 1) });
  const bestCell = cells[figures.best] ?? cells.at(-1)!;
  return {
    figures,
    findings,
    table,
    grid,
    best: { lora: bestCell.li, strength: bestCell.strength },
    images: total,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Grid tiles larger than this (SD's 512 px) are shrunk to it, so that the grid stays a picture one can open. */
const GRID_TILE = 128;

/** Box-shrinks square RGB tiles by a whole factor to at most `target` px (unchanged when already that small). */
export function shrinkTiles(tiles: Uint8Array, size: number, target: number): { tiles: Uint8Array; size: number } {
  const f = Math.ceil(size / target);
  if (f <= 1 || size % f) return { tiles, size };
  const out = size / f;
  const n = tiles.length / (size * size * 3);
  const res = new Uint8Array(n * out * out * 3);
  for (let k = 0; k < n; k++)
    for (let y = 0; y < out; y++)
      for (let x = 0; x < out; x++)
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let dy = 0; dy < f; dy++)
            for (let dx = 0; dx < f; dx++) sum += tiles[((k * size + y * f + dy) * size + x * f + dx) * 3 + c]!;
          res[((k * out + y) * out + x) * 3 + c] = Math.round(sum / (f * f));
        }
  return { tiles: res, size: out };
}

/** The check as log lines: the unit of change, the table (best marked *), then the findings. */
export function describeCheck(r: CheckResult, subjects: number): string[] {
  const f = r.figures;
  return [
    `LoRA check (${r.images} images in ${r.seconds.toFixed(0)} s) on ${subjects} prompts unlike the training captions, with and without the trigger (pixel changes 0-255 against the base model; a change of seed is ${f.seedChange.toFixed(1)}; the base model recognises its own subjects across seeds ${(100 * f.baseRecognised).toFixed(0)}% of the time):`,
    ...r.table,
    ...r.findings.map((x) => `${x.bad ? 'finding' : 'ok'}: ${x.text}`),
  ];
}

/** One line of at most ~200 characters (what the command line shows of an output): the best cell and the findings. */
export function summarizeCheck(r: CheckResult): string {
  const f = r.figures;
  const c = f.cells[f.best];
  if (!c) return 'no checkpoint checked';
  const where = c.step !== undefined ? `step ${c.step}` : c.name;
  const share = c.effect > 0 ? (100 * c.bleeding) / c.effect : 0;
  const kinds = r.findings.map((x) => x.kind).join(', ');
  return `best ${where} @ ${c.strength}: effect ${c.effect.toFixed(1)}, bleeding ${c.bleeding.toFixed(1)} (${share.toFixed(0)}% of effect), ${survivalText(c, f, true)}; ${kinds}`;
}
