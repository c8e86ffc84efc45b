/**
 * The training guide's tables (shared/seeds/000_…), as data the product applies: dataset sizes per LoRA type,
 * steps per dataset size, rank, learning rates, scenario presets, the quality checklist's thresholds and the
 * caption style per model family. DatasetReport uses them now; TrainLoRA can use them for presets and hints.
 */
import type { LoraType } from '../types';

/** "How Many Images Do You Need?" */
export const IMAGE_COUNTS: Record<LoraType, { minimum: number; recommended: [number, number]; note: string }> = {
  style: { minimum: 10, recommended: [20, 50], note: 'Quality matters more than quantity' },
  character: { minimum: 15, recommended: [30, 100], note: 'Need variety in poses, angles, expressions' },
  object: { minimum: 10, recommended: [20, 40], note: 'Multiple angles, lighting conditions' },
  likeness: { minimum: 20, recommended: [40, 100], note: 'Diverse photos, different contexts' },
};

/** "A rough formula: 100 steps per training image". */
export const STEPS_PER_IMAGE = 100;

/** "How Many Steps?": steps range by dataset size (the last row is 100+ images). */
export const STEPS_BY_DATASET_SIZE: { images: number; steps: [number, number]; note: string }[] = [
  { images: 10, steps: [1000, 1500], note: 'Watch for overfitting' },
  { images: 20, steps: [2000, 2500], note: 'Good baseline' },
  { images: 50, steps: [4000, 5000], note: 'Solid training' },
  { images: 100, steps: [5000, 8000], note: 'Diminishing returns above ~8000' },
];

/** "Choosing the Right Rank". */
export const RANK_TABLE: { rank: [number, number]; fileSizeMb: [number, number]; bestFor: string }[] = [
  { rank: [8, 16], fileSizeMb: [10, 30], bestFor: 'Simple styles, small adjustments' },
  { rank: [32, 32], fileSizeMb: [50, 80], bestFor: 'Most character and style LoRAs' },
  { rank: [64, 128], fileSizeMb: [150, 300], bestFor: 'Complex subjects, maximum fidelity' },
];
export const DEFAULT_RANK = 32;

/** "Learning Rate Guidelines". */
export const LEARNING_RATES: { situation: string; learningRate: [number, number]; why: string }[] = [
  { situation: 'First attempt', learningRate: [0.0001, 0.0001], why: 'Safe starting point' },
  { situation: 'Not learning fast enough', learningRate: [0.0002, 0.0003], why: 'Speed up learning' },
  { situation: 'Overfitting quickly', learningRate: [0.00005, 0.0001], why: 'Slow down learning' },
  { situation: 'Using Prodigy optimizer', learningRate: [1, 1], why: 'Self-adjusting rate' },
];

/** "Common Training Scenarios" (object has no scenario in the guide: it uses the general tables). */
export const SCENARIOS: Record<
  Exclude<LoraType, 'object'>,
  { images: [number, number]; rank: [number, number]; steps: [number, number]; learningRate: [number, number] }
> = {
  style: { images: [15, 30], rank: [16, 32], steps: [1500, 3000], learningRate: [0.0001, 0.0001] },
  character: { images: [20, 50], rank: [32, 64], steps: [2000, 4000], learningRate: [0.0001, 0.0001] },
  likeness: { images: [30, 100], rank: [32, 64], steps: [3000, 5000], learningRate: [0.00005, 0.0001] },
};

/** "Image Quality Checklist": at least 512x512, 1024x1024 preferred. */
export const MIN_RESOLUTION = 512;
export const PREFERRED_RESOLUTION = 1024;

/** "Quick Caption Guide by Model". */
export const CAPTION_STYLE_BY_MODEL: Record<'sd15' | 'sdxl' | 'flux', { style: string; example: string }> = {
  sd15: { style: 'Tag-based', example: 'xyz_style, digital art, landscape, mountains, sunset, vibrant colors' },
  sdxl: { style: 'Mixed', example: 'xyz_style digital painting of mountains at sunset, vibrant colors, detailed' },
  flux: {
    style: 'Natural',
    example: 'A beautiful mountain landscape at sunset in the xyz_style, with vibrant orange and purple colors',
  },
};
