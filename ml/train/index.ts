// ml/train: the training-loop runtime. A Trainer packs a task's parameters, builds forward + backward + optimizer
// into one ONNX graph (K steps per session.run with a Loop), runs it deterministically from a seed, and checkpoints
// exactly; trainInWorker runs it in a worker thread with progress messages and cancellation.
export { Trainer } from './trainer';
export { trainInWorker, type TrainHandle, type TrainResult, type TrainCallbacks } from './remote';
export { saveCheckpoint, loadCheckpoint, type CheckpointData } from './checkpoint';
export { CounterRng, type RngState } from './rng';
export { buildStepGraph, type StepGraph } from './step-graph';
export { countMatmulFlops } from './flops';
export type { TrainJob, TrainWorkerMessage } from './messages';
export type { TrainTask, TrainTaskModule, TrainConfig, StepReport, ParamInit, BatchArray } from './types';
