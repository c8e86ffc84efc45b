/**
 * The run queue and the composition of a runtime (database, engine environment, queue) from the
 * configuration. `loraflow serve` and the in-process `loraflow run` both go through here.
 */
export { RunQueue, type SubmitResult, type Listener } from './run-queue';
export { createRuntime, loadNodeDefinitions, type Runtime } from './runtime';
export { checkSubmission } from './submission';
