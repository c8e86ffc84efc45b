import {
  activeTab,
  editorStore,
  edit,
  initialEditorState,
  isDirty,
  markSaved,
  openTab,
  redo,
  sealEdits,
  undo,
} from '../../client/src/store/editor';
import { connect, deleteItems, moveItems, setParam, setParams } from '../../client/src/graph/edits';
import { copySelection, parseClip, pasteClip } from '../../client/src/graph/clipboard';
import { quickStart } from './fixtures';

const doc = () => activeTab().doc;
const node = (id: string) => doc().nodes.find((n) => n.id === id);

beforeEach(() => {
  editorStore.replace(initialEditorState());
  openTab(quickStart());
});

describe('editing with undo and redo', () => {
  it('undoes and redoes a parameter change', () => {
    edit(setParam('train', 'steps', 500));
    expect(node('train')?.params.steps).toBe(500);
    undo();
    expect(node('train')?.params.steps).toBe(100);
    redo();
    expect(node('train')?.params.steps).toBe(500);
  });

  it('typing into one field is one undo step; another field starts a new one', () => {
    edit(setParam('train', 'notes', 'a'), 'param:train:notes');
    edit(setParam('train', 'notes', 'ab'), 'param:train:notes');
    edit(setParam('train', 'notes', 'abc'), 'param:train:notes');
    edit(setParam('train', 'steps', 7), 'param:train:steps');
    undo();
    expect(node('train')?.params).toMatchObject({ notes: 'abc', steps: 100 });
    undo();
    expect(node('train')?.params.notes).toBe('');
  });

  it('a whole drag is one undo step, and the next drag another', () => {
    for (let x = 1; x <= 5; x++) edit(moveItems({ sample: { x: 600 + x * 10, y: 0 } }), 'move');
    sealEdits();
    edit(moveItems({ sample: { x: 0, y: 0 } }), 'move');
    sealEdits();
    undo();
    expect(node('sample')?.position).toEqual({ x: 650, y: 0 });
    undo();
    expect(node('sample')?.position).toEqual({ x: 600, y: 0 });
  });

  it('moving a group frame moves the nodes inside it', () => {
    edit(moveItems({ 'group:g1': { x: 80, y: -40 } }));
    expect(node('load')?.position).toEqual({ x: 100, y: 0 });
    expect(node('train')?.position).toEqual({ x: 300, y: 0 });
  });

  it('deleting a node removes its wires in the same undo step', () => {
    edit(deleteItems(['train'], []));
    expect(doc().edges).toEqual([]);
    undo();
    expect(doc().edges.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(node('train')).toBeDefined();
  });

  it('a second wire into a single input replaces the first', () => {
    edit(connect({ from: { node: 'train', socket: 'lora' }, to: { node: 'sample', socket: 'lora' } }, false));
    expect(doc().edges).toHaveLength(2);
    edit(connect({ from: { node: 'load', socket: 'dataset' }, to: { node: 'sample', socket: 'lora' } }, false));
    expect(doc().edges.filter((e) => e.to.node === 'sample')).toHaveLength(1);
  });

  it('applying a preset is one step', () => {
    edit(setParams('train', { steps: 1500, lr: 0.0002 }));
    undo();
    expect(node('train')?.params).toMatchObject({ steps: 100, lr: 0.0001 });
  });

  it('shows unsaved changes until saved, and not after undoing back', () => {
    const tab = activeTab();
    expect(isDirty(tab)).toBe(false);
    edit(setParam('train', 'steps', 3));
    expect(isDirty(activeTab())).toBe(true);
    undo();
    expect(isDirty(activeTab())).toBe(false);
    redo();
    markSaved(tab.id);
    expect(isDirty(activeTab())).toBe(false);
  });

  it('keeps each tab its own history', () => {
    const first = activeTab().id;
    edit(setParam('train', 'steps', 9));
    openTab(quickStart());
    undo();
    expect(editorStore.get().tabs[first]?.doc.nodes[1]?.params.steps).toBe(9);
  });
});

describe('copy and paste', () => {
  it('pastes nodes with fresh ids and the wires between them, keeping unknown fields', () => {
    const clip = parseClip(JSON.stringify(copySelection(doc(), ['train', 'sample', 'mystery'])));
    expect(clip?.edges.map((e) => e.id)).toEqual(['e2']);
    let pasted: string[] = [];
    edit(pasteClip(clip!, { x: 40, y: 40 }, (ids) => (pasted = ids)));
    expect(pasted).toHaveLength(3);
    expect(pasted.some((id) => ['train', 'sample', 'mystery'].includes(id))).toBe(false);
    const copyOfMystery = doc().nodes.find((n) => n.id === pasted[2]);
    expect(copyOfMystery).toMatchObject({ type: 'FromTheFuture', futureField: [1, 2, 3], position: { x: 40, y: 340 } });
    const wire = doc().edges.find((e) => e.from.node === pasted[0]);
    expect(wire?.to.node).toBe(pasted[1]);
    undo();
    expect(doc().nodes).toHaveLength(4);
  });

  it('ignores clipboard text that is not a loraflow selection', () => {
    expect(parseClip('hello')).toBeUndefined();
    expect(parseClip('{"nodes":[]}')).toBeUndefined();
  });
});
