/**
 * Sample on a Stable Diffusion checkpoint (SD 1.5 or SDXL, one path; the worker reads the family from the weights):
 * prompts (A1111 emphasis, long prompts in chunks) with a negative prompt, CFG, Euler / Euler ancestral / DPM++ 2M
 * Karras, width and height (0: the model's own resolution, 512 or 1024), LoRAs stacked at strengths and
 * `<lora:name:w>` tags (the same rows as the emoji model, sample-loras.ts), merged into the weights as ComfyUI and
 * A1111 apply a file. Image i of every row uses the noise of seed + i. Per-step previews are the cheap
 * latent-to-RGB approximation of the family's VAE.
 */
import sharp from 'sharp';
import { SD_SAMPLERS, type SdSamplerKind } from '../../ml/sd/sampler';
import { sampleSdInWorker, type SdSampleJob } from '../../ml/sd/sample-job';
import type { JsonValue } from '../../protocol/values';
import { NodeUserError, type NodeContext } from '../api';
import { appliesLora, imageLabel, type LoraUse, type Row } from '../lora/lora-sampling';
import { loraRows } from '../lora/sample-loras';
import { readLoraList } from '../lora/lora-value';
import { toJson, type ImagesValue } from './model-value';
import { withWorkflowChunk } from './png-workflow';
import { blankImagesWarning, type DrawnImage } from './blank-image';
import { readSdModel, SD_FAMILY_LABEL } from './sd-model-value';

export interface SdSampleParams {
  prompts: string[];
  seed: number;
  steps: number;
  guidance: number;
  sampler: string;
  negative: string;
  columns: number;
  previewEvery: number;
  loraStrengths: string[];
  width: number;
  height: number;
  clipSkip: number;
}

const comboKey = (c: readonly LoraUse[]): string => JSON.stringify(c.map((l) => [l.file, l.strength]));

const png = (rgb: Uint8Array, width: number, height: number): Promise<Buffer> =>
  sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();

/** Tiles of equal size laid out row-major in `cols` columns, as one RGB image. */
function grid(
  tiles: readonly Uint8Array[],
  w: number,
  h: number,
  cols: number,
): { rgb: Uint8Array; W: number; H: number } {
  const rows = Math.ceil(tiles.length / cols);
  const W = cols * w,
    H = rows * h;
  const rgb = new Uint8Array(W * H * 3).fill(255);
  tiles.forEach((t, i) => {
    const [x0, y0] = [(i % cols) * w, Math.floor(i / cols) * h];
    for (let y = 0; y < h; y++) rgb.set(t.subarray(y * w * 3, (y + 1) * w * 3), ((y0 + y) * W + x0) * 3);
  });
  return { rgb, W, H };
}

/** Sample's Stable Diffusion path (SD 1.5 and SDXL); returns its outputs. */
export async function sampleSdNode(
  inputs: Record<string, JsonValue | undefined>,
  params: SdSampleParams,
  ctx: NodeContext,
): Promise<Record<string, JsonValue>> {
  const model = readSdModel(inputs.model);
  const family = SD_FAMILY_LABEL[model.family];
  // Said here, naming the input, rather than by the worker after it opened the checkpoint.
  for (const l of readLoraList(inputs.loras, 'loras'))
    if (l.family !== model.family)
      throw new NodeUserError(
        `the LoRA "${l.name}" is ${l.family ? `an ${SD_FAMILY_LABEL[l.family]}` : "the built-in emoji model's"} ` +
          `LoRA, and the model is ${family}: a LoRA only applies to the model family it was trained for`,
        `connect a LoRA trained for ${family}`,
        'loras',
      );
  const prompts = params.prompts.map((p) => p.trim());
  if (prompts.length === 0) throw new NodeUserError('no prompts given', 'add at least one prompt', 'prompts');
  if (!SD_SAMPLERS.includes(params.sampler as SdSamplerKind))
    throw new NodeUserError(
      `sampler "${params.sampler}" is not available for ${family}`,
      `use one of ${SD_SAMPLERS.join(', ')}`,
      'sampler',
    );
  // 0 (the default) is the model's own resolution: 512 for SD 1.5, 1024 for SDXL.
  const width = params.width || model.resolution;
  const height = params.height || model.resolution;
  // Three stride-2 levels on latents of size/8 (SDXL: two): a size that is not a multiple of 64 leaves an odd
  // level behind, whose upsampled output no longer matches its skip connection.
  for (const [side, value] of [
    ['width', width],
    ['height', height],
  ] as const)
    if (!Number.isInteger(value) || value < 64 || value % 64)
      throw new NodeUserError(
        `${side} must be a multiple of 64 for ${family}, got ${value}`,
        model.family === 'sdxl' ? 'e.g. 1024, 896 or 1152 (SDXL was trained at about 1024x1024)' : 'e.g. 512 or 768',
        side,
      );
  if (model.family === 'sdxl' && (params.clipSkip ?? 1) !== 1)
    ctx.warn(
      `clip skip ${params.clipSkip} is ignored for SDXL: it always reads both text encoders' penultimate layers`,
    );
  const withLoras = loraRows(inputs.loras, params.loraStrengths ?? [], prompts, ctx);
  const rows: Row[] = withLoras?.rows ?? [{ label: '', cells: prompts.map(() => []) }];
  const clean = withLoras?.prompts ?? prompts;
  const combos = new Map<string, { uses: LoraUse[]; prompts: number[] }>();
  for (const r of rows)
    r.cells.forEach((cell, pi) => {
      const c = combos.get(comboKey(cell)) ?? { uses: cell, prompts: [] };
      if (!c.prompts.includes(pi)) c.prompts.push(pi);
      combos.set(comboKey(cell), c);
    });
  const keys = [...combos.keys()];
  const job: SdSampleJob = {
    checkpoint: model.path,
    stacks: [...combos.values()].map((c) => ({
      loras: c.uses.map((u) => ({ path: u.file, strength: u.strength })),
      prompts: c.prompts,
    })),
    settings: {
      prompts: clean,
      negative: params.negative ?? '',
      seed: params.seed,
      steps: params.steps,
      cfg: params.guidance,
      sampler: params.sampler as SdSamplerKind,
      width,
      height,
      previewEvery: params.previewEvery,
    },
    clipSkip: params.clipSkip ?? 1,
  };
  const result = await sampleSdInWorker(
    job,
    (done, total, preview) => {
      ctx.progress(done, total);
      if (preview)
        void png(preview.rgb, preview.width, preview.height)
          .then((b) => ctx.artifacts.put(b, 'image/png', `sample-step-${done}.png`))
          .then((ref) => ctx.preview(ref, `step ${done}/${total} (approximate colours)`))
          .catch(() => undefined); // a lost preview is harmless
    },
    ctx.signal,
  ).catch((e: unknown) => {
    // The worker reads the LoRA files of <lora:…> tags (connected LoRAs were checked above): a tag names a file.
    if (e instanceof Error && /a LoRA only applies to the model family/.test(e.message))
      throw new NodeUserError(e.message, `name a LoRA trained for ${family} in the <lora:…> tag`, 'prompts');
    throw e;
  });
  const tiles: Uint8Array[] = [];
  const items: ImagesValue['items'] = [];
  const drawn: DrawnImage[] = [];
  for (const [ri, r] of rows.entries())
    for (const [pi, prompt] of clean.entries()) {
      const k = keys.indexOf(comboKey(r.cells[pi] ?? []));
      const tile = result.images[k]![combos.get(keys[k]!)!.prompts.indexOf(pi)]!;
      tiles.push(tile);
      drawn.push({ rgb: tile, label: imageLabel(pi, prompt, r.label), withLora: appliesLora(r.cells[pi]) });
      const caption = r.label ? `${prompt} [${r.label}]` : prompt;
      const file = withWorkflowChunk(await png(tile, width, height), ctx.workflow);
      items.push({
        image: await ctx.artifacts.put(file, 'image/png', `sample-${ri}-${pi}.png`, { caption, row: r.label }),
        caption,
        seed: params.seed + pi,
      });
    }
  const blank = blankImagesWarning(drawn);
  if (blank) ctx.warn(blank);
  const cols =
    rows.length > 1 ? clean.length : params.columns > 0 ? params.columns : Math.ceil(Math.sqrt(clean.length));
  const g = grid(tiles, width, height, cols);
  const gridRef = await ctx.artifacts.put(
    withWorkflowChunk(await png(g.rgb, g.W, g.H), ctx.workflow),
    'image/png',
    'samples.png',
    {
      rows: rows.map((r) => r.label).join('\n'),
      prompts: clean.join('\n'),
    },
  );
  ctx.preview(gridRef, rows.length > 1 ? `rows: ${rows.map((r) => r.label).join(' | ')}` : 'samples');
  ctx.log(
    'info',
    `${family}: ${tiles.length} image(s) at ${width}x${height}, ${params.steps} ${params.sampler} steps, CFG ${params.guidance} (${keys.length} LoRA combination(s)) in ${result.seconds.toFixed(1)} s`,
  );
  return { images: toJson({ kind: 'images', items, grid: gridRef }), grid: gridRef as unknown as JsonValue };
}
