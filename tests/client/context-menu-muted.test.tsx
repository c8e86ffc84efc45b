/** "Run this node and what it needs" cannot be used on a muted node: the server would refuse the run. */
import { fireEvent, render, screen } from '@testing-library/react';
import { ReactFlowProvider } from '@xyflow/react';
import { ContextMenu } from '../../client/src/canvas/ContextMenu';
import { setNodeFlags } from '../../client/src/graph/edits';
import { edit, editorStore, initialEditorState, openTab } from '../../client/src/store/editor';
import { openMenu, uiStore } from '../../client/src/store/ui';
import { quickStart } from './fixtures';

beforeEach(() => {
  editorStore.replace(initialEditorState());
  openTab(quickStart());
});

function openNodeMenu(id: string) {
  openMenu({ screen: { x: 10, y: 10 }, target: { kind: 'node', id } });
  render(
    <ReactFlowProvider>
      <ContextMenu />
    </ReactFlowProvider>,
  );
  return screen.getByTestId('menu-run-node');
}

test('on a muted node the run item is disabled, says why, and clicking it keeps the menu open', () => {
  edit(setNodeFlags(['sample'], { mode: 'mute' }));
  const item = openNodeMenu('sample');
  expect(item.getAttribute('aria-disabled')).toBe('true');
  expect(item.getAttribute('title')).toBe('sample is muted: unmute it to run it');
  fireEvent.click(item);
  expect(uiStore.get().menu).toBeDefined();
});

test('on an active node the run item is enabled', () => {
  const item = openNodeMenu('train');
  expect(item.getAttribute('aria-disabled')).toBeNull();
});
