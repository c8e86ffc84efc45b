import fs from 'node:fs';
import { parseWorkflow, WorkflowParseError } from '../../protocol/workflow-io';
import type { WorkflowFile } from '../../protocol/workflow';
import { UsageError } from './args';

/** Reads and parses a workflow file; problems become UsageErrors naming the file. */
export function loadWorkflowFile(file: string | undefined): { workflow: WorkflowFile; warnings: string[] } {
  if (!file) throw new UsageError('expected a workflow file');
  let text: string;
  try {
    // A device never ends (/dev/zero, /dev/urandom): reading it grew memory until Node aborted (QA S8-F17).
    const stat = fs.statSync(file);
    if (stat.isCharacterDevice() || stat.isBlockDevice())
      throw new UsageError(`cannot read ${file}: a device, not a workflow file`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return parseWorkflow(text);
  } catch (err) {
    if (err instanceof WorkflowParseError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  }
}
