/** The open workflows as tabs, with an unsaved-changes dot and a close button. */
import { memo } from 'react';
import { showHiddenCharacters } from '../../../protocol/visible-text';
import { emptyWorkflow } from '../../../protocol/workflow-io';
import { useStore, shallowArrayEqual } from '../store/createStore';
import { closeTab, editorStore, isDirty, openTab, setActiveTab } from '../store/editor';

const TabButton = memo(function TabButton({ id }: { id: string }) {
  const name = useStore(editorStore, (s) => s.tabs[id]?.doc.name ?? '');
  const dirty = useStore(editorStore, (s) => (s.tabs[id] ? isDirty(s.tabs[id]) : false));
  const active = useStore(editorStore, (s) => s.activeId === id);
  const running = useStore(editorStore, (s) => s.tabs[id]?.runId !== undefined);
  return (
    <div
      className={`tab ${active ? 'active' : ''}`}
      onClick={() => setActiveTab(id)}
      data-testid={`tab-${id}`}
      data-dirty={dirty}
    >
      <span className="tab-name" title={name}>
        {showHiddenCharacters(name) || 'Untitled'}
      </span>
      {dirty && (
        <span className="dirty" title="unsaved changes" data-testid="unsaved-marker">
          ●
        </span>
      )}
      {running && (
        <span className="run-dot" title="shows a run">
          ▸
        </span>
      )}
      <button
        className="icon close"
        title="Close"
        onClick={(e) => {
          e.stopPropagation();
          if (!dirty || window.confirm('Close without saving?')) closeTab(id);
        }}
      >
        ×
      </button>
    </div>
  );
});

export const TabBar = memo(function TabBar() {
  const order = useStore(editorStore, (s) => s.order, shallowArrayEqual);
  return (
    <div className="tabbar" data-testid="tabbar">
      <span className="brand">loraflow</span>
      {order.map((id) => (
        <TabButton key={id} id={id} />
      ))}
      <button
        className="icon"
        title="New workflow"
        onClick={() => openTab(emptyWorkflow('Untitled'))}
        data-testid="new-tab"
      >
        +
      </button>
    </div>
  );
});
