/**
 * The LoRA check on an SD 1.5 checkpoint: the same figures as for the emoji model (check-figures.ts compares the
 * model with itself, no classifier), sampled through the SD 1.5 sampling path (ml/sd's worker, the LoRAs merged as
 * loaders apply them), square images of `size` px, Euler, no negative prompt.
 */
import { sampleSd15InWorker } from '../../ml/sd/sample-job';
import { NodeUserError, type NodeContext } from '../api';
import type { Sd15ModelValue } from '../model/sd-model-value';
import type { CheckSampler, CheckSettings } from './check-run';

/** Subjects SD 1.5 draws well, as tag-style prompts (the guide's caption style for SD 1.5). */
export const SD15_CHECK_SUBJECTS = [
  'a red apple on a wooden table',
  'a lighthouse by the sea',
  'a cat sitting on a sofa',
  'a bowl of ramen',
  'a city street at night',
  'a mountain lake, landscape',
  'portrait of an old man',
  'a vintage car',
];

/** Checks an SD 1.5 check size: a multiple of 64 (three stride-2 levels on size/8 latents). */
export function checkSd15Size(size: number, param = 'size'): number {
  if (!Number.isInteger(size) || size < 64 || size % 64)
    throw new NodeUserError(`the check size must be a multiple of 64 for SD 1.5, got ${size}`, 'e.g. 512', param);
  return size;
}

/** The SD 1.5 check sampler of `model`. */
export function sd15CheckSampler(
  ctx: NodeContext,
  model: Sd15ModelValue,
  o: Pick<CheckSettings, 'steps' | 'guidance'> & { size: number; clipSkip?: number },
): CheckSampler {
  return async (stacks, prompts, seed, onProgress) => {
    const r = await sampleSd15InWorker(
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
