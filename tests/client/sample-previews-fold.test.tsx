/**
 * QA S6-F10: an SD Sample node's panel kept its 12 blocky latent-to-RGB previews above the final images after the
 * run. Once a node has ended with its images, its previews fold into a closed "previews while it ran" summary; while
 * it runs they show as before, and a training node's step grids (not stand-ins for an output) stay in view.
 */
import { render, screen } from '@testing-library/react';
import { NodePanel } from '../../client/src/panels/NodePanel';
import {
  activeTab,
  editorStore,
  initialEditorState,
  openTab,
  setSelection,
  setTabRun,
} from '../../client/src/store/editor';
import { runsStore, type RunView } from '../../client/src/store/runs';
import type { NodeState } from '../../protocol/messages';
import type { JsonValue } from '../../protocol/values';
import { quickStart } from './fixtures';

const png = (id: string) => ({ $artifact: id, mime: 'image/png', name: `${id}.png`, bytes: 10 });
const previews = Array.from({ length: 12 }, (_, i) => ({ image: png(`preview-${i}`), label: `step ${i + 1}` }));
const images = { kind: 'images', items: [{ image: png('final'), caption: 'a cat' }] } as unknown as JsonValue;

/** The panel of node `nodeId` in a run where it is in `state` with the 12 previews. */
function showPanel(nodeId: string, state: NodeState) {
  editorStore.replace(initialEditorState());
  openTab(quickStart());
  const tab = activeTab().id;
  setTabRun(tab, 'r1');
  setSelection(tab, [nodeId], []);
  const run: RunView = {
    summary: { id: 'r1', status: 'succeeded', name: 'Quick start', createdAt: 1 },
    workflow: quickStart(),
    nodes: { [nodeId]: state },
    metrics: {},
    previews: { [nodeId]: previews },
    logs: {},
  };
  runsStore.update((s) => void (s.runs = { r1: run }));
  return render(<NodePanel />);
}

const shownPreviews = (root: HTMLElement) =>
  [...root.querySelectorAll('img.thumb')].filter(
    (img) => img.getAttribute('src')?.includes('preview-') && img.closest('details:not([open])') === null,
  );

test('a Sample that ended with its images folds its previews away; the final image is what shows', () => {
  const { container } = showPanel('sample', { nodeId: 'sample', status: 'succeeded', outputs: { images } });
  const folded = screen.getByTestId('panel-previews-superseded');
  expect(folded.hasAttribute('open')).toBe(false);
  expect(folded.textContent).toContain('12 previews while it ran');
  expect(shownPreviews(container)).toHaveLength(0);
});

test('while the Sample runs its previews show, and a finished training node keeps its step grids in view', () => {
  const running = showPanel('sample', { nodeId: 'sample', status: 'running' });
  expect(shownPreviews(running.container)).toHaveLength(12);
  running.unmount();
  const trained = showPanel('train', {
    nodeId: 'train',
    status: 'succeeded',
    outputs: { lora: { kind: 'lora' } as unknown as JsonValue },
  });
  expect(screen.queryByTestId('panel-previews-superseded')).toBeNull();
  expect(shownPreviews(trained.container)).toHaveLength(12);
});
