/** Exports a workflow's training to another tool's config files. */
import type { NodeSchema } from '../schema';
import type { WorkflowFile } from '../workflow';
import { exportAiToolkit } from './export-aitoolkit';
import { exportKohya } from './export-kohya';
import { readTraining } from './read-workflow';
import type { ExportResult, ExportTarget, ModelFamily } from './types';

export { ExportError } from './read-workflow';

/** The files of `target` for the workflow's first TrainLoRA; warnings say what the target cannot express. */
export function exportWorkflow(
  wf: WorkflowFile,
  target: ExportTarget,
  schemas: readonly NodeSchema[],
  family?: ModelFamily,
): ExportResult {
  const training = readTraining(wf, schemas);
  return target === 'kohya' ? exportKohya(wf, training, family) : exportAiToolkit(wf, training, family);
}
