// The optimizer contract: each optimizer emits an update subgraph over packed (flat) parameter tensors.
import type { G } from './ops';
import type { Tensor } from '../graph/tensor';

/** One packed trainable tensor: a flat float32 vector of `size` values. */
export interface PackSpec {
  readonly name: string;
  readonly size: number;
}

/** One optimizer state tensor and how to initialise it from the initial packed parameters. */
export interface StateSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: (initialParams: readonly Float32Array[]) => Float32Array;
}

/** What the update subgraph receives. `step` is the 1-based optimizer step as a float32 scalar. */
export interface UpdateInputs {
  readonly params: readonly Tensor[];
  readonly grads: readonly Tensor[];
  readonly state: readonly Tensor[];
  readonly lr: Tensor;
  readonly step: Tensor;
}

export interface UpdateOutputs {
  readonly params: Tensor[];
  readonly state: Tensor[];
}

/** An optimizer: the state it keeps and the graph of one update. */
export interface Optimizer {
  readonly kind: string;
  stateSpecs(packs: readonly PackSpec[]): StateSpec[];
  update(g: G, inputs: UpdateInputs): UpdateOutputs;
}

export interface AdamWConfig {
  kind: 'adamw';
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}
export interface SgdConfig {
  kind: 'sgd';
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}
export interface ProdigyConfig {
  kind: 'prodigy';
  beta1?: number;
  beta2?: number;
  /** Defaults to sqrt(beta2), as in the reference implementation. */
  beta3?: number;
  eps?: number;
  weightDecay?: number;
  /** AdamW-style decoupled weight decay (default true); false adds it to the gradient. */
  decouple?: boolean;
  d0?: number;
  dCoef?: number;
  growthRate?: number;
  useBiasCorrection?: boolean;
  safeguardWarmup?: boolean;
}
/** Serializable optimizer choice (goes into checkpoints and worker messages). */
export type OptimizerConfig = AdamWConfig | SgdConfig | ProdigyConfig;

export const zerosFor = (size: number) => (): Float32Array => new Float32Array(size);
