/**
 * What every TrainLoRA path (the emoji model's, SD 1.5's, SDXL's) derives the same way from its parameters: the
 * identity of a run (every parameter but those that only lengthen or sample it, so raising the steps resumes), the
 * TrainingInfo its saved files record, its own LoRA check's settings, and its outputs at the end: the kept
 * checkpoints exported and the best one chosen (by that check when it runs, else by validation loss).
 */
import { createHash } from 'node:crypto';
import { bestCheckpoint, listCheckpoints, type CheckpointEntry } from '../../ml/lora/checkpoints';
import type { JsonValue } from '../../protocol/values';
import type { NodeContext } from '../api';
import {
  CHECK_SAMPLE_STEPS,
  describeCheck,
  runLoraCheckWith,
  type CheckSampler,
  type CheckSettings,
} from './check-run';
import { parseStrengths } from './lora-check';
import { loraJson, type LoraValue } from './lora-value';
import type { TrainingInfo } from './metadata';
import { describeWithCheck, type Diagnosis } from './diagnose';
import { adaptsText, timestepRange, type TrainLoraParams } from './train-params';

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
    minTimestep: _mt,
    maxTimestep: _xt,
    ...rest
  } = params;
  // Added after runs were keyed: the whole schedule (the default) keys as before, so those runs still resume.
  const range = timestepRange(params);
  const identity = range ? { ...rest, timesteps: range } : rest;
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
    timesteps: timestepRange(params),
  };
}

/**
 * The settings of TrainLoRA's own LoRA check, or undefined when it does not run (`loraCheck` off, or fewer than 2
 * prompts to compare). Read before training, so that bad strengths fail before the run, not after it.
 */
export function ownCheckSettings(
  params: TrainLoraParams,
  subjects: string[],
  trigger: string,
): CheckSettings | undefined {
  if (!params.loraCheck || subjects.length < 2) return undefined;
  const strengths = parseStrengths(params.checkStrengths, 'checkStrengths');
  return { subjects, trigger, strengths, seed: params.seed, steps: CHECK_SAMPLE_STEPS, guidance: 4 };
}

/** TrainLoRA's own check: how its family samples, and with what. */
export interface OwnCheck {
  readonly sampler: CheckSampler;
  readonly settings: CheckSettings;
}

/**
 * TrainLoRA's outputs once a run reached `step`: every kept checkpoint up to it exported (`exportOne`, oldest
 * first), the last, and the best: chosen by the LoRA check when `check` is given (its table and findings logged,
 * its labelled checkpoint x strength grid previewed, the strength it picked kept), else by validation loss.
 * `run.diagnosis`, the monitor's final loss diagnosis, is restated with the check's findings where they disagree.
 */
export async function runOutputs(
  ctx: NodeContext,
  run: { stateDir: string; step: number; diagnosis?: Diagnosis },
  exportOne: (entry: CheckpointEntry) => Promise<LoraValue>,
  check?: OwnCheck,
): Promise<Record<string, JsonValue>> {
  const kept = listCheckpoints(run.stateDir).filter((e) => e.step <= run.step);
  const last = kept.at(-1);
  if (!last || last.step !== run.step) throw new Error(`no checkpoint at step ${run.step} in ${run.stateDir}`);
  const values: LoraValue[] = [];
  for (const e of kept) values.push(await exportOne(e));
  let best = values[kept.indexOf(bestCheckpoint(kept) ?? last)] ?? values.at(-1)!;
  if (check) {
    // The best checkpoint is chosen on what the LoRA does (effect without bleeding, subject kept), not the loss.
    const loras = values.map((v, i) => ({ file: ctx.artifacts.pathOf(v.artifact), name: v.name, step: kept[i]!.step }));
    const { strengths, subjects, steps } = check.settings;
    const images = (values.length * strengths.length + 1) * 2 * subjects.length + subjects.length;
    ctx.log(
      'info',
      `LoRA check: ${images} images of ${steps} steps (${values.length} checkpoint(s) x ${strengths.length} strength(s) and the base model, ${subjects.length} prompts with and without the trigger, the base model once more)`,
    );
    const r = await runLoraCheckWith(ctx, check.sampler, loras, check.settings);
    for (const l of describeCheck(r, check.settings.subjects.length)) ctx.log('info', l);
    for (const f of r.findings.filter((x) => x.bad)) ctx.warn(f.text);
    // Logged after the monitor's own "loss curve:" line, so it is the run's last diagnosis (the CLI summary's).
    const headline = run.diagnosis && describeWithCheck(run.diagnosis, r.findings);
    if (headline) ctx.log('info', headline);
    ctx.preview(r.grid, 'LoRA check: rows checkpoint @ strength; columns with / without the trigger');
    best = { ...values[r.best.lora]!, strength: r.best.strength };
  }
  return { lora: loraJson(values.at(-1)!), best: loraJson(best), checkpoints: loraJson(values) };
}
