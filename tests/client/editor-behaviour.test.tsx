/** Editor behaviour a ComfyUI user relies on, checked without a browser: keys, saving, paths, errors, charts. */
import { act, fireEvent, render, screen } from '@testing-library/react';
import { clearSelection, downloadActive, plannedNodes, toggleSelectedMode } from '../../client/src/actions';
import { fitGroupsToMembers, setNodeFlags } from '../../client/src/graph/edits';
import { workflowPath } from '../../client/src/graph/paths';
import { validate } from '../../client/src/graph/validation';
import { paletteHint } from '../../client/src/canvas/Palette';
import { NodeStatusBar } from '../../client/src/canvas/NodeStatusBar';
import { formatTick } from '../../client/src/panels/MetricChart';
import { overlaid, runLabel } from '../../client/src/panels/ComparePanel';
import { layoutGrid, SampleGrid } from '../../client/src/panels/SampleGrid';
import { fieldMessage } from '../../client/src/widgets/FieldErrors';
import { ImageViewer } from '../../client/src/ui/ImageViewer';
import { shortcutFor } from '../../client/src/ui/shortcuts';
import {
  activeTab,
  edit,
  editorStore,
  initialEditorState,
  isDirty,
  openTab,
  setSelection,
} from '../../client/src/store/editor';
import { runsStore, type RunView } from '../../client/src/store/runs';
import { uiStore } from '../../client/src/store/ui';
import { setParam } from '../../client/src/graph/edits';
import type { ArtifactRef } from '../../protocol/values';
import { quickStart, schemaMap } from './fixtures';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; metaKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  ...mods,
});

beforeEach(() => {
  editorStore.replace(initialEditorState());
  openTab(quickStart(), { runId: 'r1' });
  runsStore.update((s) => {
    s.runs.r1 = {
      summary: { id: 'r1', status: 'running', name: 'Quick start', createdAt: 0 },
      nodes: {},
      metrics: {},
      previews: {},
      logs: {},
    };
  });
});

describe('Esc', () => {
  it('deselects and never cancels the running run (Ctrl+. asks first)', () => {
    setSelection(activeTab().id, ['train'], []);
    const action = shortcutFor(key('Escape'), false);
    expect(action).toBe(clearSelection);
    action?.();
    expect(activeTab().selectedNodes).toEqual([]);
    expect(shortcutFor(key('.', { ctrlKey: true }), false)?.toString()).toContain('cancelActiveAfterConfirm');
  });
});

describe('selection keys', () => {
  it('Ctrl+A selects every node, group and note; Ctrl+B and Ctrl+M bypass and mute the selection', () => {
    shortcutFor(key('a', { ctrlKey: true }), false)?.();
    expect(activeTab().selectedNodes).toEqual(['group:g1', 'load', 'train', 'sample', 'mystery', 'note:n1']);
    setSelection(activeTab().id, ['train'], []);
    shortcutFor(key('b', { ctrlKey: true }), false)?.();
    expect(activeTab().doc.nodes.find((n) => n.id === 'train')?.mode).toBe('bypass');
    toggleSelectedMode('bypass');
    expect(activeTab().doc.nodes.find((n) => n.id === 'train')?.mode).toBeUndefined();
    shortcutFor(key('m', { ctrlKey: true }), false)?.();
    expect(activeTab().doc.nodes.find((n) => n.id === 'train')?.mode).toBe('mute');
  });
  it('a muted node is not among the nodes a run plans; run-selected plans its targets and what they need', () => {
    edit(setNodeFlags(['mystery'], { mode: 'mute' }));
    expect([...plannedNodes(activeTab().doc)]).toEqual(['load', 'train', 'sample']);
    expect([...plannedNodes(activeTab().doc, ['train'])].sort()).toEqual(['load', 'train']);
  });
});

describe('Download', () => {
  it('keeps the unsaved marker: a downloaded copy is not the library version', () => {
    edit(setParam('train', 'steps', 5));
    URL.createObjectURL = () => 'blob:x';
    URL.revokeObjectURL = () => undefined;
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    downloadActive();
    expect(isDirty(activeTab())).toBe(true);
  });
});

describe('validation before running', () => {
  it('an empty required list (Sample prompts) is an error on that field; a list whose default is empty is not', () => {
    edit(setParam('train', 'prompts', []));
    const errors = validate(activeTab().doc, schemaMap).byNode.train ?? [];
    expect(errors.map((e) => [e.param, e.kind])).toEqual([['prompts', 'param-missing']]);
    expect(fieldMessage(errors[0]!)).toBe('Expected at least one item, received an empty list.');
    expect(validate(activeTab().doc, schemaMap).byNode.load).toBeUndefined(); // uploads: [] is fine
  });
});

describe('paths in a workflow', () => {
  it('are stored relative to the first allowed folder they are in, absolute outside it', () => {
    const roots = ['/home/ann/data', '/mnt/sets'];
    expect(workflowPath('/home/ann/data/uploads/red.png', roots)).toBe('uploads/red.png');
    expect(workflowPath('/home/ann/data/', roots)).toBe('.');
    expect(workflowPath('/home/ann/database/x', roots)).toBe('/home/ann/database/x');
    expect(workflowPath('/mnt/sets/cats', roots)).toBe('/mnt/sets/cats');
  });
});

describe('small things', () => {
  it('a wire dragged back from an input searches for nodes producing its type', () => {
    const wire = { node: 'train', socket: 'dataset', type: 'DATASET' };
    expect(paletteHint({ screen: { x: 0, y: 0 }, wire: { ...wire, from: 'target' } })).toBe('nodes producing DATASET…');
    expect(paletteHint({ screen: { x: 0, y: 0 }, wire: { ...wire, from: 'source' } })).toBe('nodes taking DATASET…');
  });
  it('learning-rate axis figures fit the margin', () => {
    expect(formatTick(0.0001)).toBe('1.0e-4');
    expect(formatTick(0.25)).toBe('0.25');
    expect(formatTick(1234)).toBe('1234');
  });
  it('a node at its last step shows its count, not a stale rate and an ETA of 0s', () => {
    render(
      <NodeStatusBar
        nodeId="train"
        state={{ nodeId: 'train', status: 'running', progress: { value: 400, max: 400, rate: 4000, etaSeconds: 0 } }}
      />,
    );
    expect(screen.getByTestId('progress-text-train').textContent).toBe('400/400');
  });
  it('a group grows to keep a member dragged to its edge inside', () => {
    edit(setParam('load', 'folder', 'x'));
    edit((d) => void (d.nodes[0]!.position = { x: 150, y: 100 }));
    edit(fitGroupsToMembers(['load'], { load: { width: 240, height: 180 } }));
    expect(activeTab().doc.groups[0]!.bounds).toEqual({ x: -20, y: -40, width: 430, height: 340 });
  });
});

const art = (id: string, extra: Record<string, string> = {}): ArtifactRef => ({
  $artifact: id,
  mime: 'image/png',
  name: `${id}.png`,
  bytes: 1,
  ...extra,
});

describe('sample grids', () => {
  const items = [
    { image: art('a', { row: 'lora 0' }), caption: 'red apple [lora 0]', seed: 7 },
    { image: art('b', { row: 'lora 0' }), caption: 'grinning face [lora 0]', seed: 7 },
    { image: art('c', { row: 'lora 0.7' }), caption: 'red apple [lora 0.7]', seed: 7 },
    { image: art('d', { row: 'lora 0.7' }), caption: 'grinning face [lora 0.7]', seed: 7 },
  ];
  it('label rows by strength and columns by prompt', () => {
    const grid = layoutGrid(items);
    expect(grid.rows).toEqual(['lora 0', 'lora 0.7']);
    expect(grid.columns.map((c) => c.prompt)).toEqual(['red apple', 'grinning face']);
    render(<SampleGrid items={items} />);
    // The shared "lora" heads the label column; each row shows what tells it apart.
    expect(screen.getByTestId('sample-rows-shared').textContent).toBe('lora');
    expect(screen.getAllByTestId('sample-row').map((e) => e.textContent)).toEqual(['0', '0.7']);
    expect(screen.getAllByTestId('sample-row').map((e) => e.title)).toEqual(['lora 0', 'lora 0.7']);
    expect(screen.getAllByTestId('sample-column').map((e) => e.textContent)).toEqual(['red apple', 'grinning face']);
  });
  it('open in a viewer that steps through the grid and says each image’s prompt and seed', () => {
    render(
      <>
        <SampleGrid items={items} />
        <ImageViewer />
      </>,
    );
    fireEvent.click(screen.getAllByTestId('sample-image')[1]!);
    expect(screen.getByTestId('viewer-caption').textContent).toContain('grinning face · seed 7 · lora 0');
    fireEvent.click(screen.getByTestId('viewer-next'));
    expect(screen.getByTestId('viewer-caption').textContent).toContain('red apple · seed 7 · lora 0.7');
    act(() => void window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft' })));
    expect(screen.getByTestId('viewer-caption').textContent).toContain('2 / 4');
    act(() => uiStore.update((s) => void (s.enlarged = undefined)));
  });
});

describe('comparing runs', () => {
  const run = (id: string, name: string, loss: number[]): RunView => ({
    summary: { id, status: 'succeeded', name, createdAt: Date.UTC(2026, 0, 2, 10, 30) },
    nodes: {},
    metrics: { train: loss.map((v, i) => ({ step: i + 1, metrics: { loss: v, lr: 0.001 } })) },
    previews: {},
    logs: {},
  });
  it('names each run by name, time and id, and overlays every metric with a colour key per run', () => {
    const a = run('run-aaaaaaaa11', 'style r16', [1, 0.5]);
    const b = run('run-bbbbbbbb22', 'style r32', [1, 0.4]);
    expect(runLabel('A', a)).toMatch(/^A: style r16 · .+ · run-aaaa$/);
    const charts = overlaid(a, b);
    expect(charts.map((c) => c.title)).toEqual(['train · loss', 'train · lr']);
    expect(charts[0]!.series.map((s) => [s.name, s.color, s.dashed ?? false])).toEqual([
      ['A style r16', '#4fc3f7', false],
      ['B style r32', '#ffb74d', true],
    ]);
  });
});
