/**
 * Textual inversion on SD 1.5: TrainLoRA's "trigger embedding only" with pivotal tuning trains the trigger's CLIP
 * rows and nothing else, so the file holds no adapter and prompts without the trigger are the base model's:
 *
 *   LoadModel(tiny) ─┬─────────────────────────────────────────────────────────────────┬─> Sample (with the file)
 *   discs ─> Caption(xyz_disc) ─> Resize ─> TrainLoRA(pivotal, trigger embedding only) ─> SaveCheckpoint ─> LoadLoRA
 *                                                                                         └─> Sample (base model)
 */
import { join } from 'node:path';
import { readLora } from '../../ml/lora/file';
import type { NodeUserError } from '../../nodes/api';
import { loadLoraNode } from '../../nodes/lora/load-lora';
import { saveCheckpointNode } from '../../nodes/lora/save-checkpoint';
import { trainLoraNode } from '../../nodes/lora/train-lora';
import { sampleNode } from '../../nodes/model/sample';
import { runNode } from '../support/node-context';
import { tinyCheckpoint } from './fixtures';
import { imagesOf, prepareDiscs, PROMPT } from './disc-setup';
import { TRAIN } from './pivotal-setup';

jest.setTimeout(600_000);

test('the embedding alone changes only prompts with the trigger; without pivotal tuning the layer set is refused', async () => {
  const { ctx, model, dataset } = await prepareDiscs('sd15-ti', 'sd15', (root, name) =>
    tinyCheckpoint(root, name, { dtype: 'F16' }),
  );
  const refused = await runNode(
    trainLoraNode,
    { ...TRAIN, pivotal: false, targets: 'trigger embedding only' },
    {
      model,
      dataset,
    },
    ctx,
  ).catch((e: NodeUserError) => e);
  expect(refused).toMatchObject({ param: 'targets', message: expect.stringMatching(/pivotal/) });

  const settings = { ...TRAIN, targets: 'trigger embedding only', samplePrompts: [] };
  const trained = await runNode(trainLoraNode, settings, { model, dataset }, ctx);
  await runNode(saveCheckpointNode, { folder: 'loras', name: 'ti' }, { lora: trained.lora! }, ctx);
  const set = await readLora(join(ctx.root, 'loras', 'ti.safetensors'));
  expect(set.adapters).toHaveLength(0);
  expect(set.embeddings?.map((e) => [e.word, e.vectors.length / e.width])).toEqual([['xyz_disc', 2]]);

  const lora = (await runNode(loadLoraNode, { file: 'loras/ti.safetensors', strength: 1 }, { model }, ctx)).lora!;
  const sample = { prompts: [PROMPT, 'a flat disc'], steps: 8, guidance: 7, seed: 3, width: 64, height: 64 };
  const [withTrigger, without] = await imagesOf(
    ctx,
    await runNode(sampleNode, { ...sample, loraStrengths: ['1'] }, { model, loras: [lora] }, ctx),
  );
  const [baseTrigger, baseWithout] = await imagesOf(ctx, await runNode(sampleNode, sample, { model }, ctx));
  expect(without!.equals(baseWithout!)).toBe(true);
  expect(withTrigger!.equals(baseTrigger!)).toBe(false);
});
