/**
 * In-training SDXL samples agree with what a loader draws from the saved file (the complaint users have when
 * in-training samples and ComfyUI disagree):
 *
 *   LoadModel(sdxl) ─┬──────────────────────────────────────────────────────────────┬─> Sample (the same settings)
 *   LoadImages ─> Caption ─> Resize(64) ─> TrainLoRA ─> SaveCheckpoint (fp16) ─> LoadLoRA ┘
 *                                          └─> its in-training sample at the last step
 *
 * TrainLoRA samples with its adapters rounded to fp16, as the saved file holds them, and ΔW = alpha/rank · up·down:
 * the Sample node on the loaded file, and on a `<lora:name:1>` tag, gives the same image to the byte.
 */
import { loadLoraNode } from '../../nodes/lora/load-lora';
import { saveCheckpointNode } from '../../nodes/lora/save-checkpoint';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { sampleNode } from '../../nodes/model/sample';
import type { JsonValue } from '../../protocol/values';
import { runNode } from '../support/node-context';
import { DISC_TRAIN as TRAIN, imagesOf, inTrainingSample, prepareDiscs, PROMPT } from './disc-setup';
import { tinySdxlCheckpoint } from './fixtures';

jest.setTimeout(900_000);

test('the last in-training sample is, to the byte, what Sample draws from the saved fp16 file', async () => {
  const { ctx, model, dataset } = await prepareDiscs('sdxl-as-trained', 'sdxl', (root, name) =>
    tinySdxlCheckpoint(root, name, { dtype: 'F16' }),
  );
  const trained = await runNode(trainLoraNode, TRAIN, { model, dataset }, ctx);
  const inTraining = await inTrainingSample(ctx, 2);

  await runNode(saveCheckpointNode, { folder: 'loras', name: 'discs' }, { lora: trained.lora! }, ctx);
  const lora = (await runNode(loadLoraNode, { file: 'loras/discs.safetensors', strength: 1 }, { model }, ctx)).lora!;
  const asTrained = { prompts: [PROMPT], steps: 20, guidance: 7, seed: TRAIN.seed, width: 64, height: 64 };
  const image = async (out: Record<string, JsonValue>) => (await imagesOf(ctx, out))[0]!;
  const fromFile = await image(
    await runNode(sampleNode, { ...asTrained, loraStrengths: ['1'] }, { model, loras: [lora] }, ctx),
  );
  expect(fromFile.equals(inTraining)).toBe(true);
  const viaTag = await image(
    await runNode(sampleNode, { ...asTrained, prompts: [`${PROMPT} <lora:discs:1>`] }, { model }, ctx),
  );
  expect(viaTag.equals(inTraining)).toBe(true);
  const base = await image(await runNode(sampleNode, asTrained, { model }, ctx));
  expect(base.equals(inTraining)).toBe(false); // the LoRA is in the image
});
