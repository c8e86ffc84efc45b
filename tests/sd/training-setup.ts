/**
 * The set-ups of the SD node tests, through the real nodes: disc images with captions, the LoadModel → LoadImages →
 * Caption → Resize chain a training test starts from, a run cancelled mid-training, LoadModel's refusals and the
 * example workflows' one missing parameter. Apart from fixtures.ts so that the graph tests do not load every node.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { NodeUserError } from '../../nodes/api';
import { caption } from '../../nodes/dataset/caption';
import { loadImages } from '../../nodes/dataset/load-images';
import { resize } from '../../nodes/dataset/resize';
import { loadModelNode } from '../../nodes/model/load-model';
import { validateWorkflow } from '../../protocol/validate';
import type { JsonValue } from '../../protocol/values';
import type { WorkflowFile } from '../../protocol/workflow';
import { createRegistry } from '../../server/engine/registry';
import { loadNodeDefinitions } from '../../server/queue';
import { runNode, type TestNodeContext } from '../support/node-context';

/** Runs LoadModel with `params`, which must refuse them; returns its error. */
export async function loadModelRefusal(ctx: TestNodeContext, params: Record<string, string>): Promise<NodeUserError> {
  try {
    await runNode(loadModelNode, params, {}, ctx);
  } catch (e) {
    return e as NodeUserError;
  }
  throw new Error('LoadModel accepted it');
}

/** The example workflow `workflows/<name>`. */
export const readExampleWorkflow = (name: string): WorkflowFile =>
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'workflows', name), 'utf8')) as WorkflowFile;

/** Checks that the workflow's only validation error is its unchosen checkpoint, and that `checkpoint` ends it. */
export function expectValidOnceCheckpointChosen(wf: WorkflowFile, checkpoint: string): void {
  const schemas = createRegistry(loadNodeDefinitions(undefined)).schemas();
  const errors = validateWorkflow(wf, schemas);
  expect(errors.map((e) => [e.nodeId, e.param, e.kind])).toEqual([['model', 'checkpoint', 'param-missing']]);
  expect(errors[0]!.message).toMatch(/checkpoint/);
  const chosen = structuredClone(wf);
  const model = chosen.nodes.find((n) => n.id === 'model')!;
  model.params = { ...model.params, checkpoint };
  expect(validateWorkflow(chosen, schemas)).toEqual([]);
}

/**
 * Writes `<name>.png`, a centred `colour` disc of radius `r` on white (`w` x `h`), and `<name>.txt` with `text`
 * (none without it: a kohya reg image takes its class from its folder).
 */
export async function writeDisc(
  dir: string,
  name: string,
  disc: { w: number; h: number; r: number; colour: string },
  text?: string,
) {
  const { w, h, r, colour } = disc;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><rect width="${w}" height="${h}" ` +
    `fill="#fff"/><circle cx="${w / 2}" cy="${h / 2}" r="${r}" fill="${colour}"/></svg>`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.png`), await sharp(Buffer.from(svg)).png().toBuffer());
  if (text !== undefined) writeFileSync(join(dir, `${name}.txt`), `${text}\n`);
}

/** Three 64 px discs of growing radius (red, green, blue) in `dir`, captioned `a flat disc of colour <i>`. */
export async function writeThreeDiscs(dir: string): Promise<void> {
  for (const [i, colour] of ['#d22', '#2a2', '#22d'].entries())
    await writeDisc(dir, `disc${i}`, { w: 64, h: 64, r: 14 + 4 * i, colour }, `a flat disc of colour ${i}`);
}

/** TrainLoRA settings of a quick tiny-model run: rank 4, no samples, validation, check or caption dropout. */
export const QUICK_SD_TRAIN = {
  batch: 1,
  rank: 4,
  alpha: 4,
  learningRate: 0.01,
  sampleEvery: 0,
  validationImages: 0,
  loraCheck: false,
  captionDropout: 0,
  shuffleTags: false,
  samplePrompts: [] as string[],
};

export interface TrainingSetup {
  family: 'sd15' | 'sdxl';
  /** The checkpoint and the image folder, relative to the context's root. */
  checkpoint: string;
  folder: string;
  trigger: string;
  resize: { resolution: number; mode?: string };
}

/**
 * What a TrainLoRA test trains on, through the real nodes:
 *   LoadModel(family, checkpoint) ─────────────────────────────┐ model
 *   LoadImages(folder) ─> Caption(keep, trigger) ─> Resize ─────┘ dataset
 */
export async function prepareTraining(
  ctx: TestNodeContext,
  setup: TrainingSetup,
): Promise<{ model: JsonValue; dataset: JsonValue }> {
  const model = (await runNode(loadModelNode, { family: setup.family, checkpoint: setup.checkpoint }, {}, ctx)).model!;
  const loaded = await runNode(loadImages, { folder: setup.folder }, {}, ctx);
  const captioned = await runNode(caption, { mode: 'keep', trigger: setup.trigger }, { dataset: loaded.dataset }, ctx);
  const resized = await runNode(resize, setup.resize, { dataset: captioned.dataset }, ctx);
  return { model, dataset: resized.dataset! };
}

/** Makes `ctx`'s run cancel itself once it has trained `step` steps (a user pressing Cancel mid-training). */
export function cancelAtStep(ctx: TestNodeContext, step: number): TestNodeContext {
  const progress = ctx.progress.bind(ctx);
  let cancelled = false;
  ctx.progress = (value, max, metrics, label) => {
    progress(value, max, metrics, label);
    // Training steps (with their metrics), not a phase such as caching latents 4/4.
    if (metrics && value >= step && !cancelled) {
      cancelled = true;
      ctx.cancel();
    }
  };
  return ctx;
}
