/** The right-hand panel: the selected node's outputs, runs (queue/history), compare, library. */
import { memo } from 'react';
import { useStore } from '../store/createStore';
import { activeTab, editorStore } from '../store/editor';
import { setSideTab, uiStore, type SideTab } from '../store/ui';
import { PanelBoundary } from '../ui/PanelBoundary';
import { ComparePanel } from './ComparePanel';
import { LibraryPanel } from './LibraryPanel';
import { NodePanel } from './NodePanel';
import { RunsPanel } from './RunsPanel';

const TABS: [SideTab, string][] = [
  ['node', 'Outputs'],
  ['runs', 'Runs'],
  ['compare', 'Compare'],
  ['library', 'Library'],
];

export const SidePanel = memo(function SidePanel() {
  const tab = useStore(uiStore, (s) => s.sideTab);
  const selected = useStore(editorStore, (s) => activeTab(s).selectedNodes[0]);
  return (
    <aside className="side">
      <nav>
        {TABS.map(([id, label]) => (
          <button
            key={id}
            className={tab === id ? 'active' : ''}
            onClick={() => setSideTab(id)}
            data-testid={`side-${id}`}
          >
            {label}
          </button>
        ))}
      </nav>
      <div className="side-body">
        {/* One boundary per panel: a value one panel cannot show must not take the editor down. */}
        <PanelBoundary key={tab} name={TABS.find(([id]) => id === tab)?.[1] ?? tab} resetKey={selected}>
          {tab === 'node' && <NodePanel />}
          {tab === 'runs' && <RunsPanel />}
          {tab === 'compare' && <ComparePanel />}
          {tab === 'library' && <LibraryPanel />}
        </PanelBoundary>
      </div>
    </aside>
  );
});
