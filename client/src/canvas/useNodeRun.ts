/** Hooks that read one node's run state and validation errors for the active tab. */
import type { NodeState } from '../../../protocol/messages';
import type { ValidationError } from '../../../protocol/validation-types';
import { useStore } from '../store/createStore';
import { activeTab, editorStore } from '../store/editor';
import { runsStore, type RunView } from '../store/runs';
import { schemasStore } from '../store/schemas';
import { noErrors, sameErrors, validate } from '../graph/validation';
import { refusedOn, serverRefusalStore } from '../store/serverRefusals';

/** The id of the run the active tab shows. */
export function useActiveRunId(): string | undefined {
  return useStore(editorStore, (s) => activeTab(s).runId);
}

/** The active run's state of one node. */
export function useNodeState(nodeId: string): NodeState | undefined {
  const runId = useActiveRunId();
  return useStore(runsStore, (s) => (runId ? s.runs[runId]?.nodes[nodeId] : undefined));
}

/** The active run. */
export function useActiveRun(): RunView | undefined {
  const runId = useActiveRunId();
  return useStore(runsStore, (s) => (runId ? s.runs[runId] : undefined));
}

/** The validation errors of one node of the active tab (re-renders only when they change). */
export function useNodeErrors(nodeId: string): readonly ValidationError[] {
  const schemas = useStore(schemasStore, (s) => s.byType);
  const local = useStore(
    editorStore,
    (s) => validate(activeTab(s).doc, schemas).byNode[nodeId] ?? noErrors,
    sameErrors,
  );
  const doc = useStore(editorStore, (s) => activeTab(s).doc);
  const refused = useStore(serverRefusalStore, (r) => refusedOn(r, doc, nodeId) ?? noErrors, sameErrors);
  return refused.length === 0 ? local : [...local, ...refused];
}

/** The validation warnings of one node in the open workflow (parameters its type lacks). */
export function useNodeValidationWarnings(nodeId: string): readonly ValidationError[] {
  const schemas = useStore(schemasStore, (s) => s.byType);
  return useStore(
    editorStore,
    (s) => validate(activeTab(s).doc, schemas).warningsByNode[nodeId] ?? noErrors,
    sameErrors,
  );
}

const NO_WARNINGS: string[] = [];
const sameLines = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** The warnings one node logged in the active run (skipped files with their reasons, too few images...). */
export function useNodeWarnings(nodeId: string): readonly string[] {
  const runId = useActiveRunId();
  return useStore(
    runsStore,
    (s) => {
      const logs = runId ? s.runs[runId]?.logs[nodeId] : undefined;
      const warnings = logs?.filter((l) => l.level === 'warn').map((l) => l.message);
      return warnings?.length ? warnings : NO_WARNINGS;
    },
    sameLines,
  );
}
