/**
 * A folder or file path with a browser limited to the server's allowed roots. A path the node reads is checked
 * with the server as it is typed, so that a folder that is not there shows on the field before running. A model
 * parameter (`models` in its spec) offers the checkpoints or LoRAs of the model folders, ComfyUI's and A1111's too.
 */
import { memo, useEffect } from 'react';
import type { PathKind } from '../../../protocol/schema';
import { useStore } from '../store/createStore';
import { loadModels, modelsStore, type ModelChoice, type ModelsState } from '../store/models';
import { checkPath, pathChecksStore, pathProblem } from '../store/pathChecks';
import { openPicker } from '../store/ui';
import { paramTestId, type WidgetProps } from './types';

const CHECK_DELAY_MS = 400;

/** What a path parameter with `models` offers: files of that kind, or its folders for a folder parameter. */
function choicesFor(s: ModelsState, models: 'checkpoints' | 'loras' | undefined, kind: PathKind) {
  if (!models) return NO_CHOICES;
  if (kind === 'folder') return models === 'loras' ? s.loraFolders : s.checkpointFolders;
  return models === 'loras' ? s.loras : s.checkpoints;
}
const NO_CHOICES: ModelChoice[] = [];

export const PathWidget = memo(function PathWidget({ spec, value, onChange, nodeId, invalid }: WidgetProps) {
  const path = typeof value === 'string' ? value : '';
  const kind = spec.pathKind ?? 'folder';
  const checked = spec.access === 'read' && path.trim() !== '';
  const problem = useStore(pathChecksStore, (s) => (checked ? pathProblem(s, path, kind) : undefined));
  const models = spec.models;
  const choices = useStore(modelsStore, (s) => choicesFor(s, models, kind));
  const listId = models ? `models-${models}-${kind}` : undefined;
  useEffect(() => {
    if (models) void loadModels();
  }, [models]);
  useEffect(() => {
    if (!checked) return;
    const timer = setTimeout(() => void checkPath(path, kind), CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [checked, path, kind]);
  return (
    <>
      <div className="widget-path">
        <input
          type="text"
          className={`nodrag ${invalid || problem ? 'invalid' : ''}`}
          value={path}
          onChange={(e) => onChange(e.target.value)}
          data-testid={paramTestId(nodeId, spec.name)}
          aria-label={spec.label ?? spec.name}
          placeholder={models ? `${kind}: pick or type` : kind}
          list={listId}
          onFocus={models ? () => void loadModels(true) : undefined}
        />
        {listId && (
          <datalist id={listId} data-testid={`${paramTestId(nodeId, spec.name)}-choices`}>
            {choices.map((c) => (
              <option key={c.value} value={c.value} label={c.label} />
            ))}
          </datalist>
        )}
        <button
          type="button"
          className="nodrag icon"
          title={`Browse for a ${kind}`}
          onClick={() => openPicker({ nodeId, param: spec.name, pathKind: kind, start: path })}
          data-testid={`${paramTestId(nodeId, spec.name)}-browse`}
        >
          …
        </button>
      </div>
      {problem && (
        <div className="error-text" data-testid={`path-error-${nodeId}-${spec.name}`}>
          {problem}
        </div>
      )}
    </>
  );
});
