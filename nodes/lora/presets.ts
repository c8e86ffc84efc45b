/**
 * TrainLoRA's presets, from the guide's scenarios (style, character, likeness) and, for objects, its general
 * tables. The editor applies them through schema.presets; the user can override any value afterwards.
 */
import type { ParamValue } from '../../protocol/schema';
import { LEARNING_RATES, SCENARIOS } from '../dataset/advice/seed-tables';

const mid = ([lo, hi]: [number, number]): number => Math.round((lo + hi) / 2);

/**
 * Preset values by name. `steps: 0` means the guide's "100 per image" (within its table) divided by the batch size,
 * about 100 epochs (steps-plan.ts); the scenarios' step ranges are steps at batch 1 as well.
 */
export const TRAIN_PRESETS: Record<string, Record<string, ParamValue>> = {
  style: {
    loraType: 'style',
    rank: SCENARIOS.style.rank[0],
    alpha: SCENARIOS.style.rank[0],
    learningRate: SCENARIOS.style.learningRate[1],
    steps: 0,
    captionDropout: 0.05,
    shuffleTags: false,
  },
  character: {
    loraType: 'character',
    rank: SCENARIOS.character.rank[0],
    alpha: SCENARIOS.character.rank[0],
    learningRate: SCENARIOS.character.learningRate[1],
    steps: 0,
    shuffleTags: true,
    keepTokens: 1,
  },
  likeness: {
    loraType: 'likeness',
    rank: SCENARIOS.likeness.rank[0],
    alpha: SCENARIOS.likeness.rank[0],
    learningRate: SCENARIOS.likeness.learningRate[0],
    steps: 0,
    shuffleTags: true,
    keepTokens: 1,
  },
  object: {
    loraType: 'object',
    rank: 16,
    alpha: 16,
    learningRate: LEARNING_RATES[0]!.learningRate[0],
    steps: 0,
    shuffleTags: true,
    keepTokens: 1,
  },
  /**
   * An object for the built-in model by pivotal tuning alone (textual inversion: the trigger's own 9-vector
   * embedding, no adapters), so prompts without the trigger are exactly the base model's. eval:lora's object case:
   * the object is the nearest real render in 100% of samples with the trigger, prompts without it keep their
   * concept 100% (the object preset's adapters: 88% / 50%). SD 1.5 and SDXL train it too (their CLIP rows); its
   * figures there are not measured.
   */
  'object-embedding': {
    loraType: 'object',
    pivotal: true,
    targets: 'trigger embedding only',
    embeddingVectors: 9,
    learningRate: 0.002,
    embeddingLr: 0.01,
    classPrompts: [],
    steps: 0,
    shuffleTags: false,
  },
  /** The guide's SD 1.5 row: 512 px (Resize), tag captions, rank 32, lr 1e-4, about 100 steps per image. */
  sd15: {
    rank: 32,
    alpha: 32,
    learningRate: 0.0001,
    steps: 0,
    batch: 1,
    shuffleTags: true,
    keepTokens: 1,
    prediction: 'epsilon',
    clipSkip: 1,
  },
  /**
   * The guide's SDXL row: 1024 px (Resize: the model's resolution), mixed-style captions (a sentence plus tags, so
   * tags are not shuffled), rank 32, lr 1e-4, about 100 steps per image.
   */
  sdxl: {
    rank: 32,
    alpha: 32,
    learningRate: 0.0001,
    steps: 0,
    batch: 1,
    shuffleTags: false,
    keepTokens: 1,
    prediction: 'epsilon',
    clipSkip: 1,
  },
  prodigy: { optimizer: 'prodigy', learningRate: LEARNING_RATES[3]!.learningRate[0], schedule: 'constant' },
};

/** The steps range the guide's scenario gives for a LoRA type (undefined for objects). */
export function scenarioSteps(type: string): [number, number] | undefined {
  return type in SCENARIOS ? SCENARIOS[type as keyof typeof SCENARIOS].steps : undefined;
}

export const PRESET_NOTE = `style: rank ${SCENARIOS.style.rank.join('-')}, ${SCENARIOS.style.steps.join('-')} steps (about ${mid(SCENARIOS.style.steps)}), lr ${SCENARIOS.style.learningRate[0]}; character: rank ${SCENARIOS.character.rank.join('-')}; likeness: lr ${SCENARIOS.likeness.learningRate.join('-')}`;
