/**
 * What every TrainLoRA path (the emoji model's, SD 1.5's, SDXL's) derives the same way from its parameters: the
 * identity of a run (every parameter but those that only lengthen or sample it, so raising the steps resumes) and
 * the TrainingInfo its saved files record.
 */
import { createHash } from 'node:crypto';
import type { TrainingInfo } from './metadata';
import type { TrainLoraParams } from './train-params';
import { adaptsText } from './train-params';

/**
 * A short hash naming a run's state folder: the parameters that change what is trained, between `before` (the
 * family) and `after` (the inputs' key, the model's hash); the order is kept so that existing runs still resume.
 */
export function runKey(params: TrainLoraParams, before: readonly unknown[], after: readonly unknown[]): string {
  const {
    steps: _s,
    sampleEvery: _se,
    samplePrompts: _sp,
    keepLast: _k,
    outputName: _o,
    loraCheck: _lc,
    checkPrompts: _cp,
    checkStrengths: _cs,
    ...identity
  } = params;
  return createHash('sha256')
    .update(JSON.stringify([...before, identity, ...after]))
    .digest('hex')
    .slice(0, 16);
}

/** The TrainingInfo of a finished run: its parameters plus what the run measured. */
export function trainingInfo(
  params: TrainLoraParams,
  run: Pick<
    TrainingInfo,
    | 'outputName'
    | 'baseModel'
    | 'steps'
    | 'maxSteps'
    | 'images'
    | 'resolution'
    | 'datasetName'
    | 'captions'
    | 'trigger'
    | 'startedAt'
  >,
): TrainingInfo {
  return {
    ...run,
    rank: params.rank,
    alpha: params.alpha,
    dropout: params.dropout,
    learningRate: params.learningRate,
    optimizer: params.optimizer,
    schedule: params.schedule,
    batch: params.batch,
    seed: params.seed,
    finishedAt: Date.now() / 1000,
    textEncoder: adaptsText(params.targets),
    textEncoderLr: params.textEncoderLr > 0 ? params.textEncoderLr : params.learningRate,
  };
}
