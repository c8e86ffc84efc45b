/**
 * The errors the server gave when it refused to run a workflow (`POST /api/runs` 400), for the very document it
 * refused: checks only the server can make (its path policy: an output folder outside the allowed folders, a name
 * that would leave its folder) are shown on the nodes as the editor's own are, until the workflow is edited.
 */
import type { ValidationError } from '../../../protocol/validation-types';
import type { WorkflowFile } from '../../../protocol/workflow';
import { errorsByNode } from '../../../protocol/validate';
import { createStore } from './createStore';
import { idRecord } from './records';

export interface ServerRefusal {
  doc?: WorkflowFile;
  byNode: Record<string, ValidationError[]>;
}

export const serverRefusalStore = createStore<ServerRefusal>({ byNode: idRecord() });

/** Remembers the server's errors for `doc` (an edit makes a new doc object, which has none). */
export function setServerRefusal(doc: WorkflowFile, errors: readonly ValidationError[]): void {
  serverRefusalStore.replace({ doc, byNode: errorsByNode(errors) });
}

/** The server's errors on one node of `doc`. */
export function refusedOn(r: ServerRefusal, doc: WorkflowFile, nodeId: string): readonly ValidationError[] | undefined {
  return r.doc === doc ? r.byNode[nodeId] : undefined;
}
