/**
 * A folder or file path with a browser limited to the server's allowed roots. A path the node reads is checked
 * with the server as it is typed, so that a folder that is not there shows on the field before running. A model
 * parameter (`models` in its spec) offers the checkpoints or LoRAs of the model folders, ComfyUI's and A1111's too.
 */
import { memo, useEffect, useState } from 'react';
import type { PathKind } from '../../../protocol/schema';
import { useStore } from '../store/createStore';
import { loadModels, modelsStore, type ModelChoice, type ModelsState, type RefusedChoice } from '../store/models';
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

/** The files of those folders that are not offered (pickles), for a file parameter with `models`. */
function refusedFor(s: ModelsState, models: 'checkpoints' | 'loras' | undefined, kind: PathKind) {
  if (!models || kind === 'folder') return NO_REFUSED;
  return models === 'loras' ? s.refusedLoras : s.refusedCheckpoints;
}
const NO_REFUSED: RefusedChoice[] = [];
const SHOWN_NAMES = 3;

/** "Not offered: v1-5.ckpt — .ckpt (pickle) files are not loaded because they can run code: …", one line a reason. */
function refusedLines(refused: readonly RefusedChoice[]): string[] {
  const byReason = new Map<string, string[]>();
  for (const r of refused) byReason.set(r.reason, [...(byReason.get(r.reason) ?? []), r.name]);
  return [...byReason].map(([reason, names]) => {
    const more = names.length > SHOWN_NAMES ? ` (+${names.length - SHOWN_NAMES} more)` : '';
    return `Not offered: ${names.slice(0, SHOWN_NAMES).join(', ')}${more} — ${reason}.`;
  });
}
const PICKLE = /\.(ckpt|pt|pth|bin|pkl)$/i;

export const PathWidget = memo(function PathWidget({ spec, value, onChange, nodeId, invalid }: WidgetProps) {
  const path = typeof value === 'string' ? value : '';
  const kind = spec.pathKind ?? 'folder';
  const checked = spec.access === 'read' && path.trim() !== '';
  const problem = useStore(pathChecksStore, (s) => (checked ? pathProblem(s, path, kind) : undefined));
  const models = spec.models;
  const choices = useStore(modelsStore, (s) => choicesFor(s, models, kind));
  const refused = useStore(modelsStore, (s) => refusedFor(s, models, kind));
  const [focused, setFocused] = useState(false);
  // Said while choosing (an empty field, the list open) or when a pickle is typed in, not on every filled node.
  const explain = refused.length > 0 && (focused || path.trim() === '' || PICKLE.test(path.trim()));
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
          onFocus={
            models
              ? () => {
                  setFocused(true);
                  void loadModels(true);
                }
              : undefined
          }
          onBlur={models ? () => setFocused(false) : undefined}
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
          onClick={() =>
            openPicker({ nodeId, param: spec.name, pathKind: kind, start: path, ...(models ? { models } : {}) })
          }
          data-testid={`${paramTestId(nodeId, spec.name)}-browse`}
        >
          …
        </button>
      </div>
      {explain && (
        <div
          className="muted refused-models"
          title={refused.map((r) => r.value).join('\n')}
          data-testid={`${paramTestId(nodeId, spec.name)}-refused`}
        >
          {refusedLines(refused).map((line) => (
            <div key={line}>{line}</div>
          ))}
        </div>
      )}
      {problem && (
        <div className="error-text" data-testid={`path-error-${nodeId}-${spec.name}`}>
          {problem}
        </div>
      )}
    </>
  );
});
