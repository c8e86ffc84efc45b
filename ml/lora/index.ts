/**
 * ml/lora: LoRA adapters for the built-in DiT, with kohya's semantics (y = W x + strength * alpha/rank * up(down x),
 * down random, up zero). Knows nothing of nodes.
 *
 * - types.ts: LoraAdapter/LoraSet; file.ts: kohya files (write, atomic, sshs_model_hash) and kohya/PEFT reading.
 * - merge.ts: fit check against a model and merging into its weights (sampling with stacked LoRAs).
 * - hook.ts: the adapter in the graph (DiT's LinearHook), with kohya's network dropout.
 * - task.ts + feed.ts: LoRA training as an ml/train TrainTask (base frozen as initializers; caption dropout, tag
 *   shuffling, trigger dropout; regularisation images mixed in with a prior-loss weight; the text encoder's adapters
 *   reparametrised for a learning rate of their own). validation.ts: validation loss with fixed noise and timesteps.
 * - train-worker.ts + train-run.ts + job.ts + checkpoints.ts: a resumable training run in a worker thread
 *   (checkpoints every N steps, last K + best kept, sample grids).
 * - pivotal.ts (with task.ts, file.ts): pivotal tuning, a trigger word's own embedding trained beside the adapters,
 *   bundled in the file as A1111's `bundle_emb.<word>.string_to_param.*` and read by every sampler.
 * - sample.ts: sampling combinations of LoRAs and strengths (merged); ml/dit's sampling worker runs it in a thread.
 */
export type { LoraAdapter, LoraSet, TriggerEmbedding, WeightedLora } from './types';
export { loraScale } from './types';
export { encodeKohya, writeKohya, readLora, dataHash } from './file';
export { loraMismatch, mergeLoras } from './merge';
export { loraHook, type AdapterTensors } from './hook';
export { createLoraTask, adaptersFromParams, embeddingsFromParams, type LoraTaskOptions } from './task';
export { initialTriggerEmbedding } from './pivotal';
export { ValidationLoss } from './validation';
export { trainLoraInWorker, type LoraEvent } from './train-run';
export type { LoraJobMessage, LoraTrainJob, LoraTrainResult } from './job';
export { listCheckpoints, bestCheckpoint, resumePoint } from './checkpoints';
export { readCombos, sampleCombos, type LoraFileUse } from './sample';
