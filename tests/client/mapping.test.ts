import { fileToFlow, flowToFile } from '../../client/src/graph/mapping';
import { quickStart } from './fixtures';

describe('workflow file <-> React Flow mapping', () => {
  it('maps nodes, frames, notes and socket-named edges', () => {
    const { nodes, edges } = fileToFlow(quickStart());
    expect(nodes.map((n) => `${n.type}:${n.id}`)).toEqual([
      'frame:group:g1',
      'workflow:load',
      'workflow:train',
      'workflow:sample',
      'workflow:FromTheFuture'.replace('FromTheFuture', 'mystery'),
      'note:note:n1',
    ]);
    expect(edges[0]).toMatchObject({
      source: 'load',
      sourceHandle: 'out:dataset',
      target: 'train',
      targetHandle: 'in:dataset',
    });
  });

  it('round-trips a file unchanged, unknown fields and unknown node types included', () => {
    const file = quickStart();
    const { nodes, edges } = fileToFlow(file);
    expect(flowToFile(nodes, edges, file)).toEqual(file);
  });

  it('takes positions and frame sizes from the flow and keeps everything else', () => {
    const file = quickStart();
    const { nodes, edges } = fileToFlow(file);
    const moved = nodes.map((n) =>
      n.id === 'mystery' ? { ...n, position: { x: 5, y: 6 } } : n.id === 'group:g1' ? { ...n, width: 500 } : n,
    );
    const out = flowToFile(moved, edges, file);
    expect(out.nodes.find((n) => n.id === 'mystery')).toEqual({ ...file.nodes[3], position: { x: 5, y: 6 } });
    expect(out.groups[0]?.bounds.width).toBe(500);
    expect(out.futureTopLevel).toEqual({ keep: true });
  });

  it('maps a wire the user drew (no file edge yet) by its handles', () => {
    const file = quickStart();
    const out = flowToFile(
      [],
      [{ id: 'new', source: 'train', sourceHandle: 'out:lora', target: 'sample', targetHandle: 'in:lora' }],
      file,
    );
    expect(out.edges).toEqual([
      { id: 'new', from: { node: 'train', socket: 'lora' }, to: { node: 'sample', socket: 'lora' } },
    ]);
  });
});
