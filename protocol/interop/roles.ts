/**
 * The nodes an imported training config becomes, by role, and how they are wired. Import fills each role's
 * parameters; export reads them back from a workflow by following TrainLoRA's inputs and outputs.
 *
 *   LoadImages ─> Caption ─> Resize ─> TrainLoRA ─┬─> Sample (one per set of sample options)
 *   LoadModel ───────────────┴─────────┘  │ │     └─> SaveCheckpoint
 *   LoadImages (regularisation, optional) ─┘
 */
import type { ParamValue } from '../schema';

export type Params = Record<string, ParamValue>;

/** One node per role; samples are a list (one Sample node per group of prompts that share their options). */
export const ROLE_TYPES = {
  model: 'LoadModel',
  images: 'LoadImages',
  /** Regularisation images (kohya's reg folder), into TrainLoRA's `regularization` input. */
  reg: 'LoadImages',
  caption: 'Caption',
  resize: 'Resize',
  train: 'TrainLoRA',
  save: 'SaveCheckpoint',
  sample: 'Sample',
} as const;

export type Role = keyof typeof ROLE_TYPES;

/** The parameters of each role's node, as read from a config or a workflow. */
export interface TrainingSetup {
  model: Params;
  images: Params;
  /** Empty when the config has no regularisation images. */
  reg: Params;
  caption: Params;
  resize: Params;
  train: Params;
  save: Params;
  samples: Params[];
}

export function emptySetup(): TrainingSetup {
  return { model: {}, images: {}, reg: {}, caption: {}, resize: {}, train: {}, save: {}, samples: [] };
}
