/**
 * Sampling with LoRAs for Sample and LoRAGrid: rows of LoRA combinations (strengths, checkpoints) by columns of
 * prompts, every cell with the same noise per prompt, so that a row differs from another only by its LoRAs.
 */
import { tilesToPng } from '../../ml/corpus/render';
import { sampleInWorker } from '../../ml/dit/sample-job';
import type { SampleOptions } from '../../ml/dit/sampler';
import type { JsonValue } from '../../protocol/values';
import type { NodeContext } from '../api';
import type { ImagesValue } from '../model/model-value';
import { withWorkflowChunk } from '../model/png-workflow';
import { blankImagesWarning, type DrawnImage } from '../model/blank-image';

/** One LoRA at a strength, by file. */
export type LoraUse = { file: string; strength: number; name: string };

/** A grid row: its label and the LoRAs of each prompt's cell (usually the same for every prompt). */
export type Row = { label: string; cells: LoraUse[][] };

/** Whether a cell's LoRAs change anything (a row at strength 0 is the base model). */
export const appliesLora = (cell: readonly LoraUse[] | undefined): boolean =>
  (cell ?? []).some((l) => l.strength !== 0);

/** How a warning names image `i` of a grid: its number, its prompt (cut short) and its row. */
export const imageLabel = (i: number, prompt: string, row = ''): string =>
  `image ${i + 1} "${prompt.length > 40 ? `${prompt.slice(0, 40)}…` : prompt}"${row ? ` [${row}]` : ''}`;

const comboKey = (c: readonly LoraUse[]): string => JSON.stringify(c.map((l) => [l.file, l.strength]));

/** Samples every row x prompt cell in one worker; returns the IMAGES value (items row-major) and logs the speed. */
export async function sampleRows(
  ctx: NodeContext,
  modelPath: string,
  rows: readonly Row[],
  prompts: readonly string[],
  options: Omit<SampleOptions, 'prompts' | 'onStep' | 'signal'>,
  columns: number,
): Promise<{ images: JsonValue; grid: JsonValue }> {
  const combos = new Map<string, LoraUse[]>();
  for (const r of rows) for (const c of r.cells) combos.set(comboKey(c), c);
  const keys = [...combos.keys()];
  const result = await sampleInWorker(
    {
      modelPath,
      loras: [...combos.values()].map((c) => c.map((l) => ({ path: l.file, strength: l.strength }))),
      options: { ...options, prompts: [...prompts] },
      previewEvery: 0,
    },
    (done, total) => ctx.progress(done, total),
    ctx.signal,
  );
  const size = result.imageSize;
  const px = size * size * 3;
  const tiles = new Uint8Array(rows.length * prompts.length * px);
  const items: ImagesValue['items'] = [];
  const drawn: DrawnImage[] = [];
  for (const [ri, r] of rows.entries()) {
    for (const [pi, prompt] of prompts.entries()) {
      const all = result.images[keys.indexOf(comboKey(r.cells[pi] ?? []))]!;
      const tile = all.subarray(pi * px, (pi + 1) * px);
      tiles.set(tile, (ri * prompts.length + pi) * px);
      drawn.push({ rgb: tile, label: imageLabel(pi, prompt, r.label), withLora: appliesLora(r.cells[pi]) });
      const png = await tilesToPng(tile, size, 1);
      const caption = r.label ? `${prompt} [${r.label}]` : prompt;
      items.push({
        image: await ctx.artifacts.put(withWorkflowChunk(png, ctx.workflow), 'image/png', `sample-${ri}-${pi}.png`, {
          caption,
          row: r.label,
        }),
        caption,
        seed: options.seed,
      });
    }
  }
  const blank = blankImagesWarning(drawn);
  if (blank) ctx.warn(blank);
  const cols = rows.length > 1 ? prompts.length : columns > 0 ? columns : Math.ceil(Math.sqrt(prompts.length));
  const gridPng = await tilesToPng(tiles, size, cols, Math.max(1, Math.floor(256 / (size * cols)) || 1));
  const grid = await ctx.artifacts.put(withWorkflowChunk(gridPng, ctx.workflow), 'image/png', 'samples.png', {
    rows: rows.map((r) => r.label).join('\n'),
    prompts: prompts.join('\n'),
  });
  ctx.preview(grid, rows.length > 1 ? `rows: ${rows.map((r) => r.label).join(' | ')}` : 'samples');
  const n = rows.length * prompts.length;
  ctx.log('info', `${n} image(s) (${combos.size} LoRA combination(s)) in ${result.seconds.toFixed(1)} s`);
  const value: ImagesValue = { kind: 'images', items, grid };
  return {
    images: JSON.parse(JSON.stringify(value)) as JsonValue,
    grid: JSON.parse(JSON.stringify(grid)) as JsonValue,
  };
}
