/** The editor's layout: tabs, toolbar, canvas and side panel; loads schemas, connects live, installs shortcuts. */
import { useEffect } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { api } from './api/http';
import { connectLive } from './api/ws';
import { openWelcome, refreshShownRuns, showRunningRuns } from './actions';
import { Canvas } from './canvas/Canvas';
import { ContextMenu } from './canvas/ContextMenu';
import { Palette } from './canvas/Palette';
import { SidePanel } from './panels/SidePanel';
import { useStore } from './store/createStore';
import { editorStore } from './store/editor';
import { persistTabs, restoreTabs } from './store/persist';
import { schemasStore, setSchemas } from './store/schemas';
import { toast } from './store/toasts';
import { ConnectionBanner } from './ui/ConnectionBanner';
import { ImageViewer } from './ui/ImageViewer';
import { PanelBoundary } from './ui/PanelBoundary';
import { PathPicker } from './ui/PathPicker';
import { SaveConflictDialog } from './ui/SaveConflictDialog';
import { installShortcuts } from './ui/shortcuts';
import { TabBar } from './ui/TabBar';
import { Toasts } from './ui/Toasts';
import { Toolbar } from './ui/Toolbar';

let started = false;
/** One-time start-up outside React (StrictMode runs effects twice in development). */
function start(): void {
  if (started) return;
  started = true;
  if (!restoreTabs()) void openWelcome();
  persistTabs();
  installShortcuts();
  let first = true;
  // Only the first snapshot opens tabs: later reconnects must not reopen tabs the user closed. Every snapshot
  // brings the runs the tabs show up to date (a reload starts with none; a reconnect may find a run ended).
  connectLive((running) => {
    if (first) showRunningRuns(running);
    first = false;
    refreshShownRuns(running);
  });
  api.nodes().then(setSchemas, (e: Error) => {
    schemasStore.update((s) => void (s.error = e.message));
    toast(`Cannot load node types: ${e.message}`, 'error', 10000);
  });
}

export function App() {
  useEffect(start, []);
  const activeId = useStore(editorStore, (s) => s.activeId);
  return (
    <ReactFlowProvider>
      <div className="app">
        <TabBar />
        <Toolbar />
        <ConnectionBanner />
        <main>
          <PanelBoundary name="Canvas" resetKey={activeId}>
            <Canvas key={activeId} tabId={activeId} />
          </PanelBoundary>
          <SidePanel />
        </main>
        <Palette />
        <ContextMenu />
        <PathPicker />
        <ImageViewer />
        <SaveConflictDialog />
        <Toasts />
      </div>
    </ReactFlowProvider>
  );
}
