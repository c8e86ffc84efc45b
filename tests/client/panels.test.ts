import { diffParams } from '../../client/src/panels/compareRuns';
import { shortcutFor } from '../../client/src/ui/shortcuts';
import { persistTabs, restoreTabs } from '../../client/src/store/persist';
import {
  activeTab,
  edit,
  editorStore,
  initialEditorState,
  isDirty,
  openTab,
  redo,
  undo,
} from '../../client/src/store/editor';
import { setParam } from '../../client/src/graph/edits';
import { quickStart } from './fixtures';

describe('comparing two runs', () => {
  it('lists the parameters that differ and the nodes only one run has', () => {
    const a = quickStart();
    const b = quickStart();
    b.nodes[1]!.params.steps = 200;
    b.nodes[1]!.params.prompts = ['a cat', 'a dog'];
    b.nodes.pop();
    expect(diffParams(a, b)).toEqual([
      { nodeId: 'train', param: 'steps', a: 100, b: 200 },
      { nodeId: 'train', param: 'prompts', a: ['a cat'], b: ['a cat', 'a dog'] },
      { nodeId: 'mystery', param: 'type', a: 'FromTheFuture', b: undefined },
    ]);
  });
});

describe('keyboard shortcuts', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; metaKey: boolean }> = {}) => ({
    key: k,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    ...mods,
  });
  it('undo/redo from the canvas, but leave text fields their own undo', () => {
    expect(shortcutFor(key('z', { ctrlKey: true }), false)).toBe(undo);
    expect(shortcutFor(key('Z', { ctrlKey: true, shiftKey: true }), false)).toBe(redo);
    expect(shortcutFor(key('z', { ctrlKey: true }), true)).toBeUndefined();
  });
  it('run and cancel work everywhere; search opens with Ctrl+K', () => {
    expect(shortcutFor(key('Enter', { ctrlKey: true }), true)).toBeDefined();
    expect(shortcutFor(key('.', { metaKey: true }), true)).toBeDefined();
    expect(shortcutFor(key('k', { ctrlKey: true }), false)).toBeDefined();
    expect(shortcutFor(key('a'), false)).toBeUndefined();
  });
});

describe('tabs survive a reload', () => {
  beforeEach(() => {
    localStorage.clear();
    editorStore.replace(initialEditorState());
  });
  it('restores open workflows, unsaved edits and the run each tab shows', async () => {
    const stop = persistTabs();
    openTab(quickStart(), { runId: 'r7', libraryName: 'quick' });
    edit(setParam('train', 'steps', 321));
    window.dispatchEvent(new Event('pagehide'));
    stop();
    editorStore.replace(initialEditorState());
    expect(restoreTabs()).toBe(true);
    const tab = activeTab();
    expect(tab.runId).toBe('r7');
    expect(tab.libraryName).toBe('quick');
    expect(tab.doc.nodes[1]?.params.steps).toBe(321);
    expect(isDirty(tab)).toBe(true);
    expect(editorStore.get().order).toHaveLength(2);
  });
});
