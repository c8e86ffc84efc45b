/**
 * Asks what to do when a save found the library file changed since this tab opened it (QA S6-F15): load their
 * version (yours stays a Ctrl+Z away), overwrite theirs with yours, save yours as a copy, or go on editing.
 */
import { memo, useEffect } from 'react';
import { keepEditing, overwriteTheirs, reloadTheirs, saveMineAsCopy } from '../save-conflict';
import { useStore } from '../store/createStore';
import { saveConflictStore } from '../store/saveConflict';

export const SaveConflictDialog = memo(function SaveConflictDialog() {
  const conflict = useStore(saveConflictStore, (s) => s.conflict);
  useEffect(() => {
    if (!conflict) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') keepEditing();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [conflict]);
  if (!conflict) return null;
  const deleted = conflict.revision === null;
  return (
    <div className="palette-backdrop">
      <div
        className="picker save-conflict"
        role="alertdialog"
        aria-labelledby="save-conflict-title"
        data-testid="save-conflict"
      >
        <h3 id="save-conflict-title">Not saved: {conflict.name}.json changed in the library</h3>
        <p data-testid="save-conflict-message">{conflict.message}</p>
        <div className="picker-actions">
          {!deleted && (
            <button
              onClick={() => void reloadTheirs()}
              data-testid="conflict-reload"
              title="Ctrl+Z brings your version back"
            >
              Load theirs
            </button>
          )}
          <button onClick={() => void overwriteTheirs()} data-testid="conflict-overwrite">
            {deleted ? 'Save mine again' : 'Overwrite with mine'}
          </button>
          <button onClick={() => void saveMineAsCopy()} data-testid="conflict-copy">
            Save mine as a copy…
          </button>
          <button onClick={keepEditing} data-testid="conflict-cancel">
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
});
