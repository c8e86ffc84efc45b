// Optimizers as ONNX update subgraphs over packed flat parameters, gradient clipping, and learning-rate schedules.
import { adamw } from './adamw';
import { sgd } from './sgd';
import { prodigy } from './prodigy';
import type { Optimizer, OptimizerConfig } from './types';

export { adamw, sgd, prodigy };
export { clipByGlobalNorm, globalNorm } from './clip';
export { lrAt, lrRange, validateSchedule, type ScheduleConfig, type ScheduleKind } from './schedule';
export type {
  Optimizer,
  OptimizerConfig,
  AdamWConfig,
  SgdConfig,
  ProdigyConfig,
  PackSpec,
  StateSpec,
  UpdateInputs,
  UpdateOutputs,
} from './types';

/** The optimizer for a serializable config. */
export function makeOptimizer(cfg: OptimizerConfig): Optimizer {
  switch (cfg.kind) {
    case 'adamw':
      return adamw(cfg);
    case 'sgd':
      return sgd(cfg);
    case 'prodigy':
      return prodigy(cfg);
  }
}
