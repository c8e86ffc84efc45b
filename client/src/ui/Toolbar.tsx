/** Run/cancel, undo/redo, save/download/upload, add node/group/note, fit view; the workflow's name. */
import { memo, useRef } from 'react';
import { useReactFlow } from '@xyflow/react';
import {
  addNoteAt,
  cancelActive,
  downloadActive,
  groupSelection,
  openWorkflowFile,
  resumeRun,
  runActive,
  saveActive,
  saveActiveAs,
} from '../actions';
import { useStore } from '../store/createStore';
import { activeTab, edit, editorStore, redo, undo } from '../store/editor';
import { runsStore } from '../store/runs';
import { openPalette } from '../store/ui';

export const Toolbar = memo(function Toolbar() {
  const name = useStore(editorStore, (s) => activeTab(s).doc.name);
  const canUndo = useStore(editorStore, (s) => activeTab(s).history.past.length > 0);
  const canRedo = useStore(editorStore, (s) => activeTab(s).history.future.length > 0);
  const runId = useStore(editorStore, (s) => activeTab(s).runId);
  const status = useStore(runsStore, (s) => (runId ? s.runs[runId]?.summary.status : undefined));
  const connected = useStore(runsStore, (s) => s.connected);
  const file = useRef<HTMLInputElement>(null);
  const flow = useReactFlow();
  const active = status === 'running' || status === 'queued';
  const center = (): { x: number; y: number } => ({ x: window.innerWidth / 2 - 200, y: window.innerHeight / 2 });
  return (
    <div className="toolbar">
      <input
        className="wf-name"
        value={name}
        onChange={(e) => edit((d) => void (d.name = e.target.value), 'rename')}
        aria-label="workflow name"
        data-testid="workflow-name"
      />
      <button className="primary" onClick={() => void runActive()} title="Run (Ctrl+Enter)" data-testid="run">
        ▶ Run
      </button>
      <button
        onClick={() => void cancelActive()}
        disabled={!active}
        title="Cancel the run (Ctrl+. asks first)"
        data-testid="cancel"
      >
        ■ Cancel
      </button>
      {status && (
        <span className={`run-status status-${status}`} data-testid="run-status" data-run={runId}>
          {status}
        </span>
      )}
      {status === 'interrupted' && runId && (
        <button onClick={() => void resumeRun(runId)} title="Resume the interrupted run" data-testid="resume">
          ↻ Resume
        </button>
      )}
      <span className="sep" />
      <button onClick={() => undo()} disabled={!canUndo} title="Undo (Ctrl+Z)" data-testid="undo">
        ↶
      </button>
      <button onClick={() => redo()} disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" data-testid="redo">
        ↷
      </button>
      <span className="sep" />
      <button onClick={() => openPalette({ screen: center() })} title="Add a node (Ctrl+K)" data-testid="add-node">
        + Node
      </button>
      <button onClick={groupSelection} title="Group the selection (Ctrl+G)" data-testid="group">
        ▭ Group
      </button>
      <button onClick={() => addNoteAt(flow.screenToFlowPosition(center()))} title="Add a note" data-testid="add-note">
        ✎ Note
      </button>
      <button onClick={() => void flow.fitView({ duration: 200 })} title="Fit view" data-testid="fit">
        ⤢
      </button>
      <span className="sep" />
      <button onClick={() => void saveActive()} title="Save to the library (Ctrl+S)" data-testid="save">
        Save
      </button>
      <button onClick={() => void saveActiveAs()} title="Save under another name" data-testid="save-as">
        Save as…
      </button>
      <button onClick={downloadActive} title="Download .json" data-testid="download">
        ⬇
      </button>
      <button onClick={() => file.current?.click()} title="Open a .json file" data-testid="upload">
        ⬆
      </button>
      <input
        ref={file}
        type="file"
        accept=".json,application/json"
        hidden
        onChange={(e) => (e.target.files?.[0] && void openWorkflowFile(e.target.files[0]), (e.target.value = ''))}
        data-testid="upload-input"
      />
      <span
        className={`conn ${connected ? 'on' : 'off'}`}
        title={connected ? 'live' : 'reconnecting…'}
        data-testid="connection"
      >
        ●
      </span>
    </div>
  );
});
