/**
 * The server's workflows folder: click to open in a new tab. The user's own workflows can be renamed and deleted;
 * the shipped examples are read-only (saving one asks for a name), and "Restore examples" removes copies saved
 * over them by older versions.
 */
import { showHiddenCharacters } from '../../../protocol/visible-text';
import { memo, useEffect, useState, type MouseEvent } from 'react';
import type { WorkflowListing } from '../../../protocol/api';
import { api } from '../api/http';
import { libraryNameOf, openFromLibrary } from '../actions';
import { renameLibraryTabs } from '../store/editor';
import { toast } from '../store/toasts';
import { useStore } from '../store/createStore';
import { openGallery, uiStore } from '../store/ui';
import { TemplateGallery } from '../ui/TemplateGallery';
import { ImportConfigButton } from '../interop/ImportConfigButton';

async function rename(w: WorkflowListing, reload: () => void): Promise<void> {
  const shown = w.title || w.name;
  const answer = window.prompt(`Rename "${shown}" to:`, shown)?.trim();
  if (!answer || answer === shown) return;
  const to = libraryNameOf({ name: answer } as Parameters<typeof libraryNameOf>[0]);
  try {
    // The file and the workflow's own name change together: the list, the tab and the delete prompt agree.
    const renamed = await api.renameWorkflow(w.name, to, answer);
    renameLibraryTabs(w.name, to, answer, { previous: renamed.previousRevision, next: renamed.revision });
    toast(`Renamed to ${to}.json`);
  } catch (e) {
    toast(`Rename failed: ${(e as Error).message}`, 'error');
  }
  reload();
}

async function remove(w: WorkflowListing, reload: () => void): Promise<void> {
  if (!window.confirm(`Delete "${w.title || w.name}" (${w.name}.json) from the library?`)) return;
  try {
    await api.deleteWorkflow(w.name);
    renameLibraryTabs(w.name, undefined);
    toast(`Deleted ${w.name}.json`);
  } catch (e) {
    toast(`Delete failed: ${(e as Error).message}`, 'error');
  }
  reload();
}

async function restoreExamples(reload: () => void): Promise<void> {
  try {
    const { restored } = await api.restoreExamples();
    toast(restored.length ? `Restored ${restored.join(', ')}` : 'The examples are as shipped.');
  } catch (e) {
    toast(`Restore failed: ${(e as Error).message}`, 'error');
  }
  reload();
}

/** A row button that does not also open the workflow. */
const act = (fn: () => void) => (e: MouseEvent) => (e.stopPropagation(), fn());

export const LibraryPanel = memo(function LibraryPanel() {
  const [list, setList] = useState<WorkflowListing[]>([]);
  const [error, setError] = useState('');
  const load = (): void => void api.workflows().then(setList, (e: Error) => setError(e.message));
  const version = useStore(uiStore, (s) => s.libraryVersion);
  useEffect(load, [version]);
  return (
    <div className="library" data-testid="library">
      <h3>
        Workflows <button onClick={load}>↻</button>
        <button
          onClick={() => openGallery(true)}
          title="The guide's scenarios as ready workflows"
          data-testid="open-templates"
        >
          Templates…
        </button>
        <button
          onClick={() => void restoreExamples(load)}
          title="Remove copies saved over the shipped examples"
          data-testid="restore-examples"
        >
          Restore examples
        </button>
        <ImportConfigButton />
      </h3>
      <TemplateGallery />
      {error && <div className="error-text">{error}</div>}
      <ul>
        {list.map((w) => (
          <li
            key={w.name}
            onClick={() => void openFromLibrary(w.name)}
            title={w.description && showHiddenCharacters(w.description)}
            data-testid={`library-${w.name}`}
          >
            <b>{showHiddenCharacters(w.title || w.name)}</b> {w.example && <span className="badge">example</span>}
            {!w.example && (
              <span className="row-actions">
                <button onClick={act(() => void rename(w, load))} data-testid={`rename-${w.name}`}>
                  rename
                </button>
                <button onClick={act(() => void remove(w, load))} data-testid={`delete-${w.name}`}>
                  delete
                </button>
              </span>
            )}
            {w.description && <div className="muted">{w.description}</div>}
          </li>
        ))}
      </ul>
    </div>
  );
});
