/** Turns the guide's tables into advice for one dataset: is the image count enough, how many steps, which rank. */
import type { LoraType, ReportAdvice, Verdict } from '../types';
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

/** Advice for a dataset of `images` images trained as a `type` LoRA. */
export function adviseDataset(type: LoraType, images: number): ReportAdvice {
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
  return {
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
  };
}
