/** Turns the guide's tables into advice for one dataset: is the image count enough, how many steps, which rank. */
import type { LoraType, ReportAdvice, Verdict } from '../types';
import type { AdviceFamily, TrainingBasis } from './training-basis';
import { DEFAULT_RANK, IMAGE_COUNTS, SCENARIOS, STEPS_BY_DATASET_SIZE, STEPS_PER_IMAGE } from './seed-tables';

/** The guide's steps range for `images` images, interpolated between the table's rows. */
export function stepsRange(images: number): [number, number] {
  const rows = STEPS_BY_DATASET_SIZE;
  const first = rows[0]!;
  if (images < first.images) return [STEPS_PER_IMAGE * images, Math.round((first.steps[1] / first.images) * images)];
  for (let i = 1; i < rows.length; i++) {
    const lo = rows[i - 1]!;
    const hi = rows[i]!;
    if (images <= hi.images) {
      const t = (images - lo.images) / (hi.images - lo.images);
      const lerp = (a: number, b: number) => Math.round((a + t * (b - a)) / 50) * 50;
      return [lerp(lo.steps[0], hi.steps[0]), lerp(lo.steps[1], hi.steps[1])];
    }
  }
  return rows.at(-1)!.steps;
}

/** Suggested steps: 100 per image, kept within the guide's range for the dataset size. */
export function suggestSteps(images: number): number {
  const [lo, hi] = stepsRange(images);
  return Math.min(hi, Math.max(lo, STEPS_PER_IMAGE * images));
}

/** The model the figures are for, as the summary names it. */
export const FAMILY_LABEL: Record<AdviceFamily, string> = {
  emoji: 'the built-in emoji model',
  sd15: 'Stable Diffusion 1.5',
  unknown: 'Stable Diffusion 1.5 / SDXL',
};

/**
 * Advice for a dataset of `images` images trained as a `type` LoRA; `basis` says for which model (the guide's tables
 * are for SD 1.5 and SDXL; for the built-in emoji model the figures are those of the TrainLoRA the dataset feeds).
 */
export function adviseDataset(
  type: LoraType,
  images: number,
  basis: TrainingBasis = { family: 'unknown' },
): ReportAdvice {
  const counts = IMAGE_COUNTS[type];
  const [recLo, recHi] = counts.recommended;
  const countVerdict: Verdict =
    images < counts.minimum
      ? 'too-few'
      : images < recLo
        ? 'below-recommended'
        : images <= recHi
          ? 'good'
          : 'more-than-needed';
  const countMessage = {
    'too-few': `only ${images} image(s): a ${type} LoRA needs at least ${counts.minimum} (${recLo}-${recHi} recommended; ${counts.note.toLowerCase()})`,
    'below-recommended': `${images} images: enough for a ${type} LoRA, but ${recLo}-${recHi} are recommended (${counts.note.toLowerCase()})`,
    good: `${images} images: within the recommended ${recLo}-${recHi} for a ${type} LoRA`,
    'more-than-needed': `${images} images: more than the ${recLo}-${recHi} usually needed for a ${type} LoRA; quality matters more than quantity`,
  }[countVerdict];
  const range = stepsRange(images);
  const steps = suggestSteps(images);
  const scenario = type === 'object' ? undefined : SCENARIOS[type];
  const stepsMessage =
    `about ${STEPS_PER_IMAGE} steps per image, ${range[0]}-${range[1]} for ${images} images` +
    (scenario ? `; the guide's ${type} preset uses ${scenario.steps[0]}-${scenario.steps[1]}` : '') +
    (images >= 100 ? '; diminishing returns above ~8000' : images <= 10 ? '; watch for overfitting' : '');
  const rankRange: [number, number] = scenario ? scenario.rank : [16, 32];
  const rank = type === 'style' && images < 20 ? 16 : DEFAULT_RANK;
  const rankMessage = `rank ${rank} (${rankRange[0]}-${rankRange[1]} for a ${type} LoRA): increase only if results lack detail, decrease if it overfits`;
  const learningRate = scenario ? scenario.learningRate[1] : 0.0001;
  const guide = {
    loraType: type,
    imageCount: images,
    minimum: counts.minimum,
    recommended: counts.recommended,
    countVerdict,
    countMessage,
    steps,
    stepsRange: range,
    stepsMessage,
    rank,
    rankRange,
    rankMessage,
    learningRate,
    family: basis.family,
  };
  const train = basis.train;
  if (basis.family === 'emoji' && train) {
    const own = train.steps > 0 ? train.steps : Math.ceil(suggestSteps(images) / train.batch);
    const how = train.steps > 0 ? `as "${train.nodeId}" is set` : `"${train.nodeId}"'s automatic ~100 epochs`;
    return {
      ...guide,
      steps: own,
      stepsRange: [own, own],
      stepsMessage: `${own} steps at batch ${train.batch} (${how})${images <= 10 ? '; watch for overfitting' : ''}`,
      rank: train.rank,
      rankRange: [train.rank, train.rank],
      rankMessage: `rank ${train.rank}, learning rate ${train.learningRate} (as "${train.nodeId}" is set): increase the rank only if results lack detail, decrease it if it overfits`,
      learningRate: train.learningRate,
      basisMessage: `these steps, rank and learning rate are for the built-in emoji model (32x32), taken from "${train.nodeId}"; the guide's ${range[0]}-${range[1]} steps, rank ${rank} and learning rate ${learningRate} are for Stable Diffusion 1.5 and SDXL`,
    };
  }
  const basisMessage =
    basis.family === 'sd15'
      ? `steps, rank and learning rate from the training guide, for Stable Diffusion 1.5 (the model "${train?.nodeId ?? 'TrainLoRA'}" trains)`
      : 'steps, rank and learning rate from the training guide, for Stable Diffusion 1.5 and SDXL; the built-in emoji model needs far fewer steps at a higher learning rate (see its TrainLoRA preset)';
  return { ...guide, basisMessage };
}
