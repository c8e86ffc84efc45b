/** The right-hand panel: the selected node's outputs, runs (queue/history), compare, library. */
import { memo } from 'react';
import { useStore } from '../store/createStore';
import { setSideTab, uiStore, type SideTab } from '../store/ui';
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
        {tab === 'node' && <NodePanel />}
        {tab === 'runs' && <RunsPanel />}
        {tab === 'compare' && <ComparePanel />}
        {tab === 'library' && <LibraryPanel />}
      </div>
    </aside>
  );
});
