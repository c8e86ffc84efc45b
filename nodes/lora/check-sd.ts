/**
 * The LoRA check on an SD 1.5 or SDXL checkpoint: the same figures as for the emoji model (check-figures.ts compares
 * the model with itself, no classifier), sampled through the SD sampling path (ml/sd's worker, which reads the family
 * from the checkpoint and merges the LoRAs as loaders apply them), square images of `size` px, Euler, no negative
 * prompt. On SD every image is a full sampling run, so TrainLoRA's own check uses few prompts (SD_TRAIN_CHECK_PROMPTS).
 */
import { sampleSdInWorker } from '../../ml/sd/sample-job';
import { NodeUserError, type NodeContext } from '../api';
import { SD_FAMILY_LABEL, type SdModelValue } from '../model/sd-model-value';
import type { CheckSampler, CheckSettings } from './check-run';

/** Subjects SD 1.5 and SDXL draw well, as short prompts (unlike most training captions). */
export const SD_CHECK_SUBJECTS = [
  'a red apple on a wooden table',
  'a lighthouse by the sea',
  'a cat sitting on a sofa',
  'a bowl of ramen',
  'a city street at night',
  'a mountain lake, landscape',
  'portrait of an old man',
  'a vintage car',
];

/**
 * Prompts of TrainLoRA's own check on SD when none are given: 2, the fewest subject survival can compare. The check
 * then draws (checkpoints x strengths + 1) x 4 + 2 images: 30 for 3 checkpoints at 2 strengths.
 */
export const SD_TRAIN_CHECK_PROMPTS = 2;

/** Checks an SD check size: a multiple of 64 (three stride-2 levels on size/8 latents). */
export function checkSdSize(size: number, model: Pick<SdModelValue, 'family'>, param = 'size'): number {
  if (!Number.isInteger(size) || size < 64 || size % 64)
    throw new NodeUserError(
      `the check size must be a multiple of 64 for ${SD_FAMILY_LABEL[model.family]}, got ${size}`,
      'e.g. 512',
      param,
    );
  return size;
}

/** The SD check sampler of `model` (SD 1.5 or SDXL). */
export function sdCheckSampler(
  ctx: NodeContext,
  model: SdModelValue,
  o: Pick<CheckSettings, 'steps' | 'guidance'> & { size: number; clipSkip?: number },
): CheckSampler {
  return async (stacks, prompts, seed, onProgress) => {
    const r = await sampleSdInWorker(
      {
        checkpoint: model.path,
        stacks: stacks.map((st) => ({ loras: st.map((l) => ({ path: l.path, strength: l.strength })) })),
        settings: {
          prompts: [...prompts],
          negative: '',
          seed,
          steps: o.steps,
          cfg: o.guidance,
          sampler: 'euler',
          width: o.size,
          height: o.size,
          previewEvery: 0,
        },
        clipSkip: o.clipSkip ?? 1,
      },
      (done, total) => onProgress(done, total),
      ctx.signal,
    );
    const px = o.size * o.size * 3;
    const images = r.images.map((stack) => {
      const all = new Uint8Array(stack.length * px);
      stack.forEach((img, i) => all.set(img.subarray(0, px), i * px));
      return all;
    });
    return { images, size: o.size };
  };
}
