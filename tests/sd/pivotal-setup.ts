/**
 * Pivotal tuning on an SD family as a user meets it, through the real nodes (one body for SD 1.5 and SDXL):
 *
 *   LoadModel(tiny) ─┬──────────────────────────────────────────────────────────────────┬─> Sample
 *   LoadImages ─> Caption(xyz_disc) ─> Resize(64) ─> TrainLoRA(pivotal) ─> SaveCheckpoint ─> LoadLoRA
 *                                                    └─> its in-training sample at the last step
 *
 * What it checks: the trigger's rows move from their start, the file bundles them under the keys A1111 reads for the
 * family, a reload samples the in-training image to the byte, the trigger's rows are what changes the image (the
 * same adapters without them draw another one; a prompt without the trigger is untouched by them), and a rerun with
 * more steps resumes from the checkpoint's rows, equal to a run straight to the end.
 */
import { join } from 'node:path';
import { readLora, writeKohya } from '../../ml/lora/file';
import { readSafetensors } from '../../ml/safetensors';
import { openAnySdCheckpoint } from '../../ml/sd/checkpoint';
import { initialRows } from '../../ml/sd/trigger-embedding';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import type { LoraValue } from '../../nodes/lora/lora-value';
import { saveCheckpointNode } from '../../nodes/lora/save-checkpoint';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { sampleNode } from '../../nodes/model/sample';
import type { JsonValue } from '../../protocol/values';
import { runNode, type TestNodeContext } from '../support/node-context';
import { DISC_TRAIN, imagesOf, inTrainingSample, prepareDiscs, PROMPT } from './disc-setup';

/** TrainLoRA with pivotal tuning on the discs: the trigger's 2 rows start from "disc". */
export const TRAIN = {
  ...DISC_TRAIN,
  pivotal: true,
  triggerInit: 'disc',
  embeddingVectors: 2,
  embeddingLr: 0.05,
};

/** The keys and widths each family's file bundles the trigger under (A1111: string_to_param; SDXL clip_l/clip_g). */
export interface FamilyKeys {
  family: 'sd15' | 'sdxl';
  tables: { key: string; table: string }[];
}

const sum = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + Math.abs(v - y[i]!), 0) / x.length;

/** The whole scenario for one family. */
export async function pivotalScenario(
  family: FamilyKeys,
  write: (root: string, name: string) => Promise<string>,
): Promise<void> {
  const { ctx, model, dataset, checkpoint } = await prepareDiscs(`${family.family}-pivotal`, family.family, write);
  const trained = await runNode(trainLoraNode, TRAIN, { model, dataset }, ctx);
  const inTraining = await inTrainingSample(ctx, 2);

  // The file: A1111's bundle_emb keys, [vectors, width] each, moved away from the init text's token rows.
  const lora = trained.lora as unknown as LoraValue;
  const { tensors } = await readSafetensors(ctx.artifacts.pathOf(lora.artifact));
  const ckpt = openAnySdCheckpoint(checkpoint);
  try {
    for (const { key, table } of family.tables) {
      const t = tensors.get(key);
      const width = ckpt.shape(table)[1]!;
      expect(t?.shape).toEqual([TRAIN.embeddingVectors, width]);
      const start = initialRows(ckpt, table, 'xyz_disc', 'disc', TRAIN.embeddingVectors);
      expect(sum(t!.data as Float32Array, start)).toBeGreaterThan(1e-4);
    }
  } finally {
    ckpt.close();
  }
  expect([...tensors.keys()].filter((k) => k.startsWith('bundle_emb.')).sort()).toEqual(
    family.tables.map((t) => t.key).sort(),
  );

  // SaveCheckpoint (fp16) -> LoadLoRA -> Sample draws the in-training sample to the byte.
  await runNode(saveCheckpointNode, { folder: 'loras', name: 'discs' }, { lora: trained.lora! }, ctx);
  const loaded = (await runNode(loadLoraNode, { file: 'loras/discs.safetensors', strength: 1 }, { model }, ctx)).lora!;
  // The trigger's prompt (image 0 has the in-training seed) and one without it (image 1, seed + 1).
  const asTrained = {
    prompts: [PROMPT, 'a flat disc'],
    steps: 20,
    guidance: 7,
    seed: TRAIN.seed,
    width: 64,
    height: 64,
  };
  const sample = async (loras: JsonValue) =>
    imagesOf(ctx, await runNode(sampleNode, { ...asTrained, loraStrengths: ['1'] }, { model, loras: [loras] }, ctx));
  const [fromFile, plainFromFile] = await sample(loaded);
  expect(fromFile!.equals(inTraining)).toBe(true);

  // The same adapters without the bundled rows draw another image for the trigger, the same one without it.
  const saved = await readLora(join(ctx.root, 'loras', 'discs.safetensors'));
  expect(saved.embeddings?.map((e) => e.word)).toEqual(['xyz_disc']);
  await writeKohya(join(ctx.root, 'loras', 'bare.safetensors'), saved.adapters, saved.metadata, 'F16');
  const bare = (await runNode(loadLoraNode, { file: 'loras/bare.safetensors', strength: 1 }, { model }, ctx)).lora!;
  const [bareTrigger, barePlain] = await sample(bare);
  expect(bareTrigger!.equals(fromFile!)).toBe(false);
  expect(barePlain!.equals(plainFromFile!)).toBe(true);

  // A rerun with more steps resumes from step 2's rows: the same as a run straight to step 4.
  const resumed = await runNode(trainLoraNode, { ...TRAIN, steps: 4, checkpointEvery: 2 }, { model, dataset }, ctx);
  expect(ctx.logs.some((l) => /resum/i.test(l))).toBe(true);
  const fresh = await prepareDiscs(`${family.family}-pivotal-4`, family.family, write);
  const straight = await runNode(
    trainLoraNode,
    { ...TRAIN, steps: 4, checkpointEvery: 2 },
    { model: fresh.model, dataset: fresh.dataset },
    fresh.ctx,
  );
  const rowsOf = async (c: TestNodeContext, out: Record<string, JsonValue>) =>
    (await readLora(c.artifacts.pathOf((out.lora as unknown as LoraValue).artifact))).embeddings![0]!;
  const [a, b, two] = [await rowsOf(ctx, resumed), await rowsOf(fresh.ctx, straight), await rowsOf(ctx, trained)];
  expect(sum(a.vectors, two.vectors)).toBeGreaterThan(1e-5); // steps 3 and 4 trained it further
  expect(sum(a.vectors, b.vectors)).toBeLessThan(1e-5);
}
